/**
 * flashwright's on-chip CRC-32 routine (loaders/crc32): run by the simulator's Thumb
 * interpreter on virtual parts behind a virtual ST-Link (the real transport), it gives zlib's CRC-32 of a
 * good image, a different one when a single byte differs, and over a probe with memory
 * access only the device answers undefined with a note (the caller reads back instead).
 */
import { crc32 } from 'node:zlib';
import test from 'ava';
import { ramCodeRuns } from '@flashwright/core/diagnose';
import type { Probe } from '@flashwright/core/plugin';
import type { Stm32Device } from '../src/device/stm32-device.js';
import { stm32Family } from '../src/family.js';
import { imageAt, noProgress, pattern, simRig } from './helpers/sim-rig.js';

const FLASH = 0x08000000;

for (const part of ['STM32L151CBxxA', 'STM32H743ZI']) {
  test(`${part}: the on-chip CRC-32 equals zlib's, and a single flipped byte changes it`, async (t) => {
    const rig = await simRig({ device: part });
    const device = await rig.identify();
    const good = pattern(16 * 1024, 11);
    const flipped = good.slice();
    flipped[5001] = flipped[5001]! ^ 0x10;
    const sectors = device.flash[0]!.sectors.filter((s) => s.start < FLASH + 2 * good.length);
    await device.erase(sectors, noProgress);
    await device.program(imageAt(FLASH, good), noProgress);
    await device.program(imageAt(FLASH + good.length, flipped), noProgress);
    // Unaligned start and odd length: head, word and tail loops all run.
    const odd = { start: FLASH + 3, end: FLASH + good.length - 2 };
    t.is(await device.checksum(odd), crc32(good.subarray(3, good.length - 2)) >>> 0);
    const second = { start: FLASH + good.length, end: FLASH + 2 * good.length };
    const onChip = await device.checksum(second);
    t.is(onChip, crc32(flipped) >>> 0);
    t.not(onChip, crc32(good) >>> 0);
    t.deepEqual(
      rig.log.lines.filter((l) => l.startsWith('warn') || l.startsWith('info: CRC')),
      [],
    );
    await rig.close();
  });
}

test('over a probe with memory access only the device answers undefined, with a note', async (t) => {
  const rig = await simRig({ device: 'STM32L151CBxxA' });
  const memoryOnly: Probe = { ...rig.probe, access: { level: 'memory' } };
  const device = (await stm32Family.identify({
    probe: memoryOnly,
    memory: memoryOnly.memory,
    log: rig.log,
  })) as Stm32Device;
  t.is(await device.checksum({ start: FLASH, end: FLASH + 1024 }), undefined);
  t.true(
    rig.log.lines.some((l) =>
      /^info: CRC-32 on the chip not used: the probe .* gives memory access only/.test(l),
    ),
  );
  await rig.close();
});

test('doctor: the RAM dry run passes over the virtual ST-Link', async (t) => {
  const rig = await simRig({ device: 'STM32L151CBxxA' });
  const device = await rig.identify();
  const diagnosis = await ramCodeRuns(device);
  await rig.close();
  t.is(diagnosis.verdict, 'ok');
  t.regex(diagnosis.message, /CRC-32 routine ran from SRAM and matched a readback of 256 B/);
});

test('doctor: over a memory-only probe (as a GDB server gives) the dry run warns why', async (t) => {
  const rig = await simRig({ device: 'STM32L151CBxxA' });
  const memoryOnly: Probe = { ...rig.probe, access: { level: 'memory' } };
  const device = (await stm32Family.identify({
    probe: memoryOnly,
    memory: memoryOnly.memory,
    log: rig.log,
  })) as Stm32Device;
  const diagnosis = await ramCodeRuns(device);
  await rig.close();
  t.is(diagnosis.verdict, 'warn');
  t.is(diagnosis.code, 'FLASH_LOADER_FAILED');
  t.regex(
    diagnosis.message,
    /^Code cannot run on .* here: the probe .* gives memory access only and cannot run code; flashing falls back to programming from the host/,
  );
});
