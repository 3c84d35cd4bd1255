/**
 * OpenOCD's stock `program FILE verify reset` against flashwright, in virtual time on the
 * same simulated hardware. OpenOCD 0.12 (interface/stlink-dap.cfg, the stock target config,
 * its default work area) drives the virtual ST-Link through the simulator's stlink-server
 * endpoint and runs its own flash loaders and CRC verify on the simulated core; its row is
 * the session's virtual time from connect to exit. flashwright's row is connect, identify,
 * erase of the touched sectors, program, verify by the CRC-32 routine on the chip (as
 * `verify: crc`) and reset, through the real ST-Link transport on a virtual ST-Link:
 * host-driven (`flash.loader: host`) and, where target-stm32 has a RAM loader, through it
 * (`flash.loader: ram`). The image is 128 KiB.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { bytesEqual, FlashImage } from '@flashwright/core/image';
import { createVirtualSession, startStlinkServer } from '@flashwright/sim';
import { stm32Family, type Stm32Device } from '@flashwright/target-stm32';
import { plugin as virtualTransport } from '@flashwright/transport-virtual';
import {
  OPENOCD_FALLBACK,
  openocdMissing,
  programArgs,
  runOpenocd,
} from '../e2e/helpers/openocd.js';
import { pseudoRandomImage } from '../e2e/helpers/pseudo-random.js';
import type { BenchTable } from './table.js';

const IMAGE_BYTES = 128 * 1024;
const FLASH = 0x08000000;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined };

interface Case {
  readonly part: string;
  readonly targetCfg: string;
  /** target-stm32 programs this part through its RAM loader with `flash.loader: ram`. */
  readonly ramLoader: boolean;
}

const cases: readonly Case[] = [
  { part: 'STM32L151CBxxA', targetCfg: 'target/stm32l1.cfg', ramLoader: true },
  { part: 'STM32F103RB', targetCfg: 'target/stm32f1x.cfg', ramLoader: true },
  { part: 'STM32F411RE', targetCfg: 'target/stm32f4x.cfg', ramLoader: true },
  { part: 'STM32L476RG', targetCfg: 'target/stm32l4x.cfg', ramLoader: true },
  { part: 'STM32H743ZI', targetCfg: 'target/stm32h7x.cfg', ramLoader: true },
];

/** flashwright's SWD clock per probe (the STM32 benchmark's); OpenOCD uses its configs'. */
const probes = [
  { kind: 'stlink-v2', speedKhz: 4000 },
  { kind: 'stlink-v3', speedKhz: 24000 },
] as const;

type ProbeCase = (typeof probes)[number];

async function openocdMs(c: Case, p: ProbeCase, data: Uint8Array): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'fw-bench-openocd-'));
  try {
    const image = join(dir, 'image.bin');
    writeFileSync(image, data);
    const session = createVirtualSession({ probe: p.kind, device: c.part, timing: 'instant' });
    const server = await startStlinkServer({ session, port: 0 });
    const run = await runOpenocd(
      programArgs({ port: server.port, targetCfg: c.targetCfg, image, address: FLASH }),
      600_000,
    ).finally(() => server.close());
    if (run.code !== 0 || !/\*\* Verified OK \*\*/.test(run.output))
      throw new Error(`OpenOCD failed on ${c.part}:\n${run.output.slice(-2000)}`);
    if (OPENOCD_FALLBACK.test(run.output))
      throw new Error(`OpenOCD did not use its loader on ${c.part}`);
    return session.stats().virtualMs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function flashwrightMs(
  c: Case,
  p: ProbeCase,
  data: Uint8Array,
  loader: 'host' | 'ram',
): Promise<number> {
  const transport = virtualTransport().transports![0]!;
  const probe = await transport.open({
    options: { probe: p.kind, device: c.part, timing: 'instant' },
    recipeDir: '.',
    log: silent,
  });
  const virtualMs = (): number => probe.stats?.().virtualElapsedMs ?? Number.NaN;
  try {
    const t0 = virtualMs();
    await probe.connect({ speedKhz: p.speedKhz });
    const device = (await stm32Family.identify(
      { probe, memory: probe.memory, log: silent },
      { loader },
    )) as Stm32Device | undefined;
    if (!device) throw new Error(`${c.part} not identified`);
    const sectors = device.flash
      .flatMap((r) => r.sectors)
      .filter((s) => s.start < FLASH + IMAGE_BYTES && s.end > FLASH);
    await device.erase(sectors, () => undefined);
    await device.program(FlashImage.from([[FLASH, data]]), () => undefined);
    // Verify as `verify: crc` does: the CRC-32 computed on the chip, else a readback.
    const onChip = await device.checksum({ start: FLASH, end: FLASH + IMAGE_BYTES });
    if (onChip === undefined) {
      const back = await device.read(FLASH, IMAGE_BYTES, () => undefined);
      if (!bytesEqual(back, data)) throw new Error(`${c.part}: read back differs`);
    } else if (onChip !== crc32(data) >>> 0) {
      throw new Error(`${c.part}: CRC-32 on the chip differs`);
    }
    await probe.reset('software');
    return virtualMs() - t0;
  } finally {
    await probe.close();
  }
}

export async function run(): Promise<BenchTable[]> {
  const missing = openocdMissing();
  const data = pseudoRandomImage(IMAGE_BYTES, 0x5eed);
  const rows: (string | number)[][] = [];
  for (const c of cases) {
    for (const p of probes) {
      const openocd = missing === undefined ? await openocdMs(c, p, data) : Number.NaN;
      const host = await flashwrightMs(c, p, data, 'host');
      const ram = c.ramLoader ? await flashwrightMs(c, p, data, 'ram') : Number.NaN;
      const best = Math.min(host, Number.isNaN(ram) ? host : ram);
      rows.push([
        c.part,
        p.kind,
        Math.round(openocd),
        Math.round(host),
        Number.isNaN(ram) ? '-' : Math.round(ram),
        Number.isNaN(openocd) ? '-' : best / openocd,
        Number.isNaN(openocd) ? '-' : best <= openocd ? 'yes' : 'no',
      ]);
    }
  }
  return [
    {
      title: "OpenOCD's stock program (its loaders) vs flashwright, 128 KiB, virtual time",
      columns: [
        'part',
        'probe',
        'OpenOCD ms',
        'flashwright host ms',
        'flashwright RAM loader ms',
        'flashwright / OpenOCD',
        'flashwright <= OpenOCD',
      ],
      rows,
      notes: [
        missing === undefined
          ? 'OpenOCD 0.12: interface/stlink-dap.cfg, the stock target config with its default work area and adapter speeds (reset-init raises them: F4 8 MHz, L1 2 MHz), `program FILE 0x08000000 verify reset exit`; the whole session (connect, reset init, erase, program, CRC verify, reset).'
          : `OpenOCD column empty: ${missing}.`,
        'flashwright: connect, identify, erase of the touched sectors, program, verify by its CRC-32 routine on the chip (the core at its reset clock), reset; SWD 4 MHz (V2) or 24 MHz (V3).',
        "The simulated core runs at the HCLK the RCC selects (packages/sim/src/stm32/sysclk.ts): OpenOCD's reset-init clocks (F4 PLL 64 MHz, L1 HSI 16 MHz, L4 MSI 24 MHz) drive its loaders and CRC; flashwright leaves the reset clock (F1 8 MHz and H7 64 MHz in both). Flash wait states (FLASH_ACR latency) are not charged.",
        'OpenOCD on the L151: stm32lx.c erases page by page from the host (unlock, PECR, a word write, BSY polls and relock per 256-byte page, each a USB round trip), about 8 s of the V2 row, and its stm32lx.S loader programs each work-area buffer only after OpenOCD has written it (no double buffering). F1/F4/L4 loaders are fed through a FIFO while they run.',
      ],
    },
  ];
}
