/**
 * Success is never reported for flash nobody read back: a recipe that writes without a
 * verify step ends with "written, NOT verified" (and `verified: false` in the JSON
 * summary), not with "ok". With verify it says ok, and the summary says verified.
 */
import test from 'ava';
import { runCli } from './helpers/cli.js';
import { boardProject, jsonRun } from './doctor-harness.js';

test('write without verify: warned up front, and the end says NOT verified instead of ok', async (t) => {
  const cwd = await boardProject({
    device: 'STM32L151CBxxA',
    steps: '[connect, { erase: auto }, write]',
  });
  const human = await runCli(['run'], { cwd });
  t.is(human.code, 0, human.stderr);
  t.regex(human.stderr, /warning: The recipe writes without verifying \(steps\[2\]\)/);
  t.regex(human.stdout, /^written, NOT verified \(\d/m);
  t.notRegex(human.stdout, /^ok /m);

  const json = await jsonRun(cwd, ['run']);
  t.is(json.code, 0);
  t.is(json.summary.result?.['verified'], false);
  t.like(json.summary, { status: 'unverified' }, 'never "ok" for flash nobody read back');
});

test('with verify the run is ok, and the summary says it was verified', async (t) => {
  const cwd = await boardProject({ device: 'STM32L151CBxxA' });
  const human = await runCli(['run'], { cwd });
  t.is(human.code, 0, human.stderr);
  t.regex(human.stdout, /^ok \(\d/m);
  const json = await jsonRun(cwd, ['run']);
  t.is(json.summary.result?.['verified'], true);
  t.like(json.summary, { status: 'ok' });
});

test('a run that writes nothing makes no claim about verification', async (t) => {
  const cwd = await boardProject({ device: 'STM32L151CBxxA', steps: '[connect]' });
  const json = await jsonRun(cwd, ['run']);
  t.is(json.code, 0);
  t.is(json.summary.result?.['verified'], undefined);
  t.like(json.summary, { status: 'ok' });
});
