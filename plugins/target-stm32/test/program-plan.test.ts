import test from 'ava';
import { FlashImage } from '@flashwright/core/image';
import { chunkOffsets, nonErasedSpans, planProgramRuns } from '../src/flash/program-plan.js';

const bytes = (...values: number[]) => new Uint8Array(values);

test('blocks are widened to whole write units with the erased value', (t) => {
  const image = FlashImage.from([[0x08000003, bytes(1, 2, 3)]]);
  const plan = planProgramRuns(image, { unitBytes: 4, erasedValue: 0xff, minSkipBytes: 64 });
  t.is(plan.totalBytes, 8);
  t.deepEqual(
    plan.runs.map((r) => [r.address, [...r.data]]),
    [[0x08000000, [0xff, 0xff, 0xff, 1, 2, 3, 0xff, 0xff]]],
  );
});

test('two blocks in one write unit become one run', (t) => {
  const image = FlashImage.from([
    [0x08000000, bytes(1)],
    [0x08000006, bytes(7)],
  ]);
  const plan = planProgramRuns(image, { unitBytes: 8, erasedValue: 0x00, minSkipBytes: 64 });
  t.deepEqual(
    plan.runs.map((r) => [r.address, [...r.data]]),
    [[0x08000000, [1, 0, 0, 0, 0, 0, 7, 0]]],
  );
});

test('long erased stretches are skipped, short ones written through', (t) => {
  const data = new Uint8Array(64).fill(0xff);
  data[0] = 1;
  data[10] = 2; // gap of 8 bytes: below the threshold
  data[60] = 3; // gap of 48 bytes: skipped
  const spans = nonErasedSpans(data, 2, 0xff, 16);
  t.deepEqual(spans, [
    { start: 0, end: 12 },
    { start: 60, end: 62 },
  ]);
  t.deepEqual(nonErasedSpans(new Uint8Array(8).fill(0xff), 2, 0xff, 4), []);
});

test('runs never cross a bank boundary', (t) => {
  const image = FlashImage.from([[0x0807fffc, new Uint8Array(8).fill(0x11)]]);
  const plan = planProgramRuns(image, {
    unitBytes: 2,
    erasedValue: 0xff,
    minSkipBytes: 64,
    boundaries: [0x08000000, 0x08080000],
  });
  t.deepEqual(
    plan.runs.map((r) => [r.address, r.data.length]),
    [
      [0x0807fffc, 4],
      [0x08080000, 4],
    ],
  );
});

test('chunks stay aligned and cover everything', (t) => {
  t.deepEqual(chunkOffsets(300, 128, 32), [
    { start: 0, end: 128 },
    { start: 128, end: 256 },
    { start: 256, end: 300 },
  ]);
  t.deepEqual(chunkOffsets(100, 50, 32), [
    { start: 0, end: 32 },
    { start: 32, end: 64 },
    { start: 64, end: 96 },
    { start: 96, end: 100 },
  ]);
});
