/**
 * Station mode through the CLI on virtual hardware (issue 14): boards are programmed as their
 * probes are plugged in or their target is powered, Ctrl-C lets a board in progress stop at
 * a safe point (exit 130), and `kill -9` mid-batch leaves the database consistent for the
 * next run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { project, runCli } from './helpers/cli.js';
import { batch, batchRecipe, boardEnds, image, withStore } from './helpers/batch.js';

type Event = Record<string, unknown>;

function parse(line: string): Event | undefined {
  try {
    return JSON.parse(line) as Event;
  } catch {
    return undefined;
  }
}

function probeOf(event: Event): string | undefined {
  return (event['board'] as { probe?: string } | undefined)?.probe;
}

test('station mode programs each board as it appears (probe plugged in, or target powered), a failed board does not stop it, and Ctrl-C exits 130', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': batchRecipe([
      { serial: 'VB0001', present: 'plug/1' },
      {
        serial: 'VB0002',
        present: 'plug/2',
        faults: '[{ kind: flash-error, address: 0x08000000 }]',
      },
      { serial: 'VB0003', present: 'plug/3', powered: 'power/3' },
    ]),
    'app.bin': image(),
    'plug/.keep': '',
    'power/.keep': '',
  });
  const touch = (path: string): void => writeFileSync(join(cwd, path), '');
  const startedBefore3Powered: string[] = [];
  let powered3 = false;
  const run = await runCli(['batch', '--watch', '--json', '--poll-ms', '50'], {
    cwd,
    onLine: (line, child) => {
      const event = parse(line);
      if (event === undefined) return;
      if (event['type'] === 'info' && String(event['message']).startsWith('Station')) {
        touch('plug/1');
      }
      if (event['type'] === 'board-start' && !powered3) {
        startedBefore3Powered.push(probeOf(event) ?? '');
      }
      if (event['type'] !== 'board-end') return;
      const probe = probeOf(event);
      if (probe === 'VB0001') {
        // The second probe and the third (whose board has no power yet) are plugged in.
        touch('plug/2');
        touch('plug/3');
      } else if (probe === 'VB0002') {
        powered3 = true;
        touch('power/3');
      } else if (probe === 'VB0003') {
        child.kill('SIGINT');
      }
    },
  });
  t.is(run.code, 130, run.stderr);
  const events = run.stdout
    .split('\n')
    .map(parse)
    .filter((e) => e !== undefined);
  const ends = events.filter((e) => e['type'] === 'board-end');
  t.deepEqual(
    ends.map((e) => [probeOf(e), e['status']]),
    [
      ['VB0001', 'pass'],
      ['VB0002', 'fail'],
      ['VB0003', 'pass'],
    ],
    'each board once, in the order they appeared',
  );
  t.deepEqual(startedBefore3Powered, ['VB0001', 'VB0002'], 'no board without target voltage');
  t.like(events.at(-1), { type: 'summary', exitCode: 130, status: 'interrupted' });
  await withStore(cwd, async (store) => {
    t.is((await store.attempts({ result: 'pass' })).length, 2);
    t.is((await store.attempts({ result: 'fail' })).length, 1);
  });
});

test('Ctrl-C during a board in station mode stops it at a safe point, reports its journal and exits 130', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': batchRecipe(1, { timing: 'realtime' }),
    'app.bin': image(),
  });
  let sent = false;
  const run = await runCli(['batch', '--watch', '--json', '--poll-ms', '50'], {
    cwd,
    onLine: (line, child) => {
      const event = parse(line);
      if (
        !sent &&
        event?.['type'] === 'progress' &&
        event['id'] === 'write' &&
        Number(event['doneBytes']) > 0
      ) {
        sent = true;
        child.kill('SIGINT');
      }
    },
  });
  t.is(run.code, 130);
  const ends = boardEnds(
    run.stdout
      .split('\n')
      .map(parse)
      .filter((e) => e !== undefined),
  );
  const end = ends.get('VB0001') as {
    status: string;
    journal?: { erased: unknown[]; written: unknown[]; unknown: unknown[] };
  };
  t.is(end.status, 'interrupted');
  const { erased = [], written = [], unknown = [] } = end.journal ?? {};
  t.true(erased.length + written.length + unknown.length > 0, 'what the flash holds now');
  await withStore(cwd, async (store) => {
    t.like((await store.attempts())[0], { result: 'fail', errorCode: 'INTERRUPTED' });
  });
});

test('kill -9 of a station mid-batch leaves the database consistent, and the next run continues', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': batchRecipe(4, { timing: 'realtime' }),
    'app.bin': image(),
  });
  const identified = new Map<string, string>();
  const killed = await runCli(['batch', '--watch', '--json', '--poll-ms', '50'], {
    cwd,
    onLine: (line, child) => {
      const event = parse(line);
      if (event?.['type'] === 'board-identified') {
        identified.set(probeOf(event) ?? '', String(event['serial']));
      }
      if (event?.['type'] === 'progress' && event['id'] === 'write') child.kill('SIGKILL');
    },
  });
  t.is(killed.signal, 'SIGKILL');
  t.true(identified.size > 0);
  const before = await withStore(cwd, async (store) => {
    const attempts = await store.attempts();
    const serials = await store.serials('widget');
    t.true(attempts.length > 0);
    t.true(
      attempts.every((a) => a.result === 'unfinished'),
      'allocated but unfinished boards show as such',
    );
    t.is(new Set(serials.map((s) => s.chipUid)).size, serials.length, 'one serial per chip');
    return { attempts: attempts.length, serials };
  });

  const { run, events } = await batch(cwd);
  t.is(run.code, 0, run.stderr);
  const ends = boardEnds(events);
  for (const [probe, serial] of identified) {
    t.is(
      ends.get(probe)?.['serial'],
      serial,
      `${probe} keeps the serial allocated before the kill`,
    );
  }
  await withStore(cwd, async (store) => {
    const serials = await store.serials('widget');
    t.is(serials.length, 4);
    t.deepEqual(
      serials.map((s) => s.sequence),
      [0, 1, 2, 3],
    );
    for (const s of before.serials) {
      t.is(serials.find((x) => x.sequence === s.sequence)?.chipUid, s.chipUid);
    }
    t.is((await store.attempts({ result: 'pass' })).length, 4);
    t.is((await store.attempts({ result: 'unfinished' })).length, before.attempts);
  });
});

test('station mode programs a board behind a clone ST-Link, whose target voltage always reads 0 V', async (t) => {
  const recipe = batchRecipe([{ serial: 'CLONE1' }]).replace(
    '    timing: instant',
    '    timing: instant\n    clone: true',
  );
  const cwd = await project({ 'flashwright.config.yaml': recipe, 'app.bin': image() });
  const run = await runCli(['batch', '--watch', '--json', '--poll-ms', '50'], {
    cwd,
    onLine: (line, child) => {
      if (parse(line)?.['type'] === 'board-end') child.kill('SIGINT');
    },
  });
  t.is(run.code, 130);
  const ends = boardEnds(
    run.stdout
      .split('\n')
      .map(parse)
      .filter((e) => e !== undefined),
  );
  t.like(ends.get('CLONE1'), { status: 'pass' });
});
