import test from 'ava';
import { bytesEqual, FlashImage, type AddressRange } from '@flashwright/core/image';
import type { FlashProgress } from '@flashwright/core/plugin';
import { imageAt, noProgress, pattern, simRig } from './helpers/sim-rig.js';

/** Sectors of the device that the range touches. */
function touched(
  flash: readonly { sectors: readonly AddressRange[] }[],
  range: AddressRange,
): AddressRange[] {
  return flash.flatMap((r) => r.sectors).filter((s) => s.start < range.end && s.end > range.start);
}

const families: [string, string, number][] = [
  ['F0/F1/F3', 'STM32F103RB', 128 * 1024],
  ['F2/F4/F7', 'STM32F411RE', 128 * 1024],
  ['F7 (2 MiB, single bank)', 'STM32F767BI', 128 * 1024],
  ['L0/L1', 'STM32L151CBxxA', 128 * 1024],
  ['L4', 'STM32L476RG', 128 * 1024],
  ['G0', 'STM32G071RB', 128 * 1024],
  ['H7', 'STM32H743ZI', 128 * 1024],
  ['F0', 'STM32F072RB', 128 * 1024],
  ['F3', 'STM32F303RE', 128 * 1024],
  ['L0', 'STM32L053R8', 64 * 1024],
  ['G4', 'STM32G474RE', 128 * 1024],
  ['WB', 'STM32WB55RG', 128 * 1024],
  ['WL', 'STM32WLE5JC', 128 * 1024],
  ['H7A/B', 'STM32H7A3ZI', 128 * 1024],
];

for (const [family, part, bytes] of families) {
  test(`${family}: ${part} erases, programs ${bytes / 1024} KiB and reads it back`, async (t) => {
    const rig = await simRig({ device: part });
    try {
      const device = await rig.identify();
      const base = device.flash[0]!.start;
      const data = pattern(bytes, bytes + part.length);
      const sectors = touched(device.flash, { start: base, end: base + bytes });
      const erased: AddressRange[] = [];
      await device.erase(sectors, (p) => p.range && erased.push(p.range));
      t.true(erased.length > 0, 'erase reports progress');
      let lastDone = 0;
      await device.program(imageAt(base, data), (p) => {
        t.true(p.doneBytes >= lastDone, 'progress never goes back');
        lastDone = p.doneBytes;
      });
      t.is(lastDone, bytes);
      const back = await device.read(base, bytes, noProgress);
      t.true(bytesEqual(back, data), 'read back equals the image');
    } finally {
      await rig.close();
    }
  });
}

test('programming over data that was not erased fails with the family error and a hint', async (t) => {
  const rig = await simRig({ device: 'STM32L476RG' });
  try {
    const device = await rig.identify();
    const base = 0x08000000;
    await device.erase([{ start: base, end: base + 2048 }], noProgress);
    await device.program(imageAt(base, pattern(64, 3)), noProgress);
    const error = await t.throwsAsync(device.program(imageAt(base, pattern(64, 4)), noProgress));
    t.is((error as { code?: string }).code, 'FLASH_PROGRAM_FAILED');
    t.regex(error?.message ?? '', /PROGERR/);
    t.regex((error as { hint?: string }).hint ?? '', /erase/);
  } finally {
    await rig.close();
  }
});

test('a block that is not whole write units is refused: core plans the runs, the device does not pad', async (t) => {
  const rig = await simRig({ device: 'STM32F103RB' });
  try {
    const device = await rig.identify();
    await device.erase([{ start: 0x08000000, end: 0x08000400 }], noProgress);
    const error = await t.throwsAsync(
      device.program(imageAt(0x08000101, new Uint8Array([0x12, 0x34, 0x56])), noProgress),
    );
    t.is((error as { code?: string }).code, 'INTERNAL');
    t.regex(error?.message ?? '', /0x08000101.*not whole 2-byte write units/);
    const back = await device.read(0x08000100, 6, noProgress);
    t.deepEqual([...back], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 'nothing was programmed');
  } finally {
    await rig.close();
  }
});

test('L1: words outside whole half-pages are programmed one by one', async (t) => {
  const rig = await simRig({ device: 'STM32L151CBxxA' });
  try {
    const device = await rig.identify();
    await device.erase([{ start: 0x08000000, end: 0x08000400 }], noProgress);
    // 8 bytes before a half-page boundary, a whole half-page, 12 bytes after.
    const data = pattern(8 + 128 + 12, 9);
    await device.program(imageAt(0x08000078, data), noProgress);
    const back = await device.read(0x08000078, data.length, noProgress);
    t.true(bytesEqual(back, data));
    const around = await device.read(0x08000070, 8, noProgress);
    t.deepEqual([...around], [0, 0, 0, 0, 0, 0, 0, 0], 'erased value 0 before the image');
  } finally {
    await rig.close();
  }
});

test('each block is one run as given: progress moves with the port, a range once the run’s status is clean', async (t) => {
  const rig = await simRig({ device: 'STM32F411RE' });
  try {
    const device = await rig.identify();
    const base = 0x08000000;
    await device.erase([{ start: base, end: base + 0x8000 }], noProgress);
    // An erased 4 KiB stretch inside the first block is programmed through, not skipped:
    // skipping is core's decision, made before the device is called.
    const first = pattern(0x6000, 4);
    first.fill(0xff, 0x2000, 0x3000);
    const second = pattern(0x400, 5);
    const image = FlashImage.from([
      [base, first],
      [base + 0x7000, second],
    ]);
    const events: FlashProgress[] = [];
    await device.program(image, (p) => events.push(p));
    t.deepEqual(
      events.flatMap((p) => (p.range ? [p.range] : [])),
      [
        { start: base, end: base + 0x6000 },
        { start: base + 0x7000, end: base + 0x7400 },
      ],
      'one range per run, in order',
    );
    const moving = events.filter((p) => p.range === undefined).map((p) => p.doneBytes);
    t.true(moving.length >= 4, 'the 24 KiB run reports its 6 KiB transfers');
    t.true(moving.every((n, i) => i === 0 || n >= moving[i - 1]!));
    t.is(events.at(-1)?.doneBytes, 0x6400);
    t.true(events.every((p) => p.totalBytes === 0x6400));
    t.true(bytesEqual(await device.read(base, 0x6000, noProgress), first));
  } finally {
    await rig.close();
  }
});

test('mass erase empties the whole flash', async (t) => {
  for (const part of ['STM32F103RB', 'STM32F411RE', 'STM32L476RG']) {
    const rig = await simRig({ device: part });
    try {
      const device = await rig.identify();
      const base = device.flash[0]!.start;
      await device.erase([device.flash[0]!.sectors[0]!], noProgress);
      await device.program(imageAt(base, pattern(256, 5)), noProgress);
      await device.erase('mass', noProgress);
      const back = await device.read(base, 256, noProgress);
      t.true(
        back.every((b) => b === 0xff),
        part,
      );
    } finally {
      await rig.close();
    }
  }
});

test('an aborted program stops between chunks with the controller relocked', async (t) => {
  const rig = await simRig({ device: 'STM32F411RE' });
  try {
    const device = await rig.identify();
    await device.erase([{ start: 0x08000000, end: 0x08008000 }], noProgress);
    const controller = new AbortController();
    const error: unknown = await device
      .program(
        imageAt(0x08000000, pattern(0x8000, 2)),
        (p) => {
          if (p.doneBytes > 0) controller.abort();
        },
        controller.signal,
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    t.is((error as { name?: string } | undefined)?.name, 'AbortError');
    // FLASH_CR.LOCK (bit 31) is set again.
    const cr = await rig.probe.memory.read32(0x40023c10);
    t.is(cr >>> 31, 1);
  } finally {
    await rig.close();
  }
});

test('F1 on ST-Link firmware without 16-bit access programs through the RAM loader, which writes the half-words itself', async (t) => {
  const rig = await simRig({ device: 'STM32F103RB', firmware: 'V2J24S4' });
  try {
    const device = await rig.identify();
    await device.erase([{ start: 0x08000000, end: 0x08001000 }], noProgress);
    await device.program(imageAt(0x08000000, pattern(4096, 1)), noProgress);
    t.true(bytesEqual(await device.read(0x08000000, 4096, noProgress), pattern(4096, 1)));
    t.true(
      rig.log.lines.some((l) => l.includes('RAM flash loader (F0/F1/F3) programmed 4096 bytes')),
    );
  } finally {
    await rig.close();
  }
});

test('F4 programs with the parallelism the target voltage allows', async (t) => {
  for (const [voltage, parallelism] of [
    [3.3, 'x32'],
    [2.4, 'x16'],
    [1.9, 'x8'],
  ] as const) {
    const rig = await simRig({ device: 'STM32F411RE', voltage });
    try {
      const device = await rig.identify();
      t.is(device.facts.parallelism, parallelism, `${voltage} V`);
      await device.erase([{ start: 0x08000000, end: 0x08004000 }], noProgress);
      await device.program(imageAt(0x08000000, pattern(1024, 8)), noProgress);
      t.true(bytesEqual(await device.read(0x08000000, 1024, noProgress), pattern(1024, 8)));
    } finally {
      await rig.close();
    }
  }
});

test('F1 half-word programming from the host on ST-Link firmware without 16-bit access says which firmware is needed', async (t) => {
  const rig = await simRig({ device: 'STM32F103RB', firmware: 'V2J24S4' });
  try {
    const device = await rig.identify({ loader: 'host' });
    t.is(device.flashSize.kib, 128, 'identification needs no 16-bit access');
    await device.erase([{ start: 0x08000000, end: 0x08000400 }], noProgress);
    const error = await t.throwsAsync(
      device.program(imageAt(0x08000000, pattern(64, 1)), noProgress),
    );
    t.is((error as { code?: string }).code, 'PROBE_FIRMWARE_TOO_OLD');
    t.regex(error?.message ?? '', /J26/);
    // The controller was relocked on the way out.
    t.is(((await rig.probe.memory.read32(0x40022010)) >>> 7) & 1, 1);
  } finally {
    await rig.close();
  }
});
