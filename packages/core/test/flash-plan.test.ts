import test from 'ava';
import { FlashImage } from '../src/exports/image.js';
import type { FlashRegion } from '../src/exports/plugin.js';
import {
  alignToUnits,
  chunkRanges,
  dropErasedUnits,
  planFlash,
  splitForProgramming,
} from '../src/pipeline/flash-plan.js';

const B = 0x08000000;
/** Four 1 KB sectors then two 4 KB sectors (mixed sizes, as on STM32F4 banks). */
const region: FlashRegion = {
  name: 'main',
  start: B,
  end: B + 12 * 1024,
  sectors: [
    ...[0, 1, 2, 3].map((i) => ({ start: B + i * 1024, end: B + (i + 1) * 1024 })),
    { start: B + 4096, end: B + 8192 },
    { start: B + 8192, end: B + 12288 },
  ],
  erasedValue: 0xff,
  writeUnitBytes: 4,
};

const image = (blocks: [number, number][]): FlashImage =>
  FlashImage.from(blocks.map(([address, length]) => [address, new Uint8Array(length).fill(0x11)]));

test('planFlash lists every touched sector and the bytes to preserve', (t) => {
  const plan = planFlash(
    image([
      [B + 10, 20],
      [B + 5000, 10],
    ]),
    [region],
  );
  t.deepEqual(plan.sectors, [
    { start: B, end: B + 1024 },
    { start: B + 4096, end: B + 8192 },
  ]);
  t.is(plan.eraseBytes, 1024 + 4096);
  t.deepEqual(plan.preserve, [
    { start: B, end: B + 10 },
    { start: B + 30, end: B + 1024 },
    { start: B + 4096, end: B + 5000 },
    { start: B + 5010, end: B + 8192 },
  ]);
  t.deepEqual(plan.outside, []);
});

test('planFlash: a block spanning sectors touches all of them; full coverage preserves nothing', (t) => {
  const plan = planFlash(image([[B + 1024, 3072]]), [region]);
  t.is(plan.sectors.length, 3);
  t.deepEqual(plan.preserve, []);
});

test('planFlash reports data outside the flash', (t) => {
  const plan = planFlash(
    image([
      [B + 12 * 1024 - 4, 8],
      [0x20000000, 4],
    ]),
    [region],
  );
  t.deepEqual(plan.outside, [
    { start: B + 12 * 1024, end: B + 12 * 1024 + 4 },
    { start: 0x20000000, end: 0x20000004 },
  ]);
});

test('alignToUnits pads to whole units and joins blocks sharing a unit', async (t) => {
  const aligned = await alignToUnits(
    FlashImage.from([
      [B + 1, Uint8Array.of(1)],
      [B + 6, Uint8Array.of(2)],
      [B + 17, Uint8Array.of(3, 4)],
    ]),
    8,
    0xff,
  );
  t.deepEqual(
    [...aligned.blocks].map(([a, d]) => [a - B, [...d]]),
    [
      [0, [0xff, 1, 0xff, 0xff, 0xff, 0xff, 2, 0xff]],
      [16, [0xff, 3, 4, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ],
  );
});

test('dropErasedUnits removes blank units and splits blocks around them', (t) => {
  const data = new Uint8Array(16).fill(0xff);
  data[1] = 0;
  data[13] = 7;
  const kept = dropErasedUnits(FlashImage.from([[B, data]]), 4, 0xff);
  t.deepEqual(kept.ranges(), [
    { start: B, end: B + 4 },
    { start: B + 12, end: B + 16 },
  ]);
  const zeroErased = dropErasedUnits(FlashImage.from([[B, new Uint8Array(8)]]), 4, 0x00);
  t.true(zeroErased.isEmpty, 'on STM32L0/L1 the erased value is 0x00');
});

test('chunkRanges groups ranges up to a size; a large range is a chunk of its own', (t) => {
  const r = (start: number, length: number) => ({ start, end: start + length });
  t.deepEqual(chunkRanges([r(0, 10), r(10, 10), r(20, 10), r(30, 50), r(80, 5)], 25), [
    [r(0, 10), r(10, 10)],
    [r(20, 10)],
    [r(30, 50)],
    [r(80, 5)],
  ]);
});

test('splitForProgramming cuts only at sector boundaries', (t) => {
  const parts = splitForProgramming(image([[B, 6000]]), [region], 2048);
  t.deepEqual(
    parts.map((p) => p.ranges()),
    [
      [{ start: B, end: B + 2048 }],
      [{ start: B + 2048, end: B + 4096 }],
      [{ start: B + 4096, end: B + 6000 }],
    ],
  );
  t.is(
    parts.reduce((sum, p) => sum + p.size, 0),
    6000,
  );
});
