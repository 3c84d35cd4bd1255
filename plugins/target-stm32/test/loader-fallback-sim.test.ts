/**
 * The RAM loader on the host side (src/flash/ram-loader.ts, L0/L1): a virtual STM32L151CB
 * behind a virtual ST-Link, driven through the real ST-Link transport. `flash.loader: auto`
 * programs through the loader; when the loader cannot be loaded the host path takes over with
 * a warning and the image still lands; `ram` makes that an error. The loader's own failures
 * (a fault, no progress, too little RAM) are LoaderFailures, shown on a bare simulated board.
 */
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import type { MemoryPort } from '@flashwright/core/plugin';
import { createStm32Chip, SimBoard, type FaultSpec } from '@flashwright/sim';
import { l0L1Loader } from '../src/flash/l0-l1-loader.js';
import { LoaderFailure, programWithRamLoader } from '../src/flash/ram-loader.js';
import { imageAt, noProgress, pattern, simRig } from './helpers/sim-rig.js';

const FLASH = 0x08000000;
const PART = 'STM32L151CBxxA';
const BYTES = 128 * 1024;

async function program(options: {
  loader?: 'auto' | 'ram' | 'host';
  faults?: FaultSpec[];
  bytes?: number;
}) {
  const rig = await simRig({
    device: PART,
    faults: options.faults ?? [],
    waitRetry: { retries: 8, firstDelayMs: 0 },
  });
  const device = await rig.identify(options.loader ? { loader: options.loader } : {});
  const data = pattern(options.bytes ?? BYTES, 7);
  const sectors = device.flash[0]!.sectors.filter((s) => s.start < FLASH + data.length);
  await device.erase(sectors, noProgress);
  const start = rig.elapsedMs();
  let error: unknown;
  try {
    await device.program(imageAt(FLASH, data), noProgress);
  } catch (caught) {
    error = caught;
  }
  const programMs = rig.elapsedMs() - start;
  const back = error ? undefined : await device.read(FLASH, data.length, noProgress);
  await rig.close();
  return {
    data,
    back,
    error,
    programMs,
    warnings: rig.log.lines.filter((l) => l.startsWith('warn')),
  };
}

test('auto: the loader programs 128 KiB with no warning, in less virtual time than the host', async (t) => {
  const ram = await program({});
  t.is(ram.error, undefined);
  t.deepEqual(ram.warnings, []);
  t.deepEqual(ram.back, ram.data);
  const host = await program({ loader: 'host' });
  t.deepEqual(host.back, host.data);
  t.log(`program: loader ${ram.programMs.toFixed(0)} ms, host ${host.programMs.toFixed(0)} ms`);
  t.true(ram.programMs < host.programMs);
});

test('auto: a loader that cannot be loaded falls back to the host with a warning', async (t) => {
  const run = await program({ faults: [{ kind: 'bus-fault', address: 0x20000000, length: 4 }] });
  t.is(run.error, undefined);
  t.deepEqual(run.back, run.data);
  t.is(run.warnings.length, 1);
  t.regex(run.warnings[0]!, /RAM flash loader not used: the probe could not load and start it/);
});

test('auto: WAIT bursts while the loader runs are retried; the image lands with no fallback', async (t) => {
  for (const atAccess of [400, 2000, 9000]) {
    const run = await program({
      bytes: 16 * 1024,
      faults: [{ kind: 'swd-wait', atAccess, count: 3 }],
    });
    t.is(run.error, undefined, `burst at access ${atAccess}`);
    t.deepEqual(run.warnings, [], `burst at access ${atAccess}`);
    t.deepEqual(run.back, run.data, `burst at access ${atAccess}`);
  }
});

test('ram: a loader failure is an error (FLASH_LOADER_FAILED, exit 7)', async (t) => {
  const run = await program({
    loader: 'ram',
    bytes: 4096,
    faults: [{ kind: 'bus-fault', address: 0x20000000, length: 4 }],
  });
  t.true(run.error instanceof FlashwrightError);
  t.is((run.error as FlashwrightError).code, 'FLASH_LOADER_FAILED');
  t.is((run.error as FlashwrightError).exitCode, 7);
});

test('RAM too small for the code, the control block and three half-page buffers', async (t) => {
  const error = await t.throwsAsync(
    programWithRamLoader({
      loader: l0L1Loader(0x40023c00, 128),
      memory: undefined as never,
      clock: () => 0,
      ram: { start: 0x20000000, end: 0x20000100 },
      address: FLASH,
      data: new Uint8Array(1024),
      sent: () => undefined,
    }),
  );
  t.true(error instanceof LoaderFailure);
  t.regex(error.message, /RAM too small \(it needs 528 bytes, the device has 256\)/);
});

/** A memory port straight onto a simulated board: 1 µs of virtual time per byte, 100 per word. */
function boardPort(board: SimBoard): MemoryPort {
  return {
    read: (address, length) => {
      board.clock.advanceUs(length);
      return Promise.resolve(Uint8Array.from({ length }, (_, i) => board.bus.read(address + i, 1)));
    },
    write: (address, data) => {
      board.clock.advanceUs(data.length);
      data.forEach((byte, i) => board.bus.write(address + i, 1, byte));
      return Promise.resolve();
    },
    read32: (address) => {
      board.clock.advanceUs(100);
      return Promise.resolve(board.bus.read(address, 4));
    },
    write32: (address, value) => {
      board.clock.advanceUs(100);
      board.bus.write(address, 4, value);
      return Promise.resolve();
    },
  };
}

/** Runs the loader on a bare L151 with `controllerBase` as its FLASH controller. */
async function bareRun(controllerBase: number, setup?: (board: SimBoard) => void) {
  const board = new SimBoard({ chip: createStm32Chip({ device: PART }) });
  setup?.(board);
  const memory = boardPort(board);
  return programWithRamLoader({
    loader: l0L1Loader(controllerBase, 128),
    memory,
    clock: () => board.clock.nowMs,
    ram: { start: 0x20000000, end: 0x20004000 },
    address: FLASH,
    data: new Uint8Array(512),
    sent: () => undefined,
  });
}

test('a loader that faults (a bus error on FLASH_SR) is a LoaderFailure naming the fault', async (t) => {
  const error = await t.throwsAsync(bareRun(0x50000000));
  t.true(error instanceof LoaderFailure);
  t.regex(error.message, /the loader faulted at 0x2000[0-9a-f]{4} \(HardFault, DFSR 0x8\)/);
});

test('a loader that makes no progress (BSY stays set) is a LoaderFailure after the timeout', async (t) => {
  // The "controller" is SRAM whose FLASH_SR word reads BSY for ever.
  const fake = 0x20003000;
  const error = await t.throwsAsync(bareRun(fake, (b) => b.bus.write(fake + 0x18, 4, 1)));
  t.true(error instanceof LoaderFailure);
  t.regex(error.message, /did not finish a half-page within 500 ms/);
});
