/**
 * Real host software judges the simulator through a real USB stack: virtual probes served
 * by `flashwright sim --usbredir` are USB devices of a Linux guest (rig.ts), where
 * flashwright's own CLI (the `usb` package on usbfs), stlink-tools and OpenOCD 0.12 (its
 * libusb ST-Link driver, and its cmsis-dap driver on bulk endpoints and on hidraw) use them. The guest boots once; every test then checks what a
 * guest step left, and what the probe's state holds, read on the host with `flashwright read`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { repoRoot } from '../e2e/helpers/cli.js';
import { pseudoRandomImage } from '../e2e/helpers/pseudo-random.js';
import {
  CLONE_SERIAL_HEX,
  FLASH,
  demoRecipes,
  hostProgram,
  hostRead,
  startSims,
  type GuestProbe,
} from './probes.js';
import {
  makeShare,
  missingTools,
  removeShare,
  runGuest,
  step,
  STEP_FUNCTION,
  type GuestRun,
} from './rig.js';

const peersRequired = process.env['FLASHWRIGHT_REQUIRE_PEERS'] === '1';
const missing = missingTools([
  { command: 'st-info', args: ['--version'], pkg: 'stlink-tools' },
  { command: 'openocd', args: ['--version'], pkg: 'openocd' },
]);
if (missing !== undefined) {
  if (peersRequired)
    test('the USB guest rig is required (FLASHWRIGHT_REQUIRE_PEERS=1)', (t) => t.fail(missing));
  else console.warn(`USB guest tests skipped: ${missing}`);
}
const guestTest = missing === undefined ? test.serial : test.skip;

const demo: GuestProbe = { name: 'demo', probe: 'stlink-v2', device: 'STM32L151CBxxA' };
const f411v2: GuestProbe = {
  name: 'fw-f411-v2',
  probe: 'stlink-v2',
  device: 'STM32F411RE',
  serial: '37FF71064E4B363432460001',
};
const f411v3: GuestProbe = {
  name: 'fw-f411-v3',
  probe: 'stlink-v3',
  device: 'STM32F411RE',
  serial: '002F00293137510D33330002',
};
/**
 * st-info and st-flash read them, then OpenOCD programs them through its RAM loaders (its
 * default work area), which the simulated core runs. Their boards keep virtual time
 * (`timing: instant`): a realtime board would have to run the core through every
 * millisecond the guest takes (OpenOCD's loaders spin on their FIFO until the host writes),
 * more than the interpreter manages on a loaded machine.
 */
const peers: readonly (GuestProbe & { readonly targetCfg: string; readonly stInfo: RegExp })[] = [
  {
    name: 'f103',
    probe: 'stlink-v2',
    device: 'STM32F103RB',
    serial: '37FF71064E4B363432460003',
    options: { timing: 'instant' },
    targetCfg: 'target/stm32f1x.cfg',
    stInfo: /chipid:\s+0x0410/,
  },
  {
    name: 'f411',
    probe: 'stlink-v2-1',
    device: 'STM32F411RE',
    serial: '066DFF485550755187120004',
    options: { timing: 'instant' },
    targetCfg: 'target/stm32f4x.cfg',
    stInfo: /chipid:\s+0x0431/,
  },
  {
    name: 'l151',
    probe: 'stlink-v2',
    device: 'STM32L151CBxxA',
    serial: '37FF71064E4B363432460005',
    options: { timing: 'instant' },
    targetCfg: 'target/stm32l1.cfg',
    stInfo: /chipid:\s+0x0429/,
  },
];
/**
 * st-flash write, one fresh probe per family. st-flash gives each run of its RAM loader 500 ms
 * of wall time (flash_loader.c): on a board in virtual time a loaded guest polls too rarely
 * for the loader to finish in it, so these boards keep pace with the wall clock (`timing:
 * realtime`). That costs little: the loader runs to its BKPT and the core stays halted.
 */
const stflashWrite: readonly GuestProbe[] = peers.map((p, i) => ({
  ...p,
  name: `stflash-${p.name}`,
  serial: `${p.serial!.slice(0, -4)}01${i}0`,
  options: { timing: 'realtime' },
}));
/**
 * OpenOCD's cmsis-dap driver (interface/cmsis-dap.cfg) with its default work area: the
 * simulated core runs its flash loaders (contrib/loaders/flash/nrf5, stm32f1x). v2 through
 * libusb bulk transfers, v1 through hidapi on the guest's hidraw (usbhid, interrupt endpoints).
 * Virtual time as the peers above; OpenOCD's nrf5 driver gives the NVMC 340 ms of wall time
 * per page erase (nrf5.c), which a board in virtual time meets while the guest polls READY
 * at least every 0.8 ms (85 ms of tERASEPAGE at about 0.2 ms of USB and SWD per poll).
 */
const dapPeers: readonly (GuestProbe & {
  readonly backend: 'usb_bulk' | 'hid';
  readonly targetCfg: string;
  readonly base: number;
})[] = [
  {
    name: 'dap-nrf52840',
    probe: 'cmsis-dap-v2',
    device: 'nRF52840',
    serial: 'FWDAP2NRF52840006',
    options: { timing: 'instant' },
    backend: 'usb_bulk',
    targetCfg: 'target/nrf52.cfg',
    base: 0,
  },
  {
    name: 'dap-f103',
    probe: 'cmsis-dap-v2',
    device: 'STM32F103RB',
    serial: 'FWDAP2F103007',
    options: { timing: 'instant' },
    backend: 'usb_bulk',
    targetCfg: 'target/stm32f1x.cfg',
    base: FLASH,
  },
  {
    name: 'dap-hid-f103',
    probe: 'cmsis-dap-v1',
    device: 'STM32F103RB',
    serial: 'FWDAP1F103008',
    options: { timing: 'instant' },
    backend: 'hid',
    targetCfg: 'target/stm32f1x.cfg',
    base: FLASH,
  },
];
const probes = [demo, f411v2, f411v3, ...peers, ...stflashWrite, ...dapPeers];

const F411_IMAGE_BYTES = 128 * 1024;
const PEER_READ_BYTES = 4096;
/** Small images: the 128 KB programs belong to the F411 steps and the bench. */
const PEER_IMAGE_BYTES = 512;

let share = '';
let run: GuestRun | undefined;
let setupError: unknown;
let demoImage = '';

/** The published CLI (the bundle `pnpm build` makes) where built: it loads far fewer files over 9p. */
const bundle = join(repoRoot, 'packages/cli/dist/bundle/bin.js');
const cli = `node ${existsSync(bundle) ? bundle : join(repoRoot, 'packages/cli/dist/src/bin.js')}`;
const openocd = (serial: string, cfg: string, command: string): string =>
  `openocd -f interface/stlink.cfg -c 'adapter serial ${serial}' -c 'gdb_port disabled; tcl_port disabled; telnet_port disabled' -f ${cfg} -c '${command}'`;
const openocdDap = (p: (typeof dapPeers)[number], image: string): string =>
  `openocd -f interface/cmsis-dap.cfg -c 'cmsis_dap_backend ${p.backend}' -c 'adapter serial ${p.serial!}' -c 'gdb_port disabled; tcl_port disabled; telnet_port disabled' -f ${p.targetCfg} -c 'program ${image} 0x${p.base.toString(16)} verify reset exit'`;
/** The nRF52840 gets the committed blink firmware (it writes APPROTECT.DISABLE at boot). */
const NRF_FIRMWARE = join(repoRoot, 'test/fixtures/firmware/blink-nrf52840/out/blink.bin');
const dapImage = (p: (typeof dapPeers)[number]): string =>
  p.device === 'nRF52840' ? NRF_FIRMWARE : join(share, `${p.name}.bin`);

function guestScript(): string {
  const lines = [
    STEP_FUNCTION,
    `wait_usb ${probes.length}`,
    `step lsusb 20 sh -c 'for d in /sys/bus/usb/devices/*; do [ -f $d/idVendor ] && echo "$(cat $d/idVendor):$(cat $d/idProduct) $(cat $d/product) bNumInterfaces=$(cat $d/bNumInterfaces)"; done; ls -l /dev/bus/usb/*/ /dev/hidraw*'`,
    `step probes 90 ${cli} probes`,
    // The unprivileged user keeps CAP_DAC_READ_SEARCH (read and search only, never write), so
    // it can reach the checkout through a 0700 directory (mktemp -d) while opening the USB
    // device node, which needs write access, is still refused (capabilities(7)).
    `step probes-user 90 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+dac_read_search --ambient-caps=+dac_read_search ${cli} probes`,
    `step demo 150 ${cli} run -c $SHARE/demo.guest.yaml`,
    // The host path (flash.loader: host in f411-host.yaml): a RAM loader keeps the F411's
    // 16 MHz core busy, which the simulator's interpreter cannot run in real time, and a
    // realtime board must (packages/sim/src/stlink/device.ts); the loaders are tested in
    // virtual time (plugins/target-stm32/test/loader-families-sim.test.ts).
    `step f411-v2 150 ${cli} flash -c $SHARE/f411-host.yaml $SHARE/f411-128k.bin --base 0x08000000 --chip STM32F411RE --probe stlink:${f411v2.serial}`,
    `step f411-v3 150 ${cli} flash -c $SHARE/f411-host.yaml $SHARE/f411-128k.bin --base 0x08000000 --chip STM32F411RE --probe stlink:${f411v3.serial}`,
    'step st-info 60 st-info --probe',
  ];
  for (const p of peers) {
    lines.push(
      `step st-read-${p.name} 60 st-flash --serial ${p.serial} read $OUT/st-read-${p.name}.bin 0x08000000 ${PEER_READ_BYTES}`,
    );
  }
  for (const p of peers) {
    lines.push(
      `step openocd-${p.name} 240 ${openocd(p.serial!, p.targetCfg, `program ${share}/${p.name}.bin 0x08000000 verify reset exit`)}`,
    );
  }
  for (const p of stflashWrite) {
    lines.push(
      `step ${p.name} 60 st-flash --serial ${p.serial} write $SHARE/${p.name}.bin 0x08000000`,
    );
  }
  for (const p of dapPeers) lines.push(`step ${p.name} 120 ${openocdDap(p, dapImage(p))}`);
  return lines.join('\n');
}

test.before(async (t) => {
  if (missing !== undefined) return;
  t.timeout(600_000);
  try {
    share = makeShare();
    const recipes = demoRecipes(share);
    demoImage = recipes.image.replace(/\.hex$/, '.bin');
    writeFileSync(join(share, 'f411-128k.bin'), pseudoRandomImage(F411_IMAGE_BYTES, 411));
    writeFileSync(join(share, 'f411-host.yaml'), 'flash:\n  loader: host\n');
    for (const [i, p] of [...peers, ...stflashWrite, ...dapPeers].entries()) {
      writeFileSync(join(share, `${p.name}.bin`), pseudoRandomImage(PEER_IMAGE_BYTES, 1000 + i));
    }
    // What st-flash reads back: known flash content, programmed on the host beforehand.
    for (const [i, p] of peers.entries()) {
      const before = join(share, `${p.name}.before.bin`);
      writeFileSync(before, pseudoRandomImage(PEER_READ_BYTES, 2000 + i));
      await hostProgram(share, p, before);
    }
    const sims = await startSims(share, probes, recipes.sim);
    try {
      run = await runGuest({
        share,
        script: guestScript(),
        ports: sims.map((s) => s.port),
        timeoutMs: 540_000,
      });
    } finally {
      await Promise.all(sims.map((s) => s.stop()));
    }
    t.log(`guest under ${run.accel}: ${(run.wallMs / 1000).toFixed(1)} s, script exit ${run.rc}`);
  } catch (error) {
    setupError = error;
  }
});

test.after.always(() => removeShare(share));

function ran(t: { fail: (m: string) => void }): boolean {
  if (setupError !== undefined) {
    t.fail(
      `the guest did not run: ${setupError instanceof Error ? setupError.stack : JSON.stringify(setupError)}`,
    );
    return false;
  }
  if (run?.rc === undefined) {
    t.fail(`the guest script did not finish:\n${run?.console ?? ''}\n${run?.log ?? ''}`);
    return false;
  }
  return true;
}

guestTest('the guest enumerates every virtual probe with all its interfaces', (t) => {
  if (!ran(t)) return;
  const lsusb = step(share, 'lsusb').out;
  t.is((lsusb.match(/^0483:3748 STM32 STLink bNumInterfaces= 1$/gm) ?? []).length, 6, lsusb);
  t.regex(
    lsusb,
    /^0483:374b STM32 STLink bNumInterfaces= 4$/m,
    'V2-1: debug, mass storage, VCP control and data',
  );
  t.regex(lsusb, /^0483:374e STLINK-V3 bNumInterfaces= 4$/m);
  t.is((lsusb.match(/^1fc9:0143 MCU-Link CMSIS-DAP bNumInterfaces= 1$/gm) ?? []).length, 2, lsusb);
  t.regex(lsusb, /^0d28:0204 DAPLink CMSIS-DAP bNumInterfaces= 1$/m);
  t.regex(lsusb, /\/dev\/hidraw0/, 'usbhid binds the CMSIS-DAP v1 interface: hidraw');
});

guestTest('flashwright probes lists each probe with its serial and firmware', (t) => {
  if (!ran(t)) return;
  const { rc, out } = step(share, 'probes');
  t.is(rc, 0, out);
  for (const p of [f411v2, f411v3, ...peers])
    t.true(out.includes(p.serial!), `${p.serial!} in:\n${out}`);
  t.true(out.includes(CLONE_SERIAL_HEX), out);
  t.regex(out, /V2J37S7/);
  t.regex(out, /V3J7M3B5S1|V3J7/);
});

guestTest(
  'flashwright probes, run by a user who cannot open the device node, explains the udev rule',
  (t) => {
    if (!ran(t)) return;
    const { out } = step(share, 'probes-user');
    t.regex(out, /udev/i, out);
    t.regex(out, /70-flashwright-stlink\.rules|ATTRS\{idVendor\}=="0483"/, out);
  },
);

guestTest(
  'flashwright runs the demo recipe through the real usb path: unprotect, write, verify, reset',
  async (t) => {
    if (!ran(t)) return;
    const { rc, out } = step(share, 'demo');
    t.is(rc, 0, out);
    t.regex(out, /unprotect|RDP/i);
    const image = new Uint8Array(readFileSync(demoImage));
    t.deepEqual(await hostRead(share, demo, FLASH, image.length), image);
  },
);

for (const p of [f411v2, f411v3]) {
  guestTest(
    `flashwright programs 128 KB into an F411RE through a virtual ${p.probe} on usbfs`,
    async (t) => {
      if (!ran(t)) return;
      const { rc, out } = step(share, p.name.replace('fw-', ''));
      t.is(rc, 0, out);
      t.deepEqual(
        await hostRead(share, p, FLASH, F411_IMAGE_BYTES),
        new Uint8Array(readFileSync(join(share, 'f411-128k.bin'))),
      );
    },
  );
}

guestTest('st-info --probe identifies the F103, F411 and L151 behind their probes', (t) => {
  if (!ran(t)) return;
  const { rc, out } = step(share, 'st-info');
  t.is(rc, 0, out);
  for (const p of peers) {
    const block = out.split(/\n(?=\s*version:)/).find((b) => b.includes(p.serial!));
    t.truthy(block, `${p.serial!} in:\n${out}`);
    t.regex(block ?? '', p.stInfo, block);
  }
});

for (const [i, p] of peers.entries()) {
  guestTest(`st-flash read reads the ${p.device}'s flash as flashwright wrote it`, (t) => {
    if (!ran(t)) return;
    const { rc, out } = step(share, `st-read-${p.name}`);
    t.is(rc, 0, out);
    t.deepEqual(
      new Uint8Array(readFileSync(join(share, 'out', `st-read-${p.name}.bin`))),
      pseudoRandomImage(PEER_READ_BYTES, 2000 + i),
    );
  });
}

for (const p of peers) {
  guestTest(
    `OpenOCD (interface/stlink.cfg, libusb) programs, verifies and resets the ${p.device}`,
    async (t) => {
      if (!ran(t)) return;
      const { rc, out } = step(share, `openocd-${p.name}`);
      t.is(rc, 0, out);
      t.regex(out, /\*\* Verified OK \*\*/);
      t.regex(out, /\*\* Resetting Target \*\*/);
      t.notRegex(out, /^Error/m, out);
      const image = new Uint8Array(readFileSync(join(share, `${p.name}.bin`)));
      t.deepEqual(await hostRead(share, p, FLASH, image.length), image);
    },
  );
}

/**
 * st-flash 1.7 writes F1 and F4 flash through a loader it runs in target RAM
 * (flash_loader.c), which the simulated core executes; it waits for the loader's BKPT by
 * polling DHCSR.C_HALT. On the L1 it is the half-page loader (l1_stlink_flash_loader_run);
 * none of them may fail over to host word writes.
 */
for (const p of stflashWrite) {
  guestTest(`st-flash write programs the ${p.device}`, async (t) => {
    if (!ran(t)) return;
    const { rc, out } = step(share, p.name);
    t.is(rc, 0, out);
    t.regex(out, /Flash written and verified/);
    t.notRegex(out, /Flash loader run error/, out);
    const image = new Uint8Array(readFileSync(join(share, `${p.name}.bin`)));
    t.deepEqual(await hostRead(share, p, FLASH, image.length), image);
  });
}

/**
 * A blank part locks up out of reset (its vectors read 0xFFFFFFFF: ARMv7-M B1.5.15), which
 * OpenOCD's cmsis-dap path reports as an error line and clears: that one is expected.
 */
const unexpectedErrors = (out: string): string[] =>
  out.split('\n').filter((l) => /^Error/.test(l) && !/clearing lockup after double fault/.test(l));

for (const p of dapPeers) {
  guestTest(
    `OpenOCD (interface/cmsis-dap.cfg, ${p.backend}) programs, verifies and resets the ${p.device} behind a virtual ${p.probe}`,
    async (t) => {
      if (!ran(t)) return;
      const { rc, out } = step(share, p.name);
      t.is(rc, 0, out);
      if (p.backend === 'usb_bulk') t.regex(out, /Using CMSIS-DAPv2 interface/);
      else t.notRegex(out, /CMSIS-DAPv2/, 'v1 goes through hidapi');
      t.regex(out, new RegExp(`CMSIS-DAP: Serial# = ${p.serial!}`));
      t.regex(out, /\*\* Verified OK \*\*/);
      t.regex(out, /\*\* Resetting Target \*\*/);
      t.deepEqual(unexpectedErrors(out), [], out);
      const image = new Uint8Array(readFileSync(dapImage(p)));
      t.deepEqual(await hostRead(share, p, p.base, image.length), image);
    },
  );
}
