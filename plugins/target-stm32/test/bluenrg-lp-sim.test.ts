// STM32WB0x and STM32WL3x (the BlueNRG-LP flash controller) on virtual hardware: identified by
// SYSCFG JTAG_ID, the flash at 0x10040000 erased, written, verified and read back through
// FLASH_CTRL commands, and the controller's refusals reported as flash errors.
import test from 'ava';
import { bytesEqual, type AddressRange } from '@flashwright/core/image';
import { imageAt, noProgress, pattern, simRig } from './helpers/sim-rig.js';

const parts: [number, string, number][] = [
  [0x2028, 'STM32WB05KZ', 192],
  [0x201e, 'STM32WB06CC', 256],
  [0x201e, 'STM32WB07CC', 256],
  [0x2032, 'STM32WB09KE', 512],
  [0x2027, 'STM32WL33CC', 256],
];

for (const [devId, part, kib] of parts) {
  test(`0x${devId.toString(16)} ${part}: identified, and a 4 KiB image is erased, written, verified and read back`, async (t) => {
    const rig = await simRig({ device: part });
    try {
      const device = await rig.identify();
      t.is(device.facts.devId, `0x${devId.toString(16).toUpperCase()}`);
      t.is(device.facts.controller, 'bluenrg-lp');
      t.true(device.matches(`${part}V6`), 'target.device names the part');
      t.is(device.flashSize.kib, kib, 'FLASH_CTRL SIZE decodes to the part size');
      const [flash] = device.flash;
      t.is(flash?.start, 0x10040000);
      t.is(flash?.sectors[0]?.end, 0x10040800, '2 KiB pages');
      if (flash === undefined) return;
      // An odd start (0x10040404) exercises single-word WRITE before the 16-byte bursts.
      const data = pattern(4096, devId);
      const range: AddressRange = { start: flash.start + 0x404, end: flash.start + 0x404 + 4096 };
      const sectors = flash.sectors.filter((s) => s.start < range.end && s.end > range.start);
      await device.erase(sectors, noProgress);
      await device.program(imageAt(range.start, data), noProgress);
      const back = await device.read(range.start, data.length, noProgress);
      t.true(bytesEqual(back, data), 'reads back the image');
      t.is((await device.protection()).readLevel, 0);
    } finally {
      await rig.close();
    }
  });
}

test('a command the controller fails (CMDERR) is a flash error naming the flag and the range', async (t) => {
  const rig = await simRig({
    device: 'STM32WB07CC',
    faults: [{ kind: 'flash-error', address: 0x10040900 }],
  });
  try {
    const device = await rig.identify();
    const error = await t.throwsAsync(
      device.program(imageAt(0x10040800, pattern(1024, 3)), noProgress),
    );
    t.regex(error?.message ?? '', /CMDERR \(command error/);
    t.is((error as { code?: string }).code, 'FLASH_PROGRAM_FAILED');
    t.is((error as { exitCode?: number }).exitCode, 7);
  } finally {
    await rig.close();
  }
});
