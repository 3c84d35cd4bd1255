/**
 * flashwright's STM32H7 RAM loader (loaders/h7): on a virtual STM32H743ZI behind a virtual
 * ST-Link (the real ST-Link transport) it programs 128 KiB and runs in both banks; a loader that faults, one
 * that stops making progress and RAM too small fall back to the host with a warning.
 */
import test from 'ava';
import { FlashImage } from '@flashwright/core/image';
import type { MemoryPort } from '@flashwright/core/plugin';
import type { Stm32Device } from '../src/device/stm32-device.js';
import { stm32Family } from '../src/family.js';
import { H7_LOADER, h7Loader } from '../src/flash/h7-loader.js';
import { LoaderFailure, LoaderControl, programWithRamLoader } from '../src/flash/ram-loader.js';
import { noProgress, pattern, simRig } from './helpers/sim-rig.js';

const FLASH = 0x08000000;
const BANK2 = 0x08100000;
const RAM = 0x20000000;

/** A memory port that lets `tamper` change or drop writes (undefined: dropped). */
function tampered(
  inner: MemoryPort,
  tamper: {
    write?: (a: number, d: Uint8Array) => Uint8Array;
    write32?: (a: number, v: number) => number | undefined;
  },
): MemoryPort {
  return {
    limits: inner.limits,
    read: (a, l, o) => inner.read(a, l, o),
    read32: (a, s) => inner.read32(a, s),
    write: (a, d, o) => inner.write(a, tamper.write?.(a, d) ?? d, o),
    write32: async (a, v, s) => {
      const value = tamper.write32 ? tamper.write32(a, v) : v;
      if (value !== undefined) await inner.write32(a, value, s);
    },
  };
}

async function program(options: {
  blocks: [number, Uint8Array][];
  loader?: 'auto' | 'host';
  tamper?: Parameters<typeof tampered>[1];
}) {
  const rig = await simRig({ device: 'STM32H743ZI', probe: 'stlink-v3' }, 24000);
  const memory = options.tamper ? tampered(rig.probe.memory, options.tamper) : rig.probe.memory;
  const device = (await stm32Family.identify(
    { probe: rig.probe, memory, log: rig.log },
    { loader: options.loader ?? 'auto' },
  )) as Stm32Device;
  const ranges = options.blocks.map(([a, d]) => ({ start: a, end: a + d.length }));
  const sectors = device.flash
    .flatMap((r) => r.sectors)
    .filter((s) => ranges.some((r) => s.start < r.end && s.end > r.start));
  await device.erase(sectors, noProgress);
  const start = rig.elapsedMs();
  await device.program(FlashImage.from(options.blocks), noProgress);
  const programMs = rig.elapsedMs() - start;
  const back = [];
  for (const [a, d] of options.blocks) back.push(await device.read(a, d.length, noProgress));
  await rig.close();
  const loaderBytes = rig.log.lines
    .map((l) => /RAM flash loader \(H7\) programmed (\d+) bytes/.exec(l)?.[1])
    .reduce((sum, n) => sum + Number(n ?? 0), 0);
  return {
    back,
    programMs,
    loaderBytes,
    warnings: rig.log.lines.filter((l) => l.startsWith('warn')),
  };
}

test('auto: the H7 loader programs 128 KiB on the H743ZI, read back equal, faster than the host', async (t) => {
  const data = pattern(128 * 1024, 3);
  const ram = await program({ blocks: [[FLASH, data]] });
  t.deepEqual(ram.warnings, []);
  t.is(ram.loaderBytes, data.length);
  t.deepEqual(ram.back, [data]);
  const host = await program({ blocks: [[FLASH, data]], loader: 'host' });
  t.is(host.loaderBytes, 0);
  t.deepEqual(host.back, [data]);
  t.log(`program: loader ${ram.programMs.toFixed(0)} ms, host ${host.programMs.toFixed(0)} ms`);
  t.true(ram.programMs < host.programMs);
});

test('both banks: one loader run per bank, each with its own FLASH_CR/SR block', async (t) => {
  const low = pattern(8 * 1024, 5);
  const high = pattern(8 * 1024, 6);
  const run = await program({
    blocks: [
      [BANK2 - low.length, low],
      [BANK2, high],
    ],
  });
  t.deepEqual(run.warnings, []);
  t.is(run.loaderBytes, low.length + high.length);
  t.deepEqual(run.back, [low, high]);
});

test('a loader that faults falls back to the host with a warning; the image lands', async (t) => {
  const data = pattern(16 * 1024, 7);
  // The code as it reaches SRAM is UDF #0 throughout: the core takes a HardFault at once.
  const udf = (a: number, d: Uint8Array) =>
    a === RAM && d.length === H7_LOADER.length ? new Uint8Array(d.length).fill(0xde) : d;
  const run = await program({ blocks: [[FLASH, data]], tamper: { write: udf } });
  t.is(run.warnings.length, 1);
  // A HardFault the core cannot take (the simulated H7's VTOR is 0, where nothing is mapped)
  // locks it up; one it can take halts it on the vector catch: both end the loader at once.
  t.regex(
    run.warnings[0]!,
    /RAM flash loader not used: the loader (faulted \(the core halted at 0x2000|locked the core up)/,
  );
  t.deepEqual(run.back, [data]);
});

test('a loader that makes no progress times out and falls back; the image lands', async (t) => {
  const data = pattern(16 * 1024, 8);
  // The host's write-pointer updates never arrive: the loader waits for data for ever.
  const control = RAM + Math.ceil(H7_LOADER.length / 16) * 16 + LoaderControl.WRITE;
  const run = await program({
    blocks: [[FLASH, data]],
    tamper: { write32: (a, v) => (a === control ? undefined : v) },
  });
  t.is(run.warnings.length, 1);
  t.regex(
    run.warnings[0]!,
    /RAM flash loader not used: it did not finish a flash word within 500 ms/,
  );
  t.deepEqual(run.back, [data]);
});

test('RAM too small for the H7 loader is a LoaderFailure before anything is loaded', async (t) => {
  const error = await t.throwsAsync(
    programWithRamLoader({
      loader: h7Loader(0x52002000, 32),
      memory: undefined as never,
      clock: () => 0,
      ram: { start: RAM, end: RAM + 128 },
      address: FLASH,
      data: new Uint8Array(1024),
      sent: () => undefined,
    }),
  );
  t.true(error instanceof LoaderFailure);
  t.regex(error.message, /RAM too small \(it needs \d+ bytes, the device has 128\)/);
});
