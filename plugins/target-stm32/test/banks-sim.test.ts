import test from 'ava';
import { bytesEqual } from '@flashwright/core/image';
import { imageAt, noProgress, pattern, simRig } from './helpers/sim-rig.js';

/** Erase, program and read back a stretch that spans the end of bank 1 and the start of bank 2. */
for (const [part, expectedBank2] of [
  ['STM32L476RG', 0x08080000],
  ['STM32F429ZI', 0x08100000],
  ['STM32H743ZI', 0x08100000],
  ['STM32F103ZG', 0x08080000],
] as const) {
  test(`${part}: both banks erase and program across the boundary`, async (t) => {
    const rig = await simRig({ device: part });
    try {
      const device = await rig.identify();
      t.is(device.flash.length, 2, 'two banks');
      const bank1 = device.flash[0]!;
      const bank2 = device.flash[1]!;
      t.is(bank2.start, expectedBank2);
      const last = bank1.sectors.at(-1)!;
      const first = bank2.sectors[0]!;
      await device.erase([last, first], noProgress);
      const size = 4096;
      const data = pattern(size * 2, 11);
      const at = bank2.start - size;
      if (bank1.end === bank2.start) {
        await device.program(imageAt(at, data), noProgress);
        t.true(bytesEqual(await device.read(at, data.length, noProgress), data));
      } else {
        await device.program(imageAt(bank2.start, data.subarray(size)), noProgress);
        t.true(bytesEqual(await device.read(bank2.start, size, noProgress), data.subarray(size)));
      }
      // A bank erase of bank 2 leaves bank 1 alone.
      await device.program(imageAt(last.start, pattern(64, 3)), noProgress).catch(() => undefined);
      await device.erase([{ start: bank2.start, end: bank2.end }], noProgress);
      const blank = await device.read(bank2.start, 64, noProgress);
      t.true(
        blank.every((b) => b === 0xff),
        'bank 2 erased',
      );
    } finally {
      await rig.close();
    }
  });
}

test('F767 switched to dual-bank mode uses the dual-bank sector layout', async (t) => {
  const rig = await simRig({ device: 'STM32F767BI' });
  try {
    let device = await rig.identify();
    t.is(device.flash.length, 1);
    t.is(device.flash[0]!.sectors[0]!.end - device.flash[0]!.sectors[0]!.start, 32 * 1024);
    // The role tells core's option-bytes step to say the layout changes.
    t.is(device.optionFields().find((f) => f.name === 'nDBANK')?.role?.kind, 'bank-mode');
    await device.writeOptionBytes({ nDBANK: 0 });
    device = await rig.identify();
    t.is(device.facts.dualBank, true);
    t.is(device.flash.length, 2);
    t.is(device.flash[1]!.start, 0x08100000);
    t.is(device.flash[1]!.sectors[0]!.end - 0x08100000, 16 * 1024);
    const sector = device.flash[1]!.sectors[1]!;
    await device.erase([sector], noProgress);
    await device.program(imageAt(sector.start, pattern(1024, 5)), noProgress);
    t.true(bytesEqual(await device.read(sector.start, 1024, noProgress), pattern(1024, 5)));
  } finally {
    await rig.close();
  }
});
