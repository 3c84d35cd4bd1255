import test from 'ava';
import { parseRangeSpec, parseSectorList } from '../src/exports/runner.js';
import { exitCodeOf } from '../src/index.js';
import { FakeChip } from './helpers/fake-target.js';
import { counting, fakePreamble, runRecipe } from './helpers/pipeline-harness.js';

/**
 * Recipe steps that erase named sectors or ranges, and reads that run to the end of the
 * flash: the fake chip has 16 sectors of 1 KiB at 0x08000000.
 */

const BASE = 0x08000000;
const image: [number, Uint8Array][] = [[BASE, counting(4)]];

function steps(...entries: string[]): string {
  return `${fakePreamble}steps:\n${entries.map((e) => `  - ${e}\n`).join('')}`;
}

function erasedRanges(chip: FakeChip): unknown[] {
  return chip.calls.flatMap((c) => (c.op === 'erase' ? [c.target] : []));
}

test('sector lists and range specs parse, and bad ones say what is wrong', (t) => {
  t.deepEqual(parseSectorList('0-3,7'), { value: [0, 1, 2, 3, 7] });
  t.deepEqual(parseSectorList(' 7 , 2-3, 3 '), { value: [2, 3, 7] });
  t.deepEqual(parseSectorList(5), { value: [5] });
  t.regex((parseSectorList('3-1') as { problem: string }).problem, /ends before it starts/);
  t.regex((parseSectorList('a') as { problem: string }).problem, /not a sector number/);
  t.deepEqual(parseRangeSpec('0x08004000:16K'), { value: { start: 0x08004000, end: 0x08008000 } });
  t.deepEqual(parseRangeSpec('0x08004000..0x08007FFF'), {
    value: { start: 0x08004000, end: 0x08008000 },
  });
  for (const [spec, problem] of [
    ['0x08004000', /no ":" or "\.\."/],
    ['0x08004000:', /"" is not a length/],
    ['0x08004000:0', /is empty/],
    ['0x08004000..0x08003FFF', /ends before it starts/],
    ['0xFFFFFF00:1K', /runs past 0xFFFFFFFF/],
    ['flash:1K', /"flash" is not an address/],
  ] as const) {
    const parsed = parseRangeSpec(spec);
    t.true('problem' in parsed, spec);
    if ('problem' in parsed) t.regex(parsed.problem, problem, spec);
  }
});

test('erase: { sectors } and { ranges } erase exactly those sectors, unconfirmed', async (t) => {
  const chip = new FakeChip();
  const run = await runRecipe(
    chip,
    steps('connect', 'erase: { sectors: "1,3-4" }', 'erase: { ranges: ["0x08003C00:1K"] }'),
    image,
  );
  t.is(run.error, undefined);
  t.deepEqual(erasedRanges(chip), [
    [
      { start: 0x08000400, end: 0x08000800 },
      { start: 0x08000c00, end: 0x08001000 },
      { start: 0x08001000, end: 0x08001400 },
    ],
    [{ start: 0x08003c00, end: 0x08004000 }],
  ]);
  const summaries = run.events.flatMap((e) => (e.type === 'step-end' ? [e.summary] : []));
  t.true(
    summaries.includes(
      'erased sectors 1,3-4 (3 KB): 0x08000400..0x080007FF, 0x08000C00..0x080013FF',
    ),
  );
});

test('an unaligned range is a recipe error naming the sectors around it; widen: true erases them and says so', async (t) => {
  const chip = new FakeChip();
  const refused = await runRecipe(
    chip,
    steps('connect', 'erase: { ranges: "0x08000500..0x080008FF" }'),
    image,
  );
  t.is(refused.error?.code, 'RECIPE_INVALID');
  t.is(exitCodeOf(refused.error!), 2);
  t.regex(
    refused.error?.message ?? '',
    /^steps\[1\]\.erase\.ranges: 0x08000500\.\.0x080008FF does not start and end on sector boundaries/,
  );
  t.regex(
    refused.error?.hint ?? '',
    /It lies in sectors 1-2, 0x08000400\.\.0x08000BFF\. Name whole sectors \(ranges: "0x08000400\.\.0x08000BFF" or sectors: "1-2"\), or add widen: true/,
  );
  t.deepEqual(erasedRanges(chip), [], 'nothing was erased');

  const widened = await runRecipe(
    chip,
    steps('connect', 'erase: { ranges: "0x08000500..0x080008FF", widen: true }'),
    image,
  );
  t.is(widened.error, undefined);
  t.deepEqual(erasedRanges(chip), [
    [
      { start: 0x08000400, end: 0x08000800 },
      { start: 0x08000800, end: 0x08000c00 },
    ],
  ]);
  t.true(
    widened.events.some(
      (e) =>
        e.type === 'warning' &&
        e.message === '0x08000500..0x080008FF widened to whole sectors 1-2, 0x08000400..0x08000BFF',
    ),
  );
});

test('sector numbers past the last, ranges outside the flash and sectors with a mode are recipe errors', async (t) => {
  const past = await runRecipe(new FakeChip(), steps('connect', 'erase: { sectors: 16 }'), image);
  t.is(past.error?.code, 'RECIPE_INVALID');
  t.regex(
    past.error?.message ?? '',
    /steps\[1\]\.erase\.sectors: FAKE-16K has no sector 16: its flash has sectors 0-15/,
  );
  const outside = await runRecipe(
    new FakeChip(),
    steps('connect', 'erase: { ranges: "0x20000000:1K" }'),
    image,
  );
  t.regex(
    outside.error?.message ?? '',
    /0x20000000\.\.0x200003FF is outside the flash of FAKE-16K/,
  );
  // Checked when the recipe is read, with its file and line.
  const both = await t.throwsAsync(
    runRecipe(new FakeChip(), steps('connect', 'erase: { mode: auto, sectors: 1 }'), image),
  );
  t.regex(
    both?.message ?? '',
    /flashwright\.config\.yaml:\d+: steps\[1\]\.erase\.mode: sectors and ranges erase just those: leave out mode/,
  );
});

test('read without a length reads to the end of the flash, with only a file the whole flash', async (t) => {
  const chip = new FakeChip();
  const run = await runRecipe(
    chip,
    steps(
      'connect',
      '{ read: { address: 0x08003800, file: tail.raw } }',
      '{ read: { file: all.raw } }',
    ),
    image,
  );
  t.is(run.error, undefined);
  t.deepEqual(
    chip.calls.flatMap((c) => (c.op === 'read' ? [[c.address, c.length]] : [])),
    [
      [0x08003800, 0x800],
      [BASE, 0x4000],
    ],
  );
  const outside = await runRecipe(
    chip,
    steps('connect', '{ read: { address: 0x20000000, file: ram.raw } }'),
    image,
  );
  t.is(outside.error?.code, 'RECIPE_INVALID');
  t.regex(
    outside.error?.message ?? '',
    /steps\[1\]\.read\.address: 0x20000000 is not in the flash of FAKE-16K .*a read without a length has no end/,
  );
});
