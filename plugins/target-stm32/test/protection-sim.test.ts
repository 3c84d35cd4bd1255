import test from 'ava';
import { bytesEqual } from '@flashwright/core/image';
import { imageAt, noProgress, pattern, simRig } from './helpers/sim-rig.js';

for (const part of [
  'STM32L151CBxxA',
  'STM32F767BI',
  'STM32F103RB',
  'STM32L476RG',
  'STM32G071RB',
  'STM32H743ZI',
]) {
  test(`${part} at RDP level 1: reads are refused, unprotect regresses to level 0 and erases`, async (t) => {
    const rig = await simRig({ device: part, rdp: 1 });
    try {
      const device = await rig.identify();
      t.is((await device.protection()).readLevel, 1);
      const base = device.flash[0]!.start;
      const refused = await t.throwsAsync(device.read(base, 64, noProgress));
      t.is((refused as { code?: string }).code, 'TARGET_PROTECTED');
      const steps: string[] = [];
      await device.unprotect((p) => steps.push(`${p.operation}:${p.doneBytes}`));
      t.deepEqual(steps[0], 'unprotect:0');
      t.is((await device.protection()).readLevel, 0);
      const erased = await device.read(base, 64, noProgress);
      const blank = device.flash[0]!.erasedValue;
      t.true(
        erased.every((b) => b === blank),
        'the regression mass-erased the flash',
      );
      // Usable again: program and read back.
      await device.program(imageAt(base, pattern(256, 7)), noProgress);
      t.true(bytesEqual(await device.read(base, 256, noProgress), pattern(256, 7)));
    } finally {
      await rig.close();
    }
  });
}

test('unprotect on an open chip does nothing', async (t) => {
  const rig = await simRig({ device: 'STM32F411RE' });
  try {
    const device = await rig.identify();
    await device.erase([{ start: 0x08000000, end: 0x08004000 }], noProgress);
    await device.program(imageAt(0x08000000, pattern(64, 1)), noProgress);
    await device.unprotect(noProgress);
    t.true(bytesEqual(await device.read(0x08000000, 64, noProgress), pattern(64, 1)));
  } finally {
    await rig.close();
  }
});

test('option bytes: named fields read, written, reloaded and read back', async (t) => {
  for (const [part, field, value] of [
    ['STM32L476RG', 'BOR_LEV', 3],
    ['STM32F411RE', 'BOR_LEV', 1],
    ['STM32L151CBxxA', 'BOR_LEV', 9],
    ['STM32F103RB', 'DATA0', 0x5a],
    ['STM32H743ZI', 'BOR_LEV', 2],
    ['STM32F072RB', 'DATA1', 0x3c],
    ['STM32F303RE', 'nBOOT1', 0],
    ['STM32L053R8', 'BOR_LEV', 10],
    ['STM32G071RB', 'BORR_LEV', 2],
    ['STM32G474RE', 'BOR_LEV', 1],
    ['STM32WB55RG', 'BOR_LEV', 2],
    ['STM32WLE5JC', 'nRST_STDBY', 0],
    ['STM32F767BI', 'IWDG_STOP', 0],
    ['STM32H7A3ZI', 'BOR_LEV', 1],
  ] as const) {
    const rig = await simRig({ device: part });
    try {
      const device = await rig.identify();
      const names = device.optionFields().map((f) => f.name);
      t.true(names.includes('RDP'), part);
      t.true(names.includes(field), part);
      const before = await device.readOptionBytes();
      t.is(before.RDP, device.data.rdp.level0, `${part} RDP raw`);
      await device.writeOptionBytes({ [field]: value });
      const after = await device.readOptionBytes();
      t.is(after[field], value, `${part} ${field}`);
      t.is(after.RDP, before.RDP, `${part} RDP unchanged`);
      t.is((await device.protection()).readLevel, 0);
    } finally {
      await rig.close();
    }
  }
});

test('RDP level 2 is refused without its own confirmation, and unknown fields list the valid ones', async (t) => {
  const rig = await simRig({ device: 'STM32L476RG' });
  try {
    const device = await rig.identify();
    const refused = await t.throwsAsync(device.writeOptionBytes({ RDP: 0xcc }));
    t.is((refused as { code?: string }).code, 'CONFIRMATION_REQUIRED');
    t.regex(refused?.message ?? '', /cannot be undone/);
    t.is((await device.readOptionBytes()).RDP, 0xaa, 'nothing was written');
    const unknown = await t.throwsAsync(device.writeOptionBytes({ BOR_LEVEL: 1 }));
    t.is((unknown as { code?: string }).code, 'RECIPE_INVALID');
    t.regex((unknown as { hint?: string }).hint ?? '', /BOR_LEV/);
  } finally {
    await rig.close();
  }
});

test('F1 has no RDP level 2: its RDP field offers levels 0 and 1 only', async (t) => {
  const rig = await simRig({ device: 'STM32F103RB', rdp: 1 });
  try {
    const device = await rig.identify();
    const rdp = device.optionFields().find((f) => f.name === 'RDP');
    t.deepEqual(rdp?.values, { '0': 0xa5, '1': 0x00 });
  } finally {
    await rig.close();
  }
});

test('a chip at RDP level 2 does not answer on SWD at all', async (t) => {
  const error = await t.throwsAsync(simRig({ device: 'STM32L476RG', rdp: 2 }));
  t.is((error as { code?: string }).code, 'TARGET_NO_RESPONSE');
});

test('RDP level 2 with its confirmation is written, and the chip then stops answering', async (t) => {
  const rig = await simRig({ device: 'STM32L476RG' });
  try {
    const device = await rig.identify();
    await device.writeOptionBytes({ RDP: 0xcc }, undefined, { confirmPermanent: true });
    t.regex(rig.log.lines.join('\n'), /RDP level 2/);
    const error = await t.throwsAsync(rig.probe.connect({ speedKhz: 4000 }));
    t.is((error as { code?: string }).code, 'TARGET_NO_RESPONSE');
  } finally {
    await rig.close().catch(() => undefined);
  }
});
