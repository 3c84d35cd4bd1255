// STM32L5 and U5 on virtual hardware with TrustZone disabled: the host algorithm drives the
// simulator's non-secure flash registers (NSKEYR, NSSR, NSCR), in both banks.
import test from 'ava';
import { bytesEqual, type AddressRange } from '@flashwright/core/image';
import { imageAt, noProgress, pattern, simRig } from './helpers/sim-rig.js';

const parts: [number, string][] = [
  [0x472, 'STM32L552ZE'],
  [0x455, 'STM32U545RE'],
  [0x482, 'STM32U585AI'],
  [0x481, 'STM32U5A5ZJ'],
  [0x476, 'STM32U5G9ZJ'],
];

for (const [devId, part] of parts) {
  test(`0x${devId.toString(16)} ${part}: a 4 KiB image in each bank is erased, written, verified and read back`, async (t) => {
    const rig = await simRig({ device: part });
    try {
      const device = await rig.identify();
      t.is(device.facts.devId, `0x${devId.toString(16)}`);
      t.true(device.flash.length >= 2, 'factory option bytes select two banks');
      for (const [i, bank] of device.flash.entries()) {
        const data = pattern(4096, devId + i);
        const range: AddressRange = { start: bank.start, end: bank.start + data.length };
        const sectors = bank.sectors.filter((s) => s.start < range.end && s.end > range.start);
        await device.erase(sectors, noProgress);
        await device.program(imageAt(range.start, data), noProgress);
        const back = await device.read(range.start, data.length, noProgress);
        t.true(bytesEqual(back, data), `bank ${i + 1} reads back the image`);
      }
    } finally {
      await rig.close();
    }
  });
}
