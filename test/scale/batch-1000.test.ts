/**
 * Issue 14's scale acceptance through programming: two `flashwright batch` processes on one
 * SQLite file, and four on one PostgreSQL database, program 1,000 virtual boards in all at
 * once. Every board is connected, erased, written and verified with its serial in the image;
 * no serial goes to two chips, the sequences have no gaps except voided serials (those of
 * the boards that fail by an injected power loss, voided afterwards), every allocation has
 * its attempt in the log, and each board's flash holds its own serial.
 *
 * A small part (STM32F030F4, 1 KiB pages) and a 512-byte image keep a board cheap; the
 * costly parts of a board (probe, sim, pipeline, database) are all there. This directory is
 * left out of .ci/run's second pass on Node 24: it would double the suite's longest tests
 * and test nothing new (the allocation alone runs on both, packages/production/test).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { openStore } from '@flashwright/production';
import { generatedUid } from '@flashwright/transport-virtual';
import { ndjson, project, runCli, type CliRun } from '../e2e/helpers/cli.js';
import { freshPostgres, postgresMissing } from '../e2e/helpers/batch.js';

const TOTAL = 1000;
const DEVICE = 'STM32F030F4';
const FLASH_BASE = 0x08000000;
const IMAGE_BYTES = 512;
/** Inside the image, so erase, write and verify all cover the serial. */
const SERIAL_ADDRESS = 0x080001f0;
/** One board in a hundred loses power mid-write; its serial is voided afterwards. */
const faulty = (n: number): boolean => n % 100 === 37;
/** Boards programmed at once in each process. */
const JOBS = 16;

interface Board {
  readonly serial: string;
  readonly uid: string;
  readonly faulty: boolean;
}

function image(): Uint8Array {
  let x = 11;
  return Uint8Array.from({ length: IMAGE_BYTES }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 24;
  });
}

function recipe(boards: readonly Board[]): string {
  const fault = ', faults: [{ kind: power-loss, afterFlashBytes: 256 }]';
  return [
    'probe:',
    '  transport: virtual',
    '  options:',
    '    probe: stlink-v2',
    `    device: ${DEVICE}`,
    "    state: 'boards/{serial}.json'",
    '    timing: instant',
    '    boards:',
    ...boards.map(
      (b) => `      - { serial: ${b.serial}, uid: "${b.uid}"${b.faulty ? fault : ''} }`,
    ),
    `target: { family: stm32, device: ${DEVICE} }`,
    `image: { file: app.bin, base: 0x${FLASH_BASE.toString(16)} }`,
    'production:',
    '  database: production.db',
    '  serial:',
    '    pool: widget',
    '    counter: { start: 1000, width: 6, prefix: SN- }',
    `    address: 0x${SERIAL_ADDRESS.toString(16)}`,
    '    encoding: ascii',
    '',
  ].join('\n');
}

/** The bytes of a virtual board's flash at `address`, from its state file. */
async function flashBytes(
  cwd: string,
  board: string,
  address: number,
  length: number,
): Promise<Buffer> {
  const state = JSON.parse(await readFile(join(cwd, 'boards', `${board}.json`), 'utf8')) as {
    chip: { flash: { chunkBytes: number; chunks: Record<string, string> } };
  };
  const { chunkBytes, chunks } = state.chip.flash;
  const offset = address - FLASH_BASE;
  const start = offset - (offset % chunkBytes);
  const chunk = chunks[start.toString(16)];
  if (chunk === undefined) return Buffer.alloc(length, 0xff); // an erased chunk is not stored
  return Buffer.from(chunk, 'base64').subarray(offset - start, offset - start + length);
}

/** Runs `processes` batches of TOTAL / processes boards each at once, then checks it all. */
async function programThousand(
  t: ExecutionContext,
  processes: number,
  database: string | undefined,
): Promise<void> {
  // Seconds on an idle machine, but a loaded one (the whole suite at once on two cores)
  // took close to ava's two minutes: a bound for a hang, not for speed.
  t.timeout(6 * 60_000);
  const perProcess = TOTAL / processes;
  const stations = Array.from({ length: processes }, (_, p) =>
    Array.from({ length: perProcess }, (_, i): Board => {
      const n = p * perProcess + i;
      return {
        serial: `P${p}B${String(i).padStart(3, '0')}`,
        uid: generatedUid(n),
        faulty: faulty(n),
      };
    }),
  );
  const files: Record<string, string | Uint8Array> = { 'app.bin': image() };
  stations.forEach((boards, p) => (files[`s${p}.yaml`] = recipe(boards)));
  const cwd = await project(files);
  const databaseArgs = database === undefined ? [] : ['--database', database];
  const runs: CliRun[] = await Promise.all(
    stations.map((_, p) =>
      runCli(
        [
          'batch',
          '-c',
          `s${p}.yaml`,
          '--json',
          '--jobs',
          String(JOBS),
          '--station',
          `st${p}`,
        ].concat(databaseArgs),
        { cwd },
      ),
    ),
  );

  // Each process reports every board once and ends with the code of its failed boards.
  const all = stations.flat();
  const byUid = new Map(all.map((b) => [b.uid, b]));
  const ends = new Map<string, Record<string, unknown>>();
  const steps = new Map<string, string[]>();
  runs.forEach((run, p) => {
    const events = ndjson(run.stdout);
    const summary = events.at(-1);
    t.is(summary?.['type'], 'summary', run.stderr);
    for (const e of events) {
      const probe = (e['board'] as { probe?: string } | undefined)?.probe;
      if (probe === undefined) continue;
      if (e['type'] === 'board-end') ends.set(probe, e);
      if (e['type'] === 'step-end' && e['status'] === 'done') {
        steps.set(probe, [...(steps.get(probe) ?? []), String(e['id'])]);
      }
    }
    const codes = stations[p]!.map((b) => Number(ends.get(b.serial)?.['exitCode']));
    t.is(run.code, Math.max(...codes), run.stdout.slice(-1500));
  });
  t.is(ends.size, TOTAL, 'every board ran once');
  for (const board of all) {
    const end = ends.get(board.serial);
    t.is(end?.['status'], board.faulty ? 'fail' : 'pass', board.serial);
    if (board.faulty) t.not(end?.['exitCode'], 0);
    t.is(end?.['chipUid'], board.uid, board.serial);
    if (!board.faulty) {
      t.deepEqual(steps.get(board.serial), ['connect', 'erase', 'write', 'verify', 'reset']);
    }
  }

  const store = await openStore(database ?? join(cwd, 'production.db'));
  t.teardown(() => store.close());
  // One serial per chip, sequences 0..999 with no gap, none handed to two chips.
  const serials = await store.serials('widget');
  t.deepEqual(
    serials.map((s) => s.sequence).sort((a, b) => a - b),
    Array.from({ length: TOTAL }, (_, i) => i),
  );
  t.deepEqual(serials.map((s) => s.chipUid).sort(), [...byUid.keys()].sort());
  // Every allocation is logged: one finished attempt per chip, with its serial and station.
  const attempts = await store.attempts({ pool: 'widget' });
  t.is(attempts.length, TOTAL);
  const attemptByUid = new Map(attempts.map((a) => [a.chipUid, a]));
  t.is(attemptByUid.size, TOTAL);
  t.is(new Set(attempts.map((a) => a.serialText)).size, TOTAL, 'no serial text twice');
  for (const s of serials) {
    const board = byUid.get(s.chipUid)!;
    const attempt = attemptByUid.get(s.chipUid);
    t.like(
      attempt,
      {
        sequence: s.sequence,
        serialText: `SN-${String(1000 + s.sequence).padStart(6, '0')}`,
        result: board.faulty ? 'fail' : 'pass',
        station: `st${board.serial.slice(1, board.serial.indexOf('B'))}`,
        probe: board.serial,
      },
      board.serial,
    );
    t.is(ends.get(board.serial)?.['serial'], attempt?.serialText, board.serial);
  }
  // The stations ran at once: some station's sequences are not one contiguous block.
  t.true(
    stations.some((boards) => {
      const mine = boards.map((b) => attemptByUid.get(b.uid)?.sequence ?? -1).sort((a, b) => a - b);
      return mine.some((q, i) => i > 0 && q !== mine[i - 1]! + 1);
    }),
    'the processes did not overlap',
  );

  // Each programmed board's flash holds its own serial (ASCII and a NUL).
  const passed = all.filter((b) => !b.faulty);
  const held = await Promise.all(
    passed.map(async (b) =>
      (await flashBytes(cwd, b.serial, SERIAL_ADDRESS, 10)).toString('latin1'),
    ),
  );
  t.deepEqual(
    held,
    passed.map((b) => `${attemptByUid.get(b.uid)?.serialText ?? ''}\0`),
  );
  // ... as `flashwright read` reads it back through the probe, for one board.
  const sample = passed[passed.length - 1]!;
  const readLast = await runCli(
    ['read', `0x${SERIAL_ADDRESS.toString(16)}`, '10', '-o', 'sample.bin'].concat([
      '-c',
      `s${processes - 1}.yaml`,
    ]),
    { cwd, env: { FLASHWRIGHT_PROBE_SERIAL: sample.serial } },
  );
  t.is(readLast.code, 0, readLast.stderr);
  t.is(
    (await readFile(join(cwd, 'sample.bin'))).toString('latin1'),
    `${attemptByUid.get(sample.uid)?.serialText ?? ''}\0`,
  );

  // The failed boards' serials are voided: the only serials not bound, and never reused.
  for (const b of all.filter((x) => x.faulty)) {
    await store.voidSerial('widget', attemptByUid.get(b.uid)!.sequence!, 'board abandoned');
  }
  const after = await store.serials('widget');
  t.deepEqual(
    after.filter((s) => s.state === 'voided').map((s) => byUid.get(s.chipUid)?.serial),
    after
      .filter((s) => byUid.get(s.chipUid)?.faulty === true)
      .map((s) => byUid.get(s.chipUid)?.serial),
  );
  t.is(after.filter((s) => s.state === 'voided').length, all.filter((b) => b.faulty).length);
  t.like(await store.allocateSerial({ pool: 'widget', chipUid: 'late', station: 't' }), {
    sequence: TOTAL,
  });
}

test('two batch processes on one SQLite file program 1,000 boards: no duplicate serial, no gap but the voided ones, every allocation logged, each board holds its serial', async (t) => {
  await programThousand(t, 2, undefined);
});

const pgTest =
  postgresMissing === undefined || process.env['FLASHWRIGHT_REQUIRE_PEERS'] === '1'
    ? test
    : test.skip;
if (postgresMissing !== undefined) {
  console.log(`Skipping the PostgreSQL 1,000-board batch: ${postgresMissing}`);
}

pgTest(
  'four batch processes on one PostgreSQL database program 1,000 boards: no duplicate serial, no gap but the voided ones, every allocation logged, each board holds its serial',
  async (t) => {
    if (postgresMissing !== undefined) return t.fail(postgresMissing);
    const { url, drop } = await freshPostgres();
    t.teardown(drop);
    await programThousand(t, 4, url);
  },
);
