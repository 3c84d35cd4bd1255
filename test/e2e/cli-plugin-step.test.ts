import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loopbackRecipe, ndjson, project, runCli } from './helpers/cli.js';

// The example plugin's destructive step (example/stamp, test/fixtures/example-plugin/step.js)
// through the CLI: confirmed by the runner like a built-in step, its erase and program go
// through the run's flash access, so progress events flow and a failure lists the flash state.

const STAMP = 0x08000800;
const stampStep = (confirm = ', confirm: erase-stamp-sector'): string =>
  `[connect, { example/stamp: { address: ${STAMP}, text: SN-0042${confirm} } }]`;

interface Summary {
  readonly exitCode: number;
  readonly journal?: Record<string, { start: number; end: number }[]>;
}

async function stampProject(steps: string, probeOptions = 'state: board.json') {
  return project({ 'flashwright.config.yaml': loopbackRecipe({ probeOptions, steps }) });
}

test('a plugin step erases and programs with progress events, and asks for its phrase', async (t) => {
  const refused = await runCli(['run'], { cwd: await stampProject(stampStep('')) });
  t.is(refused.code, 6);
  t.regex(refused.stderr, /Refusing to erase the sector at 0x08000800 for a stamp/);
  t.regex(refused.stderr, /hint: Add `confirm: erase-stamp-sector` to the step at steps\[1\]/);
  const byFlag = await runCli(['run', '--confirm', 'erase-stamp-sector'], {
    cwd: await stampProject(stampStep('')),
  });
  t.is(byFlag.code, 0, byFlag.stderr);

  const cwd = await stampProject(stampStep());
  const run = await runCli(['run', '--json'], { cwd });
  t.is(run.code, 0, run.stderr);
  const events = ndjson(run.stdout);
  const progress = events.filter((e) => e.type === 'progress' && e.id === 'example/stamp');
  t.deepEqual(
    progress.map((e) => [e.operation, e.doneBytes, e.totalBytes]),
    [
      ['erase', 1024, 1032],
      ['program', 1032, 1032],
    ],
  );
  t.like(
    events.find((e) => e.type === 'step-end' && e.id === 'example/stamp'),
    { status: 'done', summary: 'stamped "SN-0042" at 0x08000800', bytes: 7 },
  );
  const state = JSON.parse(await readFile(join(cwd, 'board.json'), 'utf8')) as { flash: string };
  const flash = Buffer.from(state.flash, 'base64');
  t.is(flash.subarray(0x800, 0x808).toString('latin1'), 'SN-0042\xff');
});

test('a plugin step failing mid-program exits 7 with the flash state in the summary', async (t) => {
  const cwd = await stampProject(stampStep(), `failProgramAt: ${STAMP + 2}`);
  const run = await runCli(['run', '--json'], { cwd });
  t.is(run.code, 7, run.stderr);
  const summary = ndjson(run.stdout).at(-1) as unknown as Summary;
  t.deepEqual(summary.journal?.erased, [{ start: STAMP + 8, end: STAMP + 0x400 }]);
  t.deepEqual(summary.journal?.unknown, [{ start: STAMP, end: STAMP + 8 }]);
});
