// Every device id of the STM32 database, simulated from its DEV_ID: the host algorithm of its
// controller kind erases, writes and reads back a 4 KiB image in each bank of the simulator's
// model, and the read-back equals the image (what the verify step compares).
import test from 'ava';
import { bytesEqual, type AddressRange } from '@flashwright/core/image';
import { stm32Devices } from '@flashwright/stm32-devices';
import { imageAt, noProgress, pattern, simRig } from './helpers/sim-rig.js';

const IMAGE_BYTES = 4096;

test('the database has every id the catalogue names, each with a controller kind', (t) => {
  // 80 ids before the CMSIS-pack catalogue, then H503, H523/H533, H5Ex/H5Fx and the
  // BlueNRG-LP parts (WB0x, WL3x) joined.
  t.true(stm32Devices.length >= 84, `${stm32Devices.length} ids`);
  t.is(new Set(stm32Devices.map((d) => d.devId)).size, stm32Devices.length);
});

for (const data of stm32Devices) {
  const id = `0x${data.devId.toString(16)}`;
  test(`${id} ${data.line}: a 4 KiB image in each bank is erased, written and read back`, async (t) => {
    const rig = await simRig({ device: id });
    try {
      const device = await rig.identify();
      t.is(String(device.facts.devId).toLowerCase(), id);
      t.true(device.flash.length >= 1);
      for (const [i, bank] of device.flash.entries()) {
        // Small L0 parts have less data EEPROM (a region of its own) than the image.
        const data = pattern(Math.min(IMAGE_BYTES, bank.end - bank.start), devIdSeed(id) + i);
        const range: AddressRange = { start: bank.start, end: bank.start + data.length };
        const sectors = bank.sectors.filter((s) => s.start < range.end && s.end > range.start);
        await device.erase(sectors, noProgress);
        await device.program(imageAt(range.start, data), noProgress);
        const back = await device.read(range.start, data.length, noProgress);
        t.true(bytesEqual(back, data), `bank ${i + 1} at 0x${bank.start.toString(16)}`);
      }
    } finally {
      await rig.close();
    }
  });
}

function devIdSeed(id: string): number {
  return Number.parseInt(id, 16);
}
