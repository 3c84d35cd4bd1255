/**
 * flashwright's RAM loaders for F0/F1/F3, F2/F4/F7 and the L4 family (loaders/*), run by the
 * simulator's Thumb interpreter behind a virtual ST-Link V2 driven through the real
 * transport: each programs a 128 KiB image on its virtual parts and verify passes, the log
 * says the loader did it, and on the parts the benchmarks measure it takes less virtual time
 * than the host path (the probe's transfer of the next buffer overlaps the programming).
 * An injected loader fault (its code overwritten with UDF while it runs), a timeout (its code
 * overwritten with `b .`) and a RAM too small each fall back to the host path with the
 * warning, which programs the rest, and the image still lands.
 */
import test from 'ava';
import { type AddressRange, bytesEqual } from '@flashwright/core/image';
import type { MemoryPort } from '@flashwright/core/plugin';
import type { ControllerContext, FlashController } from '../src/flash/controller.js';
import { createController } from '../src/flash/create-controller.js';
import { F0_F1_F3_LOADER } from '../src/flash/f0-f1-f3-loader.js';
import { F2_F4_F7_LOADER } from '../src/flash/f2-f4-f7-loader.js';
import { L4_LOADER } from '../src/flash/l4-loader.js';
import { targetClock } from '../src/flash/flash-clock.js';
import type { LoaderPath } from '../src/flash/loader-path.js';
import type { LoaderMode } from '../src/flash/ram-loader.js';
import { imageAt, noProgress, pattern, simRig } from './helpers/sim-rig.js';

const BYTES = 128 * 1024;

/** Erases what the image covers, programs it with `loader`, and reads it back. */
async function program(part: string, loader: LoaderMode) {
  const rig = await simRig({ device: part });
  try {
    const device = await rig.identify({ loader });
    const base = device.flash[0]!.start;
    const data = pattern(BYTES, 5);
    const sectors = device.flash
      .flatMap((r) => r.sectors)
      .filter((s) => s.start < base + BYTES && s.end > base);
    await device.erase(sectors, noProgress);
    const start = rig.elapsedMs();
    await device.program(imageAt(base, data), noProgress);
    const programMs = rig.elapsedMs() - start;
    const back = await device.read(base, BYTES, noProgress);
    return { data, back, programMs, log: rig.log.lines };
  } finally {
    await rig.close();
  }
}

const families = [
  { family: 'F0/F1/F3', parts: ['STM32F103RB', 'STM32F091RC', 'STM32F303VC'] },
  { family: 'F2/F4/F7', parts: ['STM32F411RE', 'STM32F746ZG'] },
  {
    family: 'L4',
    parts: [
      'STM32L476RG',
      'STM32L4R5ZI',
      'STM32G071RB',
      'STM32G474RE',
      'STM32WB55RG',
      'STM32WLE5JC',
    ],
  },
] as const;

/** The parts the benchmarks measure: there the loader must also beat the host path. */
const benchmarked = new Set<string>(['STM32F103RB', 'STM32F411RE', 'STM32L476RG']);

for (const { family, parts } of families) {
  for (const part of parts) {
    const faster = benchmarked.has(part) ? ', in less virtual time than the host path' : '';
    test(`${part}: the ${family} loader programs 128 KiB and verify passes${faster}`, async (t) => {
      const run = await program(part, 'auto');
      t.true(bytesEqual(run.back, run.data));
      t.deepEqual(
        run.log.filter((l) => l.startsWith('warn')),
        [],
      );
      t.true(
        run.log.includes(
          `debug: RAM flash loader (${family}) programmed ${BYTES} bytes at 0x8000000`,
        ),
      );
      if (!faster) return;
      const host = await program(part, 'host');
      t.true(bytesEqual(host.back, host.data));
      t.false(host.log.some((l) => l.includes('RAM flash loader')));
      t.log(`program: loader ${run.programMs.toFixed(0)} ms, host ${host.programMs.toFixed(0)} ms`);
      t.true(run.programMs < host.programMs);
    });
  }
}

test('auto programs less than 4 KiB from the host (the loader would cost more to start); ram runs the loader', async (t) => {
  for (const loader of ['auto', 'ram'] as const) {
    const rig = await simRig({ device: 'STM32L476RG' });
    try {
      const device = await rig.identify({ loader });
      const data = pattern(2048, 3);
      await device.erase([{ start: 0x08000000, end: 0x08000800 }], noProgress);
      await device.program(imageAt(0x08000000, data), noProgress);
      t.true(bytesEqual(await device.read(0x08000000, data.length, noProgress), data));
      const used = rig.log.lines.includes(
        'debug: RAM flash loader (L4) programmed 2048 bytes at 0x8000000',
      );
      t.is(used, loader === 'ram', loader);
    } finally {
      await rig.close();
    }
  }
});

const FILL_UDF = 0xde00;
const FILL_SPIN = 0xe7fe;

/** The loader each benchmarked part runs, as the host loads it. */
const loaderOf: Record<string, Uint8Array> = {
  STM32F103RB: F0_F1_F3_LOADER,
  STM32F411RE: F2_F4_F7_LOADER,
  STM32L476RG: L4_LOADER,
};

/**
 * A memory port that, before the `atTransfer`th ring transfer (a write of 256 bytes or
 * more), overwrites `bytes` from the start of `ram` (where the loader's code is) with `fill`
 * halfwords: UDF (the loader faults wherever it is) or `b .` (it spins, making no progress).
 */
function overwriting(
  memory: MemoryPort,
  ram: AddressRange,
  bytes: number,
  fill: number,
  atTransfer = 3,
): MemoryPort {
  let transfers = 0;
  const poison = Uint8Array.from({ length: bytes }, (_, i) => (i % 2 ? fill >>> 8 : fill & 0xff));
  return {
    limits: memory.limits,
    read: (address, length, options) => memory.read(address, length, options),
    read32: (address, signal) => memory.read32(address, signal),
    write32: (address, value, signal) => memory.write32(address, value, signal),
    write: async (address, data, options) => {
      if (data.length >= 256 && address > ram.start && ++transfers === atTransfer) {
        await memory.write(ram.start, poison);
      }
      await memory.write(address, data, options);
    },
  };
}

/**
 * Programs 16 KiB through the family's controller as identify builds it, with the memory
 * port or the RAM regions changed to make the loader fail; returns the warnings, what the
 * loader programmed before it failed, and whether the image landed.
 */
async function fallback(
  part: string,
  change: (ctx: ControllerContext) => Partial<ControllerContext>,
) {
  const rig = await simRig({ device: part });
  try {
    const device = await rig.identify();
    const base = device.flash[0]!.start;
    const data = pattern(16 * 1024, 9);
    await device.erase([{ start: base, end: base + data.length }], noProgress);
    const ctx: ControllerContext = {
      memory: rig.probe.memory,
      data: device.data,
      banks: device.flash,
      clock: targetClock(rig.probe),
      log: rig.log,
      parallelismBytes: device.facts['parallelism'] === 'x32' ? 4 : 2,
      ram: device.ram,
      reattach: () => Promise.resolve(),
      resetHalt: () => Promise.resolve(),
    };
    const controller = createController({ ...ctx, ...change(ctx) }) as FlashController & {
      loaderPath: LoaderPath;
    };
    await controller.program([{ address: base, data }], { sent: noProgress, done: noProgress });
    const back = await device.read(base, data.length, noProgress);
    return {
      landed: bytesEqual(back, data),
      warnings: rig.log.lines.filter((l) => l.startsWith('warn')),
      loaderBytes: controller.loaderPath.programmedBytes,
    };
  } finally {
    await rig.close();
  }
}

const host = /; programming from the host instead \(slower\)$/;

for (const part of benchmarked) {
  const codeBytes = loaderOf[part]!.length;
  test(`${part}: a loader that faults part-way falls back; the host programs the rest`, async (t) => {
    const run = await fallback(part, (ctx) => ({
      memory: overwriting(ctx.memory, ctx.ram[0]!, codeBytes, FILL_UDF),
    }));
    t.true(run.landed);
    t.is(run.warnings.length, 1);
    t.regex(
      run.warnings[0]!,
      /RAM flash loader not used: the loader faulted at 0x2000[0-9a-f]{4} \(HardFault, DFSR 0x8\)/,
    );
    t.regex(run.warnings[0]!, host);
    t.true(run.loaderBytes > 0, 'the host went on from what the loader had programmed');
  });

  test(`${part}: a loader that stops making progress falls back after the timeout`, async (t) => {
    const run = await fallback(part, (ctx) => ({
      memory: overwriting(ctx.memory, ctx.ram[0]!, codeBytes, FILL_SPIN),
    }));
    t.true(run.landed);
    t.is(run.warnings.length, 1);
    t.regex(run.warnings[0]!, /RAM flash loader not used: it did not finish a .+ within 500 ms/);
    t.regex(run.warnings[0]!, host);
    t.true(run.loaderBytes > 0);
  });

  test(`${part}: RAM too small for the loader falls back before it runs`, async (t) => {
    const run = await fallback(part, (ctx) => ({
      ram: [{ start: ctx.ram[0]!.start, end: ctx.ram[0]!.start + 128 }],
    }));
    t.true(run.landed);
    t.is(run.warnings.length, 1);
    t.regex(
      run.warnings[0]!,
      /RAM flash loader not used: RAM too small \(it needs \d+ bytes, the device has 128\)/,
    );
    t.regex(run.warnings[0]!, host);
    t.is(run.loaderBytes, 0);
  });
}

test('a loader that overwrites its control block falls back: its read pointer left the ring', async (t) => {
  const run = await fallback('STM32F103RB', (ctx) => ({
    memory: overwriting(ctx.memory, ctx.ram[0]!, 256, FILL_UDF),
  }));
  t.true(run.landed);
  t.is(run.warnings.length, 1);
  t.regex(run.warnings[0]!, /RAM flash loader not used: its read pointer 0xde00de00 left the ring/);
});
