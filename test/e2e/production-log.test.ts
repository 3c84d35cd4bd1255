/**
 * `flashwright log` end to end: the attempts and serials of a production database as a
 * table, CSV and NDJSON, filters, voiding a serial, and which database it opens.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@flashwright/production';
import { ndjson, project, repoRoot, runCli } from './helpers/cli.js';

/** Three attempts on two chips: a failed one and its rerun that passed, and one cut off. */
async function seed(file: string): Promise<void> {
  const store = await openStore(file);
  try {
    const a = await store.allocateSerial({
      pool: 'sn',
      chipUid: 'UID-A',
      station: 'line 1, bench A',
    });
    const b = await store.allocateSerial({
      pool: 'sn',
      chipUid: 'UID-B',
      station: 'line 1, bench A',
    });
    const base = {
      station: 'line 1, bench A',
      device: 'STM32F411xC/E',
      imageSha256: 'ab'.repeat(32),
      pool: 'sn',
    };
    const first = await store.startAttempt({
      ...base,
      probe: 'P1',
      chipUid: 'UID-A',
      sequence: a.sequence,
      serialText: 'SN-0000',
    });
    await store.finishAttempt(first, {
      result: 'fail',
      errorCode: 'FLASH_PROGRAM_FAILED',
      exitCode: 7,
      durationsMs: { connect: 100, write: 400 },
      journal: { erased: [[134217728, 134234112]], written: [], unknown: [] },
    });
    const rerun = await store.startAttempt({
      ...base,
      probe: 'P1',
      chipUid: 'UID-A',
      sequence: a.sequence,
      serialText: 'SN-0000',
    });
    await store.finishAttempt(rerun, {
      result: 'pass',
      exitCode: 0,
      durationsMs: { connect: 100, write: 1150 },
    });
    await store.startAttempt({
      ...base,
      probe: 'P2',
      chipUid: 'UID-B',
      sequence: b.sequence,
      serialText: 'SN-0001',
    });
  } finally {
    await store.close();
  }
}

/** A project whose recipe names its database (data/line.db), seeded. */
async function seededProject(): Promise<string> {
  const dir = await project({
    'flashwright.config.yaml': 'production: { database: data/line.db }\n',
  });
  await mkdir(join(dir, 'data'));
  await seed(join(dir, 'data/line.db'));
  return dir;
}

/** RFC 4180 fields of one line (no line breaks inside fields here). */
function csvLine(line: string): string[] {
  return [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map(([, f = '']) =>
    f.startsWith('"') ? f.slice(1, -1).replaceAll('""', '"') : f,
  );
}

test('log shows the attempts of the recipe’s database as a table', async (t) => {
  const cwd = await seededProject();
  const run = await runCli(['log'], { cwd });
  t.is(run.code, 0, run.stderr);
  const lines = run.stdout.trimEnd().split('\n');
  t.regex(
    lines[0] ?? '',
    /^ID +STARTED \(UTC\) +STATION +PROBE +CHIP UID +DEVICE +SERIAL +RESULT +ERROR +TIME$/,
  );
  t.is(lines.length, 4);
  t.regex(
    lines[1] ?? '',
    /^1 +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +line 1, bench A +P1 +UID-A +STM32F411xC\/E +SN-0000 +fail +FLASH_PROGRAM_FAILED +0\.5 s$/,
  );
  t.regex(lines[2] ?? '', / SN-0000 +pass +1\.3 s$/);
  t.regex(lines[3] ?? '', /UID-B +STM32F411xC\/E +SN-0001 +unfinished$/);
});

test('log --format csv exports every column, quoted where needed', async (t) => {
  const cwd = await seededProject();
  const run = await runCli(['log', '--format', 'csv'], { cwd });
  t.is(run.code, 0, run.stderr);
  const [header, ...rows] = run.stdout.trimEnd().split('\n').map(csvLine);
  t.deepEqual(header, [
    'id',
    'started_at',
    'finished_at',
    'station',
    'probe',
    'chip_uid',
    'device',
    'pool',
    'sequence',
    'serial',
    'result',
    'error_code',
    'exit_code',
    'duration_ms',
    'image_sha256',
    'durations_ms',
    'recipe',
  ]);
  t.is(rows.length, 3);
  const record = Object.fromEntries((header ?? []).map((name, i) => [name, rows[0]?.[i]]));
  t.like(record, {
    id: '1',
    station: 'line 1, bench A',
    chip_uid: 'UID-A',
    pool: 'sn',
    sequence: '0',
    serial: 'SN-0000',
    result: 'fail',
    error_code: 'FLASH_PROGRAM_FAILED',
    exit_code: '7',
    duration_ms: '500',
    durations_ms: '{"connect":100,"write":400}',
  });
  t.true(run.stdout.includes('"line 1, bench A"'), 'the comma in the station name is quoted');
  t.like(Object.fromEntries((header ?? []).map((name, i) => [name, rows[2]?.[i]])), {
    result: 'unfinished',
    finished_at: '',
    exit_code: '',
  });
});

test('log --format ndjson gives one object per attempt, journal included; filters narrow it', async (t) => {
  const cwd = await seededProject();
  const run = await runCli(['log', '--format', 'ndjson'], { cwd });
  t.is(run.code, 0, run.stderr);
  const rows = ndjson(run.stdout);
  t.deepEqual(
    rows.map((r) => [r.id, r.chipUid, r.sequence, r.result]),
    [
      [1, 'UID-A', 0, 'fail'],
      [2, 'UID-A', 0, 'pass'],
      [3, 'UID-B', 1, 'unfinished'],
    ],
  );
  t.deepEqual(rows[0]?.journal, { erased: [[134217728, 134234112]], written: [], unknown: [] });
  t.is(rows[1]?.durationMs, 1250);

  const ids = async (...args: string[]) =>
    ndjson((await runCli(['log', '--format', 'ndjson', ...args], { cwd })).stdout).map((r) => r.id);
  t.deepEqual(await ids('--result', 'unfinished'), [3]);
  t.deepEqual(await ids('--chip', 'UID-A', '--result', 'pass'), [2]);
  t.deepEqual(await ids('--since', '1h'), [1, 2, 3]);
  t.deepEqual(await ids('--since', '2999-01-01'), []);
  const bad = await runCli(['log', '--since', 'yesterday'], { cwd });
  t.is(bad.code, 2);
  t.regex(bad.stderr, /not a date or an age: yesterday/);
});

test('log serials, then log void: the voided serial shows as such', async (t) => {
  const cwd = await seededProject();
  const table = await runCli(['log', 'serials'], { cwd });
  t.is(table.code, 0, table.stderr);
  t.regex(
    table.stdout,
    /^POOL +SEQ +SERIAL +CHIP UID +STATE +LAST RESULT +STATION +ALLOCATED \(UTC\) +VOID REASON\n/,
  );
  t.regex(table.stdout, /\nsn +0 +SN-0000 +UID-A +bound +pass +line 1, bench A +\d{4}-/);
  t.regex(table.stdout, /\nsn +1 +SN-0001 +UID-B +bound +unfinished +/);

  const voided = await runCli(['log', 'void', 'sn', '1', '--reason', 'board cracked'], { cwd });
  t.is(voided.code, 0, voided.stderr);
  t.regex(voided.stdout, /Voided serial 1 of pool sn: board cracked/);
  const rows = ndjson(
    (await runCli(['log', 'serials', '--format', 'ndjson', '--pool', 'sn'], { cwd })).stdout,
  );
  t.like(rows[1], { sequence: 1, chipUid: 'UID-B', state: 'voided', voidReason: 'board cracked' });
  const csv = await runCli(['log', 'serials', '--format', 'csv'], { cwd });
  t.regex(
    csv.stdout,
    /\nsn,1,SN-0001,UID-B,voided,unfinished,"line 1, bench A",[^,]+,[^,]+,board cracked\n/,
  );

  const unknown = await runCli(['log', 'void', 'sn', '7', '--reason', 'x', '--json'], { cwd });
  t.is(unknown.code, 2);
  t.like(ndjson(unknown.stdout).at(-1), { type: 'summary', error: { code: 'SERIAL_UNKNOWN' } });
  const noReason = await runCli(['log', 'void', 'sn', '0'], { cwd });
  t.is(noReason.code, 2);
  t.regex(noReason.stderr, /--reason/);
});

test('log --json: the attempts as one event, then the summary', async (t) => {
  const cwd = await seededProject();
  const events = ndjson((await runCli(['log', '--json'], { cwd })).stdout);
  t.is(events.length, 2);
  t.is(events[0]?.type, 'attempts');
  t.is((events[0]?.attempts as unknown[]).length, 3);
  t.like(events[1], { type: 'summary', command: 'log', status: 'ok', result: { attempts: 3 } });
});

test('log opens flashwright-production.db next to the recipe by default, and never creates one', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': 'image: app.hex\n', 'sub/.keep': '' });
  const missing = await runCli(['log'], { cwd: join(cwd, 'sub') });
  t.is(missing.code, 3);
  t.regex(missing.stderr, /flashwright-production\.db/);
  t.false(existsSync(join(cwd, 'flashwright-production.db')), 'log created no database');

  await seed(join(cwd, 'flashwright-production.db'));
  const run = await runCli(['log', '--format', 'ndjson'], { cwd: join(cwd, 'sub') });
  t.is(run.code, 0, run.stderr);
  t.is(ndjson(run.stdout).length, 3);
  // --database wins over the recipe, relative to the current directory.
  const flag = await runCli(['log', '--database', 'elsewhere.db'], { cwd: join(cwd, 'sub') });
  t.is(flag.code, 3);
  t.regex(flag.stderr, /sub\/elsewhere\.db/);
});

test('the published bundle without @flashwright/production says how to install it (exit 2)', async (t) => {
  // The bundle alone, where no node_modules holds @flashwright/production.
  const dir = await mkdtemp(join(tmpdir(), 'fw-bundle-alone-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await cp(join(repoRoot, 'packages/cli/dist/bundle'), join(dir, 'bundle'), { recursive: true });
  const cwd = await project({});
  const run = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(dir, 'bundle/bin.cjs'), 'log'], { cwd });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /@flashwright\/production, which is not installed/);
  t.regex(run.stderr, /npm install -D @flashwright\/production/);
});
