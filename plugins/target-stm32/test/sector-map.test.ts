import test from 'ava';
import { findStm32Device } from '@flashwright/stm32-devices';
import { flashRegions, parallelismFor } from '../src/device/regions.js';
import { sectorsCovering } from '../src/device/sector-map.js';

const f411 = flashRegions(findStm32Device(0x431)!, 512, false, 4);

test('F411 sector ranges map to sector numbers', (t) => {
  const sectors = sectorsCovering(f411, [{ start: 0x08000000, end: 0x08020000 }]);
  t.deepEqual(
    sectors.map((s) => s.index),
    [0, 1, 2, 3, 4],
  );
  t.is(sectors[4]?.range.end, 0x08020000);
});

test('a range that cuts a sector is refused, not widened', (t) => {
  const error = t.throws(() => sectorsCovering(f411, [{ start: 0x08000000, end: 0x08005000 }]));
  t.is((error as { code?: string }).code, 'INTERNAL');
});

test('a range outside the flash is refused', (t) => {
  const error = t.throws(() => sectorsCovering(f411, [{ start: 0x08080000, end: 0x080a0000 }]));
  t.is((error as { code?: string }).code, 'IMAGE_OUTSIDE_FLASH');
});

test('bank-2 sectors count from 0 within their bank', (t) => {
  const g474 = flashRegions(findStm32Device(0x469)!, 512, true, 8);
  const sectors = sectorsCovering(g474, [{ start: 0x0803f800, end: 0x08040800 }]);
  t.deepEqual(
    sectors.map((s) => [s.bank, s.index]),
    [
      [0, 127],
      [1, 0],
    ],
  );
});

test('F4 parallelism follows the target voltage', (t) => {
  const f4 = findStm32Device(0x431)!;
  t.is(parallelismFor(f4, 3.3).bytes, 4);
  t.is(parallelismFor(f4, 2.4).bytes, 2);
  t.is(parallelismFor(f4, 1.9).bytes, 1);
  const unknown = parallelismFor(f4, 0);
  t.is(unknown.bytes, 2);
  t.regex(unknown.note ?? '', /unknown/);
  t.is(parallelismFor(findStm32Device(0x410)!, 3.3).bytes, 1, 'fixed-unit families ignore it');
});

test('regions carry how the controller programs: the datasheet time per write unit, and the L0/L1 half-page', (t) => {
  const timing = (devId: number, parallelism: number) => {
    const [region] = flashRegions(findStm32Device(devId)!, 64, false, parallelism);
    return [region?.writeUnitBytes, region?.programUsPerUnit, region?.programPageBytes];
  };
  t.deepEqual(timing(0x410, 1), [2, 52.5, undefined], 'F103: half-word');
  t.deepEqual(timing(0x431, 4), [4, 16, undefined], 'F411 at x32');
  t.deepEqual(timing(0x431, 2), [2, 16, undefined], 'F411 at x16: the same time per write');
  t.deepEqual(timing(0x415, 1), [8, 81.7, undefined], 'L476: double word');
  t.deepEqual(timing(0x450, 8), [32, 100, undefined], 'H743 at x64');
  t.deepEqual(timing(0x450, 4), [32, 130, undefined], 'H743 at x32');
  // L1: a 128-byte half-page of 32 words in 3.28 ms; L0: 16 words in the same time.
  t.deepEqual(timing(0x429, 1), [4, 3280 / 32, 128], 'L151xxA');
  t.deepEqual(timing(0x417, 1), [4, 3280 / 16, 64], 'L053');
});
