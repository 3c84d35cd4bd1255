import test from 'ava';
import { simRig } from './helpers/sim-rig.js';

test('STM32L151CBxxA whose flash-size register reads 0x6B80 is a 128 KiB 0x429', async (t) => {
  const rig = await simRig({ device: 'STM32L151CBxxA', flashSizeRaw: 0x6b80 });
  try {
    const device = await rig.identify();
    t.is(device.facts.devId, '0x429');
    t.deepEqual(device.ids, { DEV_ID: '0x429', REV_ID: device.facts.revId });
    t.like(device.flashSize, {
      kib: 128,
      source: 'register',
      raw: 0x6b80,
      registerAddress: 0x1ff8004c,
    });
    t.regex(device.flashSize.note ?? '', /reads 0x6B80: only bits 0x00FF are valid/);
    // Program memory, then the data EEPROM (4 KiB on Cat.2), which write and verify handle too.
    t.is(device.flash.length, 2);
    t.like(device.flash[1], { name: 'eeprom', start: 0x08080000, end: 0x08081000, erasedValue: 0 });
    t.is(device.flash[0]?.end, 0x08020000);
    t.is(device.flash[0]?.sectors.length, 512);
    t.is(device.flash[0]?.erasedValue, 0);
    t.true(device.matches('STM32L151CBxxA'));
    t.false(device.matches('STM32L151CB'));
    t.regex(device.notes.join('\n'), /0x6B80.*128 KiB/);
    t.is(device.facts.rdpLevel, 0);
    t.is(device.facts.ramSize, '32 KiB');
    t.is(device.facts.probeFirmware, 'V2J37S7');
  } finally {
    await rig.close();
  }
});

test('identification of one part per controller family', async (t) => {
  const parts: [string, string, number][] = [
    ['STM32F103RB', '0x410', 128],
    ['STM32F411RE', '0x431', 512],
    ['STM32F767BI', '0x451', 2048],
    ['STM32L476RG', '0x415', 1024],
    ['STM32G071RB', '0x460', 128],
    ['STM32H743ZI', '0x450', 2048],
  ];
  for (const [part, devId, kib] of parts) {
    const rig = await simRig({ device: part });
    try {
      const device = await rig.identify();
      t.is(device.facts.devId, devId, part);
      t.is(device.flashSize.kib, kib, part);
      t.true(device.matches(part), part);
    } finally {
      await rig.close();
    }
  }
});

test('the recipe flash size overrides the register', async (t) => {
  const rig = await simRig({ device: 'STM32F103RB' });
  try {
    const device = await rig.identify({ flashSizeBytes: 64 * 1024 });
    t.like(device.flashSize, { kib: 64, source: 'override', registerAddress: 0x1ffff7e0 });
    t.is(device.flash[0]?.end, 0x08010000);
  } finally {
    await rig.close();
  }
});

test('RDP level 1 shows in facts, notes and protection', async (t) => {
  const rig = await simRig({ device: 'STM32F767BI', rdp: 1 });
  try {
    const device = await rig.identify();
    t.is(device.facts.rdpLevel, 1);
    const protection = await device.protection();
    t.is(protection.readLevel, 1);
    t.regex(protection.summary, /RDP level 1/);
    t.regex(device.notes.join('\n'), /unprotect/);
  } finally {
    await rig.close();
  }
});
