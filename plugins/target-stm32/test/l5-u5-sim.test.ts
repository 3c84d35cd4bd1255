// STM32L5, U5, U3 and WBA on virtual hardware with TrustZone disabled: the host algorithm
// drives the simulator's non-secure flash registers (NSKEYR, NSSR, NSCR/NSCR1), in each bank.
import test from 'ava';
import { bytesEqual, type AddressRange } from '@flashwright/core/image';
import { imageAt, noProgress, pattern, simRig } from './helpers/sim-rig.js';

/** DEV_ID, part, banks with the factory option bytes (DBANK/DUALBANK set). */
const parts: [number, string, number][] = [
  [0x472, 'STM32L552ZE', 2],
  [0x455, 'STM32U545RE', 2],
  [0x482, 'STM32U585AI', 2],
  [0x481, 'STM32U5A5ZJ', 2],
  [0x476, 'STM32U5G9ZJ', 2],
  // RM0487: two banks of 4 KiB pages, double-word programming.
  [0x454, 'STM32U385RG', 2],
  [0x42a, 'STM32U3C5ZI', 2],
  // RM0493: one bank of 8 KiB pages; RM0515: two; both quad-word programming.
  [0x492, 'STM32WBA55CG', 1],
  [0x4b0, 'STM32WBA65RI', 2],
  // WBA2x: one bank of 4 KiB pages, double-word programming (HAL-WBA FLASH_DOUBLEWORD_SUPPORT).
  [0x4b2, '0x4b2', 1],
];

for (const [devId, part, banks] of parts) {
  test(`0x${devId.toString(16)} ${part}: a 4 KiB image in each bank is erased, written, verified and read back`, async (t) => {
    const rig = await simRig({ device: part });
    try {
      const device = await rig.identify();
      t.is(String(device.facts.devId).toLowerCase(), `0x${devId.toString(16)}`);
      t.is(device.flash.length, banks, 'banks with the factory option bytes');
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
