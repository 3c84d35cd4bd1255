import test from 'ava';
import {
  chunkRanges,
  dataSpans,
  groupRuns,
  minSkipBytes,
  planSectors,
  programRuns,
  unchangedSectors,
  type ProgramRun,
} from '../src/flash/planner.js';
import { FlashImage } from '../src/exports/image.js';
import type { FlashRegion } from '../src/plugin/types.js';

const BASE = 0x08000000;

function region(
  start: number,
  sectorBytes: readonly number[],
  options: Partial<
    Pick<
      FlashRegion,
      'erasedValue' | 'writeUnitBytes' | 'programUsPerUnit' | 'programPageBytes' | 'name'
    >
  > = {},
): FlashRegion {
  const sectors = [];
  let at = start;
  for (const size of sectorBytes) {
    sectors.push({ start: at, end: at + size });
    at += size;
  }
  return {
    name: options.name ?? 'flash',
    start,
    end: at,
    sectors,
    erasedValue: options.erasedValue ?? 0xff,
    writeUnitBytes: options.writeUnitBytes ?? 4,
    programUsPerUnit: options.programUsPerUnit,
    programPageBytes: options.programPageBytes,
  };
}

const pages = (count: number, bytes: number): number[] => Array<number>(count).fill(bytes);
const image = (...blocks: [number, number[] | Uint8Array][]): FlashImage =>
  FlashImage.from(blocks.map(([a, d]) => [a, Uint8Array.from(d)] as const));
const filled = (length: number, value: number): Uint8Array => new Uint8Array(length).fill(value);
const counting = (length: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (i % 250) + 1);
const runsOf = (runs: readonly ProgramRun[]): [number, number][] =>
  runs.map((r) => [r.address, r.data.length]);
const skipAll = { skipErased: () => true };

test('an image inside one page touches that page only, and keeps the rest of it', (t) => {
  const flash = [region(BASE, pages(8, 1024))];
  const plan = planSectors(image([BASE + 1100, [1, 2, 3, 4]]), flash);
  t.deepEqual(
    plan.sectors.map((s) => s.range),
    [{ start: BASE + 1024, end: BASE + 2048 }],
  );
  t.deepEqual(plan.sectors[0]?.keep, [
    { start: BASE + 1024, end: BASE + 1100 },
    { start: BASE + 1104, end: BASE + 2048 },
  ]);
  t.is(plan.eraseBytes, 1024);
  t.is(plan.keepBytes, 1020);
  t.deepEqual(plan.outside, []);
});

test('across a sector boundary: every touched sector, the partial first and last kept', (t) => {
  const flash = [region(BASE, [16384, 16384, 16384, 16384, 65536])];
  const plan = planSectors(image([BASE + 16000, counting(40000)]), flash);
  t.deepEqual(
    plan.sectors.map((s) => [s.range.start - BASE, s.range.end - BASE]),
    [
      [0, 16384],
      [16384, 32768],
      [32768, 49152],
      [49152, 65536],
    ],
  );
  t.deepEqual(plan.sectors[0]?.keep, [{ start: BASE, end: BASE + 16000 }]);
  t.deepEqual(plan.sectors[1]?.keep, []);
  t.deepEqual(plan.sectors[3]?.keep, [{ start: BASE + 56000, end: BASE + 65536 }]);
  t.is(plan.keepBytes, 16000 + 65536 - 56000);
  t.is(plan.eraseBytes, 65536);
});

test('gaps: one larger than a sector skips it, one smaller stays inside the sector', (t) => {
  const flash = [region(BASE, pages(8, 1024))];
  const plan = planSectors(
    image([BASE, counting(100)], [BASE + 2500, counting(10)], [BASE + 2600, counting(10)]),
    flash,
  );
  t.deepEqual(
    plan.sectors.map((s) => s.range.start - BASE),
    [0, 2048],
    'the sector in the big gap is not erased',
  );
  t.deepEqual(plan.sectors[1]?.keep, [
    { start: BASE + 2048, end: BASE + 2500 },
    { start: BASE + 2510, end: BASE + 2600 },
    { start: BASE + 2610, end: BASE + 3072 },
  ]);
});

test('data outside every region is reported, not planned', (t) => {
  const flash = [region(BASE, pages(2, 1024))];
  const plan = planSectors(image([BASE + 2000, counting(100)]), flash);
  t.deepEqual(plan.outside, [{ start: BASE + 2048, end: BASE + 2100 }]);
  t.is(plan.sectors.length, 1);
});

test('two banks: sectors of both, and no program run crosses the bank boundary', (t) => {
  const bank1 = region(BASE, pages(4, 2048), { name: 'bank 1', writeUnitBytes: 8 });
  const bank2 = region(BASE + 8192, pages(4, 2048), { name: 'bank 2', writeUnitBytes: 8 });
  const img = image([BASE + 6000, counting(4000)]);
  const plan = planSectors(img, [bank1, bank2]);
  t.deepEqual(
    plan.sectors.map((s) => [s.region.name, s.range.start - BASE]),
    [
      ['bank 1', 4096],
      ['bank 1', 6144],
      ['bank 2', 8192],
    ],
  );
  const runs = programRuns(img, [bank1, bank2], skipAll);
  t.deepEqual(runsOf(runs), [
    [BASE + 6000, 8192 - 6000],
    [BASE + 8192, 10000 - 8192],
  ]);
});

test('erased-value units are left out; short erased gaps are written through', (t) => {
  const data = filled(4096, 0xff);
  data.set(counting(16), 0);
  data.set(counting(16), 64); // 48-byte gap
  data.set(counting(16), 2048); // ~2 KB gap
  const flash = [region(BASE, [4096], { writeUnitBytes: 8, programUsPerUnit: 80 })];
  // No transfer cost: every erased unit is skipped.
  t.deepEqual(runsOf(programRuns(image([BASE, data]), flash, skipAll)), [
    [BASE, 16],
    [BASE + 64, 16],
    [BASE + 2048, 16],
  ]);
  // 2 ms per transfer at 80 us per 8-byte unit: gaps under 200 bytes are written through.
  t.is(minSkipBytes(flash[0]!, { startUs: 2000 }), 200);
  const runs = programRuns(image([BASE, data]), flash, {
    skipErased: () => true,
    transfer: { startUs: 2000 },
  });
  t.deepEqual(runsOf(runs), [
    [BASE, 80],
    [BASE + 2048, 16],
  ]);
  t.deepEqual(runs[0]?.data.subarray(16, 64), filled(48, 0xff));
});

test('where units are not skipped (plain memory writes), every image byte is written, no gap filled', (t) => {
  const flash = [region(0x20000000, [4096], { writeUnitBytes: 1 })];
  const img = image([0x20000000, filled(16, 0xff)], [0x20000100, [1, 2]]);
  t.deepEqual(runsOf(programRuns(img, flash, { skipErased: () => false })), [
    [0x20000000, 16],
    [0x20000100, 2],
  ]);
});

/** Write units of the STM32 flash controllers (reference manuals' programming sections). */
const stm32WriteUnits: readonly [string, number, number][] = [
  ['F0/F1/F3: half-word', 2, 0xff],
  ['F2/F4/F7 at x32 parallelism', 4, 0xff],
  ['F2/F4/F7 at x64 parallelism', 8, 0xff],
  ['L0/L1: word, erased to 0', 4, 0x00],
  ['L4/G0/G4/WB/WL: double word', 8, 0xff],
  ['L5/U5/H5: quad word', 16, 0xff],
  ['H7: 256-bit flash word', 32, 0xff],
];

for (const [name, unit, erased] of stm32WriteUnits) {
  test(`write unit of ${name}: runs start and end on whole units, padded with the erased value`, (t) => {
    const flash = [region(BASE, pages(4, 2048), { writeUnitBytes: unit, erasedValue: erased })];
    const odd = counting(37);
    const runs = programRuns(image([BASE + 2045, odd]), flash, skipAll);
    for (const run of runs) {
      t.is(run.address % unit, 0);
      t.is(run.data.length % unit, 0);
    }
    const start = Math.floor(2045 / unit) * unit;
    const end = Math.ceil((2045 + 37) / unit) * unit;
    t.deepEqual(runsOf(runs), [[BASE + start, end - start]]);
    const run = runs[0]!;
    t.deepEqual(run.data.subarray(2045 - start, 2045 - start + 37), odd);
    t.true(run.data.subarray(0, 2045 - start).every((b) => b === erased));
    t.true(run.data.subarray(2045 - start + 37).every((b) => b === erased));
    // A unit that is all erased value is not programmed.
    const blank = programRuns(image([BASE, filled(unit * 3, erased)]), flash, skipAll);
    t.deepEqual(blank, []);
  });
}

test('two blocks that meet in one write unit become one run, never two overlapping ones', (t) => {
  const flash = [region(BASE, [1024], { writeUnitBytes: 8 })];
  const runs = programRuns(image([BASE + 1, [1, 2]], [BASE + 5, [3, 4]]), flash, skipAll);
  t.deepEqual(runsOf(runs), [[BASE, 8]]);
  t.deepEqual([...runs[0]!.data], [0xff, 1, 2, 0xff, 0xff, 3, 4, 0xff]);
});

test('groupRuns cuts at sector boundaries only, up to the call size', (t) => {
  const flash = [region(BASE, pages(8, 1024))];
  const runs = programRuns(image([BASE + 512, counting(5000)]), flash, skipAll);
  const groups = groupRuns(runs, flash, 2048);
  const pieces = groups.map((g) => g.map((r) => [r.address - BASE, r.data.length]));
  t.deepEqual(pieces, [
    [
      [512, 512],
      [1024, 1024],
    ],
    [
      [2048, 1024],
      [3072, 1024],
    ],
    [
      [4096, 1024],
      [5120, 392],
    ],
  ]);
  // Every piece lies inside one sector.
  for (const group of groups)
    for (const r of group)
      t.is(
        Math.floor((r.address - BASE) / 1024),
        Math.floor((r.address - BASE + r.data.length - 1) / 1024),
      );
});

test('unchangedSectors: a sector whose current bytes equal the image is unchanged', (t) => {
  const flash = [region(BASE, pages(4, 1024))];
  const data = counting(4096);
  const img = image([BASE + 10, data.subarray(10, 3000)]);
  const plan = planSectors(img, flash);
  const current = FlashImage.from([[BASE, Uint8Array.from(data)]]);
  t.is(unchangedSectors(plan.sectors, img, current).length, 3);
  const changed = Uint8Array.from(data);
  changed[1500] = 0;
  const unchanged = unchangedSectors(plan.sectors, img, FlashImage.from([[BASE, changed]]));
  t.deepEqual(
    unchanged.map((s) => s.range.start - BASE),
    [0, 2048],
  );
  // Current contents that do not cover a sector never count as equal.
  const partial = FlashImage.from([[BASE, data.subarray(0, 1024)]]);
  t.deepEqual(
    unchangedSectors(plan.sectors, img, partial).map((s) => s.range.start - BASE),
    [0],
  );
});

test('dataSpans with no skipping returns the whole range', (t) => {
  t.deepEqual(dataSpans(filled(16, 0xff), 4, 0xff, Infinity), [{ start: 0, end: 16 }]);
  t.deepEqual(dataSpans(new Uint8Array(0), 4, 0xff, Infinity), []);
});

/** STM32L1: 4-byte words, erased to 0, programmed 32 at a time as a 128-byte half-page. */
const l1 = (): FlashRegion[] => [
  region(BASE, pages(4, 256), {
    writeUnitBytes: 4,
    erasedValue: 0x00,
    programPageBytes: 128,
    programUsPerUnit: 3280 / 32,
  }),
];

test('program pages: runs are cut only at page boundaries, whole erased pages are skipped', (t) => {
  const data = new Uint8Array(512);
  data.set(counting(8), 0); // page 0 (bytes 0-127): data, then 120 erased bytes
  data.set(counting(8), 120);
  // page 1 (128-255) all erased, page 2 (256-383) erased but for one word at 300.
  data.set(counting(4), 300);
  const runs = programRuns(image([BASE, data]), l1(), {
    skipErased: () => true,
    transfer: { startUs: 250 },
  });
  // Erased words inside a page are written through (programming the page costs the same);
  // the erased page between is skipped, so both runs start and end on half-pages.
  t.deepEqual(runsOf(runs), [
    [BASE, 128],
    [BASE + 256, 128],
  ]);
  // Without program pages the same image falls apart at word granularity.
  const words = [region(BASE, pages(4, 256), { writeUnitBytes: 4, erasedValue: 0x00 })];
  t.is(programRuns(image([BASE, data]), words, skipAll).length, 3);
});

test('program pages: data starting part-way into a page starts the run there, cut at the next page', (t) => {
  const data = new Uint8Array(300);
  data.set(counting(4), 0); // BASE + 100: inside page 0
  data.set(counting(4), 296); // BASE + 396: page 3, two erased pages after the first
  const runs = programRuns(image([BASE + 100, data]), l1(), skipAll);
  t.deepEqual(runsOf(runs), [
    [BASE + 100, 28],
    [BASE + 384, 16],
  ]);
});

test('minSkipBytes counts whole program pages at the page’s programming time', (t) => {
  const [flash] = l1();
  // A half-page takes 3.28 ms: longer than any transfer start, so one erased page is skipped.
  t.is(minSkipBytes(flash!, { startUs: 2000 }), 128);
  t.is(minSkipBytes(flash!, { startUs: 7000 }), 384);
  t.is(minSkipBytes(flash!, undefined), 128);
  // A page that is not whole units is ignored: the write unit decides.
  const odd = region(BASE, [1024], { writeUnitBytes: 8, programPageBytes: 12 });
  t.is(minSkipBytes(odd, undefined), 8);
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
