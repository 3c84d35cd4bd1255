import test from 'ava';
import { decodeFlashSizeKiB, findStm32Device, flashBanks, stm32Devices } from '../src/index.js';

const reference = [
  0x443, 0x44c, 0x44d, 0x453, 0x493, 0x440, 0x442, 0x444, 0x445, 0x448, 0x410, 0x412, 0x414, 0x418,
  0x420, 0x428, 0x430, 0x411, 0x422, 0x432, 0x438, 0x439, 0x446, 0x413, 0x419, 0x421, 0x423, 0x431,
  0x433, 0x434, 0x441, 0x458, 0x463, 0x449, 0x451, 0x452, 0x456, 0x460, 0x466, 0x467, 0x468, 0x469,
  0x479, 0x484, 0x450, 0x480, 0x483, 0x485, 0x417, 0x425, 0x447, 0x457, 0x416, 0x427, 0x429, 0x436,
  0x437, 0x415, 0x435, 0x461, 0x462, 0x464, 0x470, 0x471, 0x472, 0x459, 0x489, 0x42a, 0x454, 0x455,
  0x476, 0x481, 0x482, 0x494, 0x495, 0x496, 0x492, 0x4b0, 0x4b2, 0x497,
];

test('every device id of the reference table is present exactly once', (t) => {
  const ids = stm32Devices.map((d) => d.devId);
  t.is(new Set(ids).size, ids.length, 'duplicate devId');
  t.deepEqual([...ids].sort(), [...reference].sort());
});

test('every entry names its sources and a known IDCODE address', (t) => {
  const idcodeAddresses = new Set([0xe0042000, 0x40015800, 0xe0044000, 0x5c001000]);
  for (const d of stm32Devices) {
    t.true(d.sources.length > 0, `${d.name} has no source`);
    t.true(idcodeAddresses.has(d.idcodeAddress), `${d.name} IDCODE address`);
    t.true(d.maxFlashKiB > 0);
    t.true(d.erasedValue === 0xff || d.erasedValue === 0x00);
  }
});

test('the flash layout of every device adds up to its maximum flash size', (t) => {
  for (const d of stm32Devices) {
    const banks = flashBanks(d, d.maxFlashKiB);
    const total = banks.flatMap((b) => b.sectorBytes).reduce((a, b) => a + b, 0);
    t.is(total, d.maxFlashKiB * 1024, `${d.name} (0x${d.devId.toString(16)})`);
    t.is(banks[0]?.start, d.flashBase);
  }
});

test('STM32L1 0x429 uses only the low byte of the flash-size register', (t) => {
  const l151 = findStm32Device(0x429)!;
  t.is(decodeFlashSizeKiB(l151, 0x6b80), 128);
  t.is(decodeFlashSizeKiB(l151, 0x0080), 128);
});

test('STM32L1 0x436 flash size is a code', (t) => {
  const cat4 = findStm32Device(0x436)!;
  t.is(decodeFlashSizeKiB(cat4, 0), 384);
  t.is(decodeFlashSizeKiB(cat4, 1), 256);
});

test('early silicon reading 0 falls back where ST does, and 0xFFFF is implausible', (t) => {
  t.is(decodeFlashSizeKiB(findStm32Device(0x416)!, 0), 128);
  t.is(decodeFlashSizeKiB(findStm32Device(0x410)!, 0), undefined);
  t.is(decodeFlashSizeKiB(findStm32Device(0x410)!, 0xffff), undefined);
  t.is(decodeFlashSizeKiB(findStm32Device(0x410)!, 64), 64);
});

test('F4 sectors follow the 16/64/128 KiB pattern and repeat per bank', (t) => {
  const f42x = findStm32Device(0x419)!;
  const banks = flashBanks(f42x, 2048);
  t.is(banks.length, 2);
  t.is(banks[1]?.start, 0x08100000);
  t.deepEqual(
    banks[0]?.sectorBytes.map((b) => b / 1024),
    [16, 16, 16, 16, 64, 128, 128, 128, 128, 128, 128, 128],
  );
  const f411 = flashBanks(findStm32Device(0x431)!, 256);
  t.deepEqual(
    f411[0]?.sectorBytes.map((b) => b / 1024),
    [16, 16, 16, 16, 64, 128],
  );
});

test('L1 Cat.6 leaves 64 KiB between its banks', (t) => {
  const banks = flashBanks(findStm32Device(0x437)!, 384);
  t.is(banks[1]?.start, 0x08040000);
});
