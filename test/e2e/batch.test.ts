/**
 * Batch programming through the CLI on virtual hardware (issue 14): eight F411RE boards in
 * one process, serial numbers bound to chip UIDs in the production database, a fault on one
 * board, reruns, and two batches on one SQLite file at once.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { openStore } from '@flashwright/production';
import { generatedSerial, generatedUid } from '@flashwright/transport-virtual';
import { project, runCli } from './helpers/cli.js';
import {
  batch,
  batchRecipe,
  boardEnds,
  boardEvents,
  freshPostgres,
  image,
  postgresMissing,
  readBoard,
  SERIAL_ADDRESS,
  withStore,
} from './helpers/batch.js';

const serials8 = Array.from({ length: 8 }, (_, i) => generatedSerial(i));

test('one batch programs 8 boards, each verified, each with its own serial read back; 8 log rows', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': batchRecipe(8), 'app.bin': image() });
  const { run, events } = await batch(cwd);
  t.is(run.code, 0, run.stderr);
  const ends = boardEnds(events);
  t.deepEqual([...ends.keys()].sort(), serials8);
  const serialOf = new Map<string, string>();
  for (const probe of serials8) {
    t.like(ends.get(probe), { status: 'pass', exitCode: 0 }, probe);
    const verify = boardEvents(events, probe, 'step-end').find((e) => e['id'] === 'verify');
    t.like(verify, { status: 'done' }, `${probe} verified`);
    serialOf.set(probe, String(ends.get(probe)?.['serial']));
  }
  t.deepEqual(
    [...serialOf.values()].sort(),
    Array.from({ length: 8 }, (_, i) => `SN-${String(1000 + i).padStart(6, '0')}`),
    'eight distinct serials from the counter',
  );
  for (const probe of serials8) {
    const bytes = await readBoard(cwd, probe, SERIAL_ADDRESS, 4);
    t.is(
      `SN-${String(bytes.readUInt32LE(0)).padStart(6, '0')}` as string | undefined,
      serialOf.get(probe),
      `${probe}: the serial in its flash`,
    );
  }
  await withStore(cwd, async (store) => {
    const rows = await store.attempts();
    t.is(rows.length, 8);
    for (const row of rows) {
      t.like(row, { result: 'pass', station: 'test-station', pool: 'widget', exitCode: 0 });
      t.is(row.serialText, serialOf.get(row.probe));
      t.is(row.chipUid, generatedUid(serials8.indexOf(row.probe)));
      t.regex(row.imageSha256, /^[0-9a-f]{64}$/);
      t.regex(row.device ?? '', /STM32F411/);
      t.true((row.durationsMs?.['write'] ?? -1) >= 0, 'durations per step');
    }
    t.is(new Set(rows.map((r) => r.imageSha256)).size, 8, 'each image holds its own serial');
  });
});

test('a fault on one of 8 boards: 7 pass, the failed one is reported and logged with its journal; a rerun completes it with the same serial', async (t) => {
  const faulty = 'VB0003';
  const boards = (fault: boolean) =>
    serials8.map((serial) => ({
      serial,
      ...(fault && serial === faulty
        ? { faults: '[{ kind: power-loss, afterFlashBytes: 65536 }]' }
        : {}),
    }));
  const cwd = await project({
    'flashwright.config.yaml': batchRecipe(boards(true)),
    'app.bin': image(),
  });
  const first = await batch(cwd);
  const ends = boardEnds(first.events);
  for (const probe of serials8.filter((s) => s !== faulty)) {
    t.like(ends.get(probe), { status: 'pass' }, probe);
  }
  const failed = ends.get(faulty) as {
    status: string;
    exitCode: number;
    serial: string;
    error: { code: string };
    journal: { written: unknown[]; erased: unknown[]; unknown: unknown[] };
  };
  t.is(failed.status, 'fail');
  t.not(failed.exitCode, 0);
  t.is(first.run.code, failed.exitCode, 'the exit code is the failed board’s');
  t.true(failed.journal.written.length > 0, 'the journal says what was written');
  t.true(failed.journal.erased.length + failed.journal.unknown.length > 0);
  const summary = first.events.at(-1) as { type: string; exitCode: number; journal?: unknown };
  t.like(summary, { type: 'summary', exitCode: failed.exitCode });
  t.deepEqual(summary.journal, failed.journal, 'the summary carries the failed board’s journal');
  await withStore(cwd, async (store) => {
    const rows = await store.attempts();
    t.is(rows.length, 8);
    const row = rows.find((r) => r.probe === faulty);
    t.like(row, { result: 'fail', serialText: failed.serial, errorCode: failed.error.code });
    t.like(row?.journal, { written: failed.journal.written, unknown: failed.journal.unknown });
  });

  // The board is back (no fault): every board gets its own serial again; only the failed
  // board programs anything, and only the sectors that do not hold the image yet.
  await writeFile(join(cwd, 'flashwright.config.yaml'), batchRecipe(boards(false)));
  const second = await batch(cwd);
  t.is(second.run.code, 0, second.run.stdout.slice(-2000));
  const again = boardEnds(second.events);
  for (const probe of serials8) {
    t.is(again.get(probe)?.['serial'], ends.get(probe)?.['serial'], `${probe} keeps its serial`);
    const identified = boardEvents(second.events, probe, 'board-identified')[0];
    t.is(identified?.['reused'], true, `${probe}: its own serial from the database`);
    const erase = boardEvents(second.events, probe, 'step-end').find((e) => e['id'] === 'erase');
    const counts = erase?.['counts'] as { erasedSectors: number; unchangedSectors: number };
    if (probe === faulty) {
      t.true(counts.erasedSectors > 0, 'the failed board is completed');
      t.true(counts.unchangedSectors > 0, 'what it already held is left alone');
    } else {
      t.is(counts.erasedSectors, 0, `${probe} is untouched`);
    }
  }
  const bytes = await readBoard(cwd, faulty, SERIAL_ADDRESS, 4);
  t.is(`SN-${String(bytes.readUInt32LE(0)).padStart(6, '0')}`, failed.serial);
  await withStore(cwd, async (store) => {
    const serials = await store.serials('widget');
    t.is(serials.length, 8, 'no serial was allocated twice');
    t.is((await store.attempts()).length, 16, 'every attempt is logged');
  });
});

test('a board already in the database gets its own serial back; a new board gets the next one', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': batchRecipe(3, { encoding: 'struct' }),
    'app.bin': image(),
  });
  t.is((await batch(cwd, ['--serials', 'VB0002'])).run.code, 0);
  t.is((await batch(cwd, ['--serials', 'VB0003'])).run.code, 0);
  const { run, events } = await batch(cwd, ['--index', '0-2', '--jobs', '2']);
  t.is(run.code, 0);
  const ends = boardEnds(events);
  t.is(ends.get('VB0002')?.['serial'], 'SN-001000');
  t.is(ends.get('VB0003')?.['serial'], 'SN-001001');
  t.is(ends.get('VB0001')?.['serial'], 'SN-001002', 'the new board gets the next serial');
  // The struct: magic "FWSN", version 1, text length, value, text, CRC-32 over all before it.
  const bytes = await readBoard(cwd, 'VB0002', SERIAL_ADDRESS, 16);
  t.is(bytes.subarray(0, 4).toString('latin1'), 'FWSN');
  t.is(bytes.readUInt16LE(4), 1);
  t.is(bytes.readUInt16LE(6), 'SN-001000'.length);
  t.is(bytes.readBigUInt64LE(8), 1000n);
});

test('an unplugged board fails alone: the others are programmed, the exit code is the probe’s (4)', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': batchRecipe(2), 'app.bin': image() });
  const { run, events } = await batch(cwd, ['--serials', 'VB0001,VB0009,VB0002']);
  const ends = boardEnds(events);
  t.like(ends.get('VB0001'), { status: 'pass' });
  t.like(ends.get('VB0002'), { status: 'pass' });
  t.like(ends.get('VB0009'), { status: 'fail', exitCode: 4 });
  t.is(run.code, 4);
  const probes = await runCli(['probes', '-c', 'flashwright.config.yaml', '--probe', 'virtual'], {
    cwd,
  });
  t.regex(probes.stdout, /VB0001[\s\S]*VB0002/, '`probes -c` lists the recipe’s boards');
  t.notRegex(probes.stdout, /VB0009/);
});

test('two batch processes on one SQLite file allocate serials while programming, with no duplicates and no gaps', async (t) => {
  const count = 12;
  const boardsOf = (prefix: string, offset: number) =>
    Array.from({ length: count }, (_, i) => ({
      serial: `${prefix}${String(i + 1).padStart(2, '0')}`,
      uid: generatedUid(offset + i),
    }));
  const cwd = await project({
    'a.yaml': batchRecipe(boardsOf('A', 0)),
    'b.yaml': batchRecipe(boardsOf('B', 100)),
    'app.bin': image(),
  });
  const [a, b] = await Promise.all([
    runCli(['batch', '-c', 'a.yaml', '--json', '--jobs', '4'], { cwd }),
    runCli(['batch', '-c', 'b.yaml', '--json', '--jobs', '4'], { cwd }),
  ]);
  t.is(a.code, 0, a.stderr);
  t.is(b.code, 0, b.stderr);
  await withStore(cwd, async (store) => {
    const serials = await store.serials('widget');
    t.deepEqual(
      serials.map((s) => s.sequence),
      Array.from({ length: 2 * count }, (_, i) => i),
      'sequences 0..23, no gaps',
    );
    t.is(new Set(serials.map((s) => s.chipUid)).size, 2 * count, 'one serial per chip');
    const attempts = await store.attempts();
    t.is(attempts.length, 2 * count, 'every allocation is logged');
    t.is(new Set(attempts.map((r) => r.serialText)).size, 2 * count, 'no serial twice');
  });
});

const pgTest =
  postgresMissing === undefined
    ? test
    : process.env['FLASHWRIGHT_REQUIRE_PEERS'] === '1'
      ? test
      : test.skip;
if (postgresMissing !== undefined)
  console.log(`Skipping the PostgreSQL batch test: ${postgresMissing}`);

pgTest(
  'four batch processes on one PostgreSQL database allocate serials while programming, with no duplicates and no gaps',
  async (t) => {
    if (postgresMissing !== undefined) return t.fail(postgresMissing);
    const { url, drop } = await freshPostgres();
    t.teardown(drop);
    const count = 6;
    const files: Record<string, string | Uint8Array> = { 'app.bin': image() };
    for (const station of [0, 1, 2, 3]) {
      const boards = Array.from({ length: count }, (_, i) => ({
        serial: `S${station}B${i}`,
        uid: generatedUid(station * 100 + i),
      }));
      files[`s${station}.yaml`] = batchRecipe(boards);
    }
    const cwd = await project(files);
    const runs = await Promise.all(
      [0, 1, 2, 3].map((station) =>
        runCli(
          [
            'batch',
            '-c',
            `s${station}.yaml`,
            '--json',
            '--database',
            url,
            '--station',
            `st${station}`,
          ],
          { cwd },
        ),
      ),
    );
    for (const run of runs) t.is(run.code, 0, run.stdout.slice(-1500));
    const store = await openStore(url);
    try {
      const serials = await store.serials('widget');
      t.deepEqual(
        serials.map((s) => s.sequence),
        Array.from({ length: 4 * count }, (_, i) => i),
      );
      t.is(new Set(serials.map((s) => s.chipUid)).size, 4 * count);
      const attempts = await store.attempts({ result: 'pass' });
      t.is(attempts.length, 4 * count);
      t.is(new Set(attempts.map((a) => a.station)).size, 4, 'each station logged its boards');
    } finally {
      await store.close();
    }
  },
);

test('a mistyped production section is a recipe error (exit 2) with did-you-mean; counter and csv together are refused', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': batchRecipe(2).replace('encoding: u32le', 'encodign: u32le'),
    'both.yaml': batchRecipe(2).replace(
      '    pool: widget',
      '    pool: widget\n    csv: serials.csv',
    ),
    'app.bin': image(),
  });
  const typo = await runCli(['batch'], { cwd });
  t.is(typo.code, 2);
  t.regex(typo.stderr, /production\.serial/);
  t.regex(typo.stderr, /encodign/);
  t.regex(typo.stderr, /encoding/);
  const both = await runCli(['batch', '-c', 'both.yaml'], { cwd });
  t.is(both.code, 2);
  t.regex(both.stderr, /exactly one source of serial numbers/);
});

test('serials from a CSV: when they run out the board fails with exit 3, logged with its chip UID', async (t) => {
  const recipe = batchRecipe(2, { encoding: 'ascii' }).replace(
    '    counter: { start: 1000, width: 6, prefix: SN- }',
    '    csv: serials.csv\n    length: 12',
  );
  const cwd = await project({
    'flashwright.config.yaml': recipe,
    'serials.csv': 'serial\nAX-0001\n',
    'app.bin': image(),
  });
  const { run, events } = await batch(cwd, ['--jobs', '1']);
  t.is(run.code, 3);
  const ends = boardEnds(events);
  t.like(ends.get('VB0001'), { status: 'pass', serial: 'AX-0001' });
  t.like(ends.get('VB0002'), { status: 'fail', error: { code: 'SERIALS_EXHAUSTED' } });
  const bytes = await readBoard(cwd, 'VB0001', SERIAL_ADDRESS, 12);
  t.is(bytes.toString('latin1'), 'AX-0001\0\0\0\0\0');
  await withStore(cwd, async (store) => {
    const failed = (await store.attempts({ result: 'fail' }))[0];
    t.like(failed, { probe: 'VB0002', chipUid: generatedUid(1), errorCode: 'SERIALS_EXHAUSTED' });
  });
});

test('batch --dry-run plans the recipe, lists the boards and what each gets, and touches no board or database', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': batchRecipe(3), 'app.bin': image() });
  const run = await runCli(['batch', '--dry-run'], { cwd });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /Boards: VB0001, VB0002, VB0003/);
  t.regex(
    run.stdout,
    /a serial from pool "widget" \(counted from 1000 by 1\), written at 0x0801FFF0 as u32le/,
  );
  t.false(existsSync(join(cwd, 'production.db')));
  t.false(existsSync(join(cwd, 'boards')));
});

test('read-protected boards: unprotect (which erases the flash) runs before the serial is laid over the image', async (t) => {
  const recipe = batchRecipe(2)
    .replace('    timing: instant', '    timing: instant\n    rdp: 1')
    .concat(
      'steps: [connect, { unprotect: { confirm: mass-erase } }, { erase: auto }, write, verify]\n',
    );
  const cwd = await project({ 'flashwright.config.yaml': recipe, 'app.bin': image() });
  const { run, events } = await batch(cwd);
  t.is(run.code, 0, run.stdout.slice(-1500));
  const ends = boardEnds(events);
  // The boards run in parallel: which one draws a serial first depends on scheduling.
  const serials = ['VB0001', 'VB0002'].map((probe) => String(ends.get(probe)?.['serial']));
  t.like(ends.get('VB0001'), { status: 'pass' });
  t.like(ends.get('VB0002'), { status: 'pass' });
  t.deepEqual([...serials].sort(), ['SN-001000', 'SN-001001']);
  const bytes = await readBoard(cwd, 'VB0002', SERIAL_ADDRESS, 4);
  t.is(`SN-00${bytes.readUInt32LE(0)}`, String(serials[1]));
});
