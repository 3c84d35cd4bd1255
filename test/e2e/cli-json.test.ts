import test from 'ava';
import { appImage, loopbackRecipe, ndjson, project, runCli } from './helpers/cli.js';

const EVENT_TYPES = new Set([
  'recipe',
  'plan',
  'step-start',
  'progress',
  'step-end',
  'probe',
  'device',
  'warning',
  'info',
  'summary',
]);

test('--json output is valid NDJSON whose last line is the summary (success)', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': loopbackRecipe(),
    'app.fwtext': appImage,
  });
  const run = await runCli(['run', '--json'], { cwd });
  t.is(run.code, 0, run.stderr);
  const events = ndjson(run.stdout);
  t.true(events.length > 10);
  for (const event of events)
    t.true(EVENT_TYPES.has(String(event.type)), `known event type ${String(event.type)}`);
  t.is(events.filter((e) => e.type === 'summary').length, 1);
  t.like(events.at(-1), {
    type: 'summary',
    command: 'run',
    status: 'ok',
    exitCode: 0,
    dryRun: false,
  });
  const summary = events.at(-1) as {
    result: { steps: { id: string; status: string }[] };
    journal: { written: unknown[] };
  };
  t.deepEqual(
    summary.result.steps.map((s) => [s.id, s.status]),
    [
      ['connect', 'done'],
      ['erase', 'done'],
      ['write', 'done'],
      ['verify', 'done'],
      ['reset', 'done'],
    ],
  );
  t.true(summary.journal.written.length > 0);
  t.is(run.stderr, '', 'nothing but NDJSON, and nothing on stderr');
});

test('--json: a failure still ends with the summary, and warnings are events', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': loopbackRecipe({
      probeOptions: 'rdp: 1',
      steps: '[connect, { erase: auto }, write]',
    }),
    'app.fwtext': appImage,
  });
  const run = await runCli(['run', '--json'], { cwd });
  t.is(run.code, 6);
  const events = ndjson(run.stdout);
  t.true(events.some((e) => e.type === 'warning' && /without verifying/.test(String(e.message))));
  t.like(events.at(-1), {
    type: 'summary',
    status: 'refused',
    exitCode: 6,
    error: { code: 'TARGET_PROTECTED' },
  });
});

test('--json: a bad command line gives a summary too (exit 2)', async (t) => {
  const cwd = await project({});
  const run = await runCli(['run', '--no-such-flag', '--json'], { cwd });
  t.is(run.code, 2);
  t.like(ndjson(run.stdout).at(-1), {
    type: 'summary',
    status: 'failed',
    exitCode: 2,
    error: { code: 'USAGE' },
  });
});

test('--json: every command ends with a summary', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': loopbackRecipe(),
    'app.fwtext': appImage,
  });
  for (const args of [
    ['info'],
    ['probes'],
    ['devices'],
    ['doctor'],
    ['erase'],
    ['read', '0x08000000', '16', '-o', 'x.bin'],
  ]) {
    const run = await runCli([...args, '--json'], { cwd });
    const last = ndjson(run.stdout).at(-1);
    t.is(last?.type, 'summary', args.join(' '));
    t.is(last?.exitCode, run.code, args.join(' '));
  }
});
