/**
 * The RAM loader on the host side (src/flash/ram-loader.ts, L0/L1): a virtual STM32L151CB
 * behind a virtual ST-Link, driven through the real ST-Link transport. `flash.loader: auto`
 * programs through the loader; when the loader cannot be loaded, faults or loses its probe
 * the host path takes over with a warning and the image still lands; `ram` makes that an
 * error; a flash error the loader reports fails the write as the host path would.
 */
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { programHalfPagesWithLoader, LoaderFailure } from '../src/flash/ram-loader.js';
import { imageAt, noProgress, pattern, simRig } from './helpers/sim-rig.js';

const FLASH = 0x08000000;
const PART = 'STM32L151CBxxA';
const BYTES = 128 * 1024;
/** The loader's ring starts 80 bytes into SRAM (64 bytes of code, 16 of control block). */
const THIRD_SLOT = 0x20000000 + 80 + 2 * 128;

async function program(options: {
  loader?: 'auto' | 'ram' | 'host';
  faults?: { kind: 'bus-fault'; address: number; length?: number }[];
  bytes?: number;
}) {
  const rig = await simRig({ device: PART, faults: options.faults ?? [] });
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

test('auto: a loader that loses its probe half-way hands the rest to the host', async (t) => {
  const run = await program({
    faults: [{ kind: 'bus-fault', address: THIRD_SLOT + 64, length: 4 }],
  });
  t.is(run.error, undefined);
  t.deepEqual(run.back, run.data);
  t.is(run.warnings.length, 1);
  t.regex(run.warnings[0]!, /the probe lost it while it ran/);
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
    programHalfPagesWithLoader({
      memory: undefined as never,
      clock: () => 0,
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
      controllerBase: 0x40023c00,
      ram: { start: 0x20000000, end: 0x20000100 },
      halfPageBytes: 128,
      address: FLASH,
      data: new Uint8Array(1024),
      sent: () => undefined,
    }),
  );
  t.true(error instanceof LoaderFailure);
  t.regex(error.message, /RAM too small \(it needs 528 bytes, the device has 256\)/);
});
