/**
 * Incremental flashing's unchanged-sector check by CRC-32 on the chip (erase `compare`), and
 * the `auto` rule for it and for verify, on the fake chip: which device calls are made, what
 * is read back, what the summary says.
 */
import test from 'ava';
import { FakeChip } from './helpers/fake-target.js';
import { counting, fakePreamble, runRecipe } from './helpers/pipeline-harness.js';

const BASE = 0x08000000;

function steps(compare: string, verify = 'readback'): string {
  return `${fakePreamble}steps: [connect, { erase: { mode: auto, compare: ${compare} } }, write, { verify: ${verify} }]\n`;
}

/** A chip already holding `data` at BASE (written by a first run). */
async function programmed(chip: FakeChip, data: Uint8Array): Promise<void> {
  const first = await runRecipe(chip, steps('readback'), [[BASE, data]]);
  if (first.error !== undefined) throw first.error;
  chip.calls.length = 0;
}

function eraseEnd(run: Awaited<ReturnType<typeof runRecipe>>) {
  return run.events.filter((e) => e.type === 'step-end').find((e) => e.id === 'erase');
}

test('compare: crc finds unchanged sectors without reading them back', async (t) => {
  const chip = new FakeChip({ checksum: true });
  const data = counting(3000);
  await programmed(chip, data);
  const again = await runRecipe(chip, steps('crc'), [[BASE, data]]);
  t.is(again.error, undefined);
  // Nothing read, erased or programmed: verify counts the sectors compared as verified.
  t.deepEqual(
    chip.ops().filter((op) => op === 'read' || op === 'erase' || op === 'program'),
    [],
  );
  const erase = eraseEnd(again);
  t.like(erase?.counts, {
    erasedSectors: 0,
    unchangedSectors: 3,
    comparedBytes: 3000,
    readBytes: 0,
    crcBytes: 3000,
  });
  t.regex(
    erase?.summary ?? '',
    /already hold the image: left untouched, compared by CRC-32 on the chip$/,
  );
  // One call over the image's data (3 sectors, the last one partly covered).
  t.deepEqual(
    chip.calls.filter((c) => c.op === 'checksum'),
    [{ op: 'checksum', range: { start: BASE, end: BASE + 3000 } }],
  );
});

test('compare: crc keeps the other bytes of a changed, partly covered sector, reading only those', async (t) => {
  const chip = new FakeChip({ checksum: true });
  const old = counting(4096, 0x40);
  chip.fill(BASE, old);
  // The image covers sector 0 whole and 100 bytes in the middle of sector 1, which differ.
  const image: [number, Uint8Array][] = [
    [BASE, old.subarray(0, 1024)],
    [BASE + 1500, counting(100, 7)],
  ];
  const run = await runRecipe(chip, steps('crc'), image);
  t.is(run.error, undefined);
  t.like(eraseEnd(run)?.counts, { erasedSectors: 1, unchangedSectors: 1, readBytes: 924 });
  t.deepEqual(
    chip.calls.filter((c) => c.op === 'erase'),
    [{ op: 'erase', target: [{ start: BASE + 1024, end: BASE + 2048 }] }],
  );
  // Before the erase only the kept parts of sector 1 were read: no compare readback.
  const firstErase = chip.calls.findIndex((c) => c.op === 'erase');
  t.deepEqual(
    chip.calls.slice(0, firstErase).filter((c) => c.op === 'read'),
    [
      { op: 'read', address: BASE + 1024, length: 476 },
      { op: 'read', address: BASE + 1600, length: 448 },
    ],
  );
  const after = chip.bytes(BASE, 4096);
  t.deepEqual(after.subarray(1024, 1500), old.subarray(1024, 1500));
  t.deepEqual(after.subarray(1500, 1600), counting(100, 7));
  t.deepEqual(after.subarray(1600), old.subarray(1600));
});

test('compare: crc halves a differing run to the changed sector, inferring what it can', async (t) => {
  const chip = new FakeChip({ checksum: true });
  const data = counting(8 * 1024);
  await programmed(chip, data);
  const changed = Uint8Array.from(data);
  changed[5 * 1024 + 9] = (changed[5 * 1024 + 9] ?? 0) ^ 0xff;
  const run = await runRecipe(chip, steps('crc'), [[BASE, changed]]);
  t.is(run.error, undefined);
  t.deepEqual(
    chip.calls.filter((c) => c.op === 'erase'),
    [{ op: 'erase', target: [{ start: BASE + 5 * 1024, end: BASE + 6 * 1024 }] }],
  );
  const ranges = chip.calls.flatMap((c) =>
    c.op === 'checksum' ? [[(c.range.start - BASE) / 1024, (c.range.end - BASE) / 1024]] : [],
  );
  // 0-8 differs; 0-4 matches, so 4-8 differs without a call; 4-6 differs, 4-5 matches, so
  // 5-6 is the changed one; 6-8 is still unknown and matches.
  t.deepEqual(ranges, [
    [0, 8],
    [0, 4],
    [4, 6],
    [4, 5],
    [6, 8],
  ]);
  t.like(eraseEnd(run)?.counts, { erasedSectors: 1, unchangedSectors: 7, readBytes: 0 });
});

test('compare: crc on a chip whose CRC cannot run, or that has none, reads back', async (t) => {
  for (const checksum of ['unavailable', false] as const) {
    const chip = new FakeChip({ checksum });
    const data = counting(3000);
    await programmed(chip, data);
    const run = await runRecipe(chip, steps('crc'), [[BASE, data]]);
    t.is(run.error, undefined);
    t.like(eraseEnd(run)?.counts, { unchangedSectors: 3, readBytes: 3072, crcBytes: 0 });
    t.regex(eraseEnd(run)?.summary ?? '', /compared by reading back 3 KB$/);
    const warned = run.events.some(
      (e) => e.type === 'warning' && /has no on-chip CRC; comparing by readback/.test(e.message),
    );
    t.is(
      warned,
      checksum === false,
      'the missing routine is said; an unavailable one says why itself',
    );
  }
});

test('compare: auto takes the CRC where it is estimated cheaper, readback where not', async (t) => {
  const data = counting(3000);
  // Reading 3 KB at 100 KB/s: 30 ms.
  const probe = { transferStartUs: 1000, readBytesPerSecond: 100_000 };
  for (const [msPerByte, method] of [
    [0.001, 'crc'], // 5 + 3 ms
    [0.01, 'readback'], // 5 + 30 ms
  ] as const) {
    const chip = new FakeChip({
      checksum: true,
      checksumCost: { fixedMs: 5, msPerByte },
      ...probe,
    });
    await programmed(chip, data);
    const run = await runRecipe(chip, steps('auto', 'auto'), [[BASE, data]]);
    t.is(run.error, undefined);
    t.is(chip.ops().includes('checksum'), method === 'crc', method);
    t.like(eraseEnd(run)?.counts, method === 'crc' ? { readBytes: 0 } : { readBytes: 3072 });
    const verify = run.events.filter((e) => e.type === 'step-end').find((e) => e.id === 'verify');
    t.regex(verify?.summary ?? '', /match the image: compared in 3 sectors before writing/);
  }
  // Without a read estimate from the probe, or a cost from the chip, auto reads back.
  for (const chip of [
    new FakeChip({ checksum: true, checksumCost: { fixedMs: 0, msPerByte: 0 } }),
    new FakeChip({ checksum: true, ...probe }),
  ]) {
    await programmed(chip, data);
    t.is((await runRecipe(chip, steps('auto'), [[BASE, data]])).error, undefined);
    t.false(chip.ops().includes('checksum'));
  }
});

test('verify: auto follows the same rule; explicit modes are honoured', async (t) => {
  const probe = { transferStartUs: 1000, readBytesPerSecond: 100_000 };
  const cases = [
    ['auto', 0.001, true],
    ['auto', 0.01, false],
    ['readback', 0.001, false],
    ['crc', 0.01, true],
  ] as const;
  for (const [mode, msPerByte, usesCrc] of cases) {
    const chip = new FakeChip({
      checksum: true,
      checksumCost: { fixedMs: 5, msPerByte },
      ...probe,
    });
    const recipe = `${fakePreamble}steps: [connect, { erase: { mode: auto, compare: readback } }, write, { verify: ${mode} }]\n`;
    const run = await runRecipe(chip, recipe, [[BASE, counting(3000)]]);
    t.is(run.error, undefined);
    const verify = run.events.filter((e) => e.type === 'step-end').find((e) => e.id === 'verify');
    t.regex(
      verify?.summary ?? '',
      usesCrc ? /\(CRC-32 on the chip\)$/ : /\(readback\)$/,
      `${mode} at ${msPerByte} ms/B`,
    );
  }
});

test('erase: compare is refused outside mode auto', async (t) => {
  const recipe = `${fakePreamble}steps: [connect, { erase: { mode: mass, compare: crc } }, write, verify]\n`;
  const error = await t.throwsAsync(runRecipe(new FakeChip(), recipe, [[BASE, counting(8)]]));
  t.is((error as { code?: string }).code, 'RECIPE_INVALID');
  t.regex(error?.message ?? '', /compare applies to mode auto only/);
});

test('compare: auto cuts the image into sqrt(resolve cost / fixed cost) chunks', async (t) => {
  // 8 KiB: CRC 2 ms a call + 0.002 ms a byte (16.4 ms); readback at 100 KB/s (82 ms). A
  // differing chunk costs at most twice its CRC to resolve, 32.8 ms for the whole image, so
  // sqrt(32.8 / 2) = 4 chunks: 24.4 ms when nothing changed, still less than the readback.
  const chip = new FakeChip({
    checksum: true,
    checksumCost: { fixedMs: 2, msPerByte: 0.002 },
    transferStartUs: 1000,
    readBytesPerSecond: 100_000,
  });
  const data = counting(8 * 1024);
  await programmed(chip, data);
  const chunks = (): number[][] =>
    chip.calls.flatMap((c) =>
      c.op === 'checksum' ? [[(c.range.start - BASE) / 1024, (c.range.end - BASE) / 1024]] : [],
    );
  t.is((await runRecipe(chip, steps('auto'), [[BASE, data]])).error, undefined);
  t.deepEqual(chunks(), [
    [0, 2],
    [2, 4],
    [4, 6],
    [6, 8],
  ]);
  chip.calls.length = 0;
  const changed = Uint8Array.from(data);
  changed[5 * 1024 + 9] = (changed[5 * 1024 + 9] ?? 0) ^ 0xff;
  const run = await runRecipe(chip, steps('auto'), [[BASE, changed]]);
  t.is(run.error, undefined);
  // 4-6 differs: halving it (a 1 KiB CRC) is cheaper than reading 2 KiB back; 4-5 matches,
  // so 5-6 is the changed sector.
  t.deepEqual(chunks(), [
    [0, 2],
    [2, 4],
    [4, 6],
    [4, 5],
    [6, 8],
  ]);
  t.like(eraseEnd(run)?.counts, { erasedSectors: 1, unchangedSectors: 7, readBytes: 0 });
});

test('compare: auto reads the rest back once a chunk turned out mostly changed', async (t) => {
  const chip = new FakeChip({
    checksum: true,
    checksumCost: { fixedMs: 2, msPerByte: 0.002 },
    transferStartUs: 1000,
    readBytesPerSecond: 200_000,
  });
  await programmed(chip, counting(8 * 1024));
  const run = await runRecipe(chip, steps('auto'), [[BASE, counting(8 * 1024, 99)]]);
  t.is(run.error, undefined);
  const checksums = chip.calls.filter((c) => c.op === 'checksum').length;
  // Four chunks of 2 KiB: reading one (10.2 ms) costs less than its CRC (6.1 ms) and
  // resolving a difference (12.2 ms). 0-2 differs and is read back; both its sectors differ,
  // so 2-8 is read back without CRCs.
  t.is(checksums, 1);
  t.like(eraseEnd(run)?.counts, { erasedSectors: 8, readBytes: 8 * 1024 });
});
