/**
 * flashwright, st-flash and OpenOCD on the same simulated hardware, through the real USB
 * path: each tool runs in the QEMU guest of test/usb-guest and drives a virtual ST-Link V2
 * (and, in one row, a CMSIS-DAP v2) with an STM32F411RE over usbfs (usbredir). Each
 * operation gets a fresh probe whose board runs in pure virtual time (`timing: instant`):
 * the time reported is the simulator's clock for everything the tool sent, from opening the
 * probe to closing it, so the guest's own speed (TCG, a loaded machine) does not enter it.
 * st-flash's program is the exception (see the notes). Wall time in the guest is shown too.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../e2e/helpers/cli.js';
import { FLASH, hostRead, startSims, virtualMs, type GuestProbe } from '../usb-guest/probes.js';
import { pseudoRandomImage } from '../e2e/helpers/pseudo-random.js';
import {
  makeShare,
  missingTools,
  removeShare,
  runGuest,
  step,
  STEP_FUNCTION,
} from '../usb-guest/rig.js';
import type { BenchTable } from './table.js';

const RAM_BYTES = 64 * 1024;
const PROGRAM_BYTES = 128 * 1024;

type Tool = 'flashwright' | 'st-flash' | 'OpenOCD';
type Operation = 'ram-write' | 'ram-read' | 'program' | 'program-dap';

interface Case {
  readonly tool: Tool;
  readonly operation: Operation;
  readonly probe: GuestProbe;
  readonly command: (share: string) => string;
}

const bundle = join(repoRoot, 'packages/cli/dist/bundle/bin.js');
const OPENOCD_OPTIONS = "-c 'gdb_port disabled; tcl_port disabled; telnet_port disabled'";
/** OpenOCD with its default work area: F4 flash goes through its RAM loader (stm32f2x.c). */
const openocd = (serial: string, command: string): string =>
  `openocd -f interface/stlink.cfg -c 'adapter serial ${serial}' ${OPENOCD_OPTIONS} -f target/stm32f4x.cfg -c '${command}'`;
const openocdDap = (serial: string, command: string): string =>
  `openocd -f interface/cmsis-dap.cfg -c 'cmsis_dap_backend usb_bulk' -c 'adapter serial ${serial}' ${OPENOCD_OPTIONS} -f target/stm32f4x.cfg -c '${command}'`;

function cases(): Case[] {
  const probe = (name: string, i: number, overrides: Partial<GuestProbe> = {}): GuestProbe => ({
    name,
    probe: 'stlink-v2',
    device: 'STM32F411RE',
    serial: `37FF71064E4B36343246B${String(i).padStart(3, '0')}`,
    options: { timing: 'instant' },
    ...overrides,
  });
  const list: (Omit<Case, 'probe'> & { readonly overrides?: Partial<GuestProbe> })[] = [
    {
      tool: 'flashwright',
      operation: 'ram-write',
      command: (s) =>
        `node ${join(repoRoot, 'test/dist/usb-guest/guest-ram-write.js')} SERIAL ${s}/ram.bin 0x20000000`,
    },
    {
      tool: 'flashwright',
      operation: 'ram-read',
      command: (s) =>
        `node ${bundle} read 0x20000000 ${RAM_BYTES} -o ${s}/out/fw-ram.bin --probe stlink:SERIAL`,
    },
    {
      tool: 'flashwright',
      operation: 'program',
      command: (s) =>
        `node ${bundle} flash ${s}/prog.bin --base 0x08000000 --chip STM32F411RE --probe stlink:SERIAL`,
    },
    {
      tool: 'st-flash',
      operation: 'ram-write',
      command: (s) => `st-flash --serial SERIAL write ${s}/ram.bin 0x20000000`,
    },
    {
      tool: 'st-flash',
      operation: 'ram-read',
      command: (s) => `st-flash --serial SERIAL read ${s}/out/stf-ram.bin 0x20000000 ${RAM_BYTES}`,
    },
    {
      tool: 'st-flash',
      operation: 'program',
      command: (s) => `st-flash --serial SERIAL write ${s}/prog.bin 0x08000000`,
      // st-flash gives its RAM loader 500 ms of wall time per run (flash_loader.c) and sleeps
      // between polls: its board keeps pace with the wall clock, as real hardware does.
      overrides: { options: { timing: 'realtime' } },
    },
    {
      tool: 'OpenOCD',
      operation: 'ram-write',
      command: (s) =>
        openocd('SERIAL', `init; halt; load_image ${s}/ram.bin 0x20000000 bin; shutdown`),
    },
    {
      tool: 'OpenOCD',
      operation: 'ram-read',
      command: (s) =>
        openocd(
          'SERIAL',
          `init; halt; dump_image ${s}/out/ocd-ram.bin 0x20000000 ${RAM_BYTES}; shutdown`,
        ),
    },
    {
      tool: 'OpenOCD',
      operation: 'program',
      command: (s) => openocd('SERIAL', `program ${s}/prog.bin 0x08000000 verify reset exit`),
    },
    {
      tool: 'OpenOCD',
      operation: 'program-dap',
      command: (s) => openocdDap('SERIAL', `program ${s}/prog.bin 0x08000000 verify reset exit`),
      overrides: { probe: 'cmsis-dap-v2', serial: 'FWBENCHDAP2F411B' },
    },
  ];
  return list.map(({ overrides, ...c }, i) => ({
    ...c,
    probe: probe(`bench-${i}`, i, overrides),
  }));
}

export async function run(): Promise<BenchTable[]> {
  const missing = missingTools([
    { command: 'st-info', args: ['--version'], pkg: 'stlink-tools' },
    { command: 'openocd', args: ['--version'], pkg: 'openocd' },
  ]);
  const title =
    'Through the real USB path (QEMU guest, usbfs): flashwright vs st-flash vs OpenOCD, STM32F411RE behind a virtual ST-Link V2';
  if (missing !== undefined) return [{ title, columns: ['skipped'], rows: [[missing]] }];
  const share = makeShare('fw-usb-bench-');
  writeFileSync(join(share, 'ram.bin'), pseudoRandomImage(RAM_BYTES, 64));
  const image = pseudoRandomImage(PROGRAM_BYTES, 128);
  writeFileSync(join(share, 'prog.bin'), image);
  const all = cases();
  const script = [
    STEP_FUNCTION,
    `wait_usb ${all.length}`,
    ...all.map(
      (c) => `step ${c.probe.name} 300 ${c.command(share).replaceAll('SERIAL', c.probe.serial!)}`,
    ),
  ].join('\n');
  const sims = await startSims(
    share,
    all.map((c) => c.probe),
  );
  let accel: string;
  try {
    const guest = await runGuest({
      share,
      script,
      ports: sims.map((s) => s.port),
      timeoutMs: 900_000,
    });
    accel = guest.accel;
  } finally {
    await Promise.all(sims.map((s) => s.stop()));
  }

  const rows: (string | number)[][] = [];
  for (const operation of ['ram-write', 'ram-read', 'program', 'program-dap'] as const) {
    const row: (string | number)[] = [label(operation)];
    for (const tool of ['flashwright', 'st-flash', 'OpenOCD'] as const) {
      const c = all.find((x) => x.tool === tool && x.operation === operation);
      if (!c) {
        row.push(tool === 'st-flash' ? 'n/a (ST-Link only)' : 'not run (see notes)');
        continue;
      }
      const result = step(share, c.probe.name);
      // Before the check: `flashwright read` on the state saves it again, with its own time.
      const ms = virtualMs(share, c.probe.name);
      const ok = result.rc === 0 && (await checked(share, c, image));
      const wall = `${((result.wallMs ?? 0) / 1000).toFixed(1)} s wall`;
      if (!ok) row.push(`failed (${lastLine(result.out)})`);
      else row.push(`${Math.round(ms)} (${wall})`);
    }
    rows.push(row);
  }
  removeShare(share);
  return [
    {
      title,
      columns: [
        'operation',
        'flashwright (virtual ms)',
        'st-flash (virtual ms)',
        'OpenOCD 0.12 (virtual ms)',
      ],
      rows,
      notes: [
        `Virtual time of the simulator's clock over each tool's whole session (open, connect, operation, close), one fresh probe per cell; guest under ${accel}.`,
        'flashwright writes RAM through its ST-Link transport on the `usb` package (test/usb-guest/guest-ram-write.ts: `flashwright flash` refuses images outside flash); reads with `flashwright read`, programs with `flashwright flash`.',
        "st-flash 1.7 programs F4 flash through its RAM loader, which the simulated core runs. It gives each loader run 500 ms of wall time and sleeps between its polls (flash_loader.c), so its program cell's board keeps pace with the wall clock (`timing: realtime`): that cell counts st-flash's sleeps as real hardware would, and wherever the guest was slower than the modelled USB, the guest's time too (an upper bound).",
        'OpenOCD runs with its default work area: F4 flash through its RAM loader (stm32f2x.c async algorithm), run by the simulated core.',
        'CMSIS-DAP v2 row: OpenOCD 0.12 with interface/cmsis-dap.cfg (usb_bulk) and its default work area. flashwright is not run there: on a real probe its erase timeout counts host time (target-stm32 flash/wait.ts, 10 s for a sector), and a board in virtual time ends a 64 KB sector erase only after thousands of polls of 125 µs of high-speed USB each, more than a TCG guest makes in 10 s; a realtime board would pass but measure the guest. test/bench/cmsis-dap.bench.ts measures flashwright over CMSIS-DAP v2 on the host. st-flash speaks ST-Link only.',
        'A program cell is marked failed unless `flashwright read` on the probe state afterwards returns the image.',
        'Virtual time is not wholly independent of the guest: OpenOCD polls the target on a wall-clock timer (every 100 ms), so a slow guest adds polls, and their USB time, to its sessions.',
      ],
    },
  ];
}

function label(operation: Operation): string {
  switch (operation) {
    case 'ram-write':
      return '64 KB RAM write';
    case 'ram-read':
      return '64 KB RAM read';
    case 'program':
      return '128 KB program (F411RE)';
    case 'program-dap':
      return '128 KB program (F411RE, CMSIS-DAP v2)';
  }
}

function lastLine(text: string): string {
  return (text.trim().split('\n').at(-1) ?? '').slice(0, 80).replaceAll('|', '/');
}

/** A program counts only if `flashwright read` on the host finds the image; RAM steps count by exit status. */
async function checked(share: string, c: Case, image: Uint8Array): Promise<boolean> {
  if (c.operation !== 'program' && c.operation !== 'program-dap') return true;
  const read = await hostRead(share, c.probe, FLASH, PROGRAM_BYTES);
  return Buffer.from(read).equals(Buffer.from(image));
}
