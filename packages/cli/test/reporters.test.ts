import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { errorLines, progressLine } from '../src/output/describe.js';
import { JsonReporter } from '../src/output/json-reporter.js';
import { PlainReporter } from '../src/output/plain-reporter.js';
import type { Summary } from '../src/output/reporter.js';
import { parseInteger } from '../src/options.js';

const summary: Summary = {
  type: 'summary',
  command: 'run',
  status: 'ok',
  exitCode: 0,
  durationMs: 5,
  dryRun: false,
};

test('JsonReporter: one JSON object per line, progress throttled but the last one kept, nothing after the summary', (t) => {
  const lines: string[] = [];
  const reporter = new JsonReporter((line) => lines.push(line));
  reporter.event({ type: 'step-start', index: 0, count: 1, id: 'write', title: 'Write' });
  for (let done = 1; done <= 100; done++) {
    reporter.event({
      type: 'progress',
      index: 0,
      id: 'write',
      operation: 'program',
      doneBytes: done,
      totalBytes: 100,
    });
  }
  reporter.output({ kind: 'info', data: { bytes: Uint8Array.of(1, 255) }, lines: ['ignored'] });
  reporter.finish(summary, undefined);
  reporter.message('warning', 'too late');
  t.true(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n')));
  const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const progress = objects.filter((o) => o.type === 'progress');
  t.true(progress.length >= 2 && progress.length < 10, `throttled to ${progress.length}`);
  t.is(progress.at(-1)?.doneBytes, 100, 'the final progress line always goes out');
  t.deepEqual(
    objects.find((o) => o.type === 'info'),
    { type: 'info', bytes: '01ff' },
  );
  t.like(objects.at(-1), { type: 'summary', status: 'ok' });
});

test('PlainReporter: numbered steps, summaries, warnings on stderr, the error with hint and journal', (t) => {
  let out = '';
  let err = '';
  const reporter = new PlainReporter({
    verbose: false,
    out: (s) => (out += s),
    err: (s) => (err += s),
  });
  reporter.event({
    type: 'step-start',
    index: 1,
    count: 3,
    id: 'erase',
    title: 'Erase touched sectors',
  });
  reporter.event({
    type: 'step-end',
    index: 1,
    id: 'erase',
    status: 'done',
    durationMs: 1500,
    summary: 'erased 2 sectors',
  });
  reporter.event({
    type: 'step-end',
    index: 2,
    id: 'unprotect',
    status: 'skipped',
    durationMs: 3,
    summary: 'not protected',
  });
  reporter.event({ type: 'warning', message: 'write without verify' });
  const error = new FlashwrightError('FLASH_PROGRAM_FAILED', 'Programming failed at 0x08000400', {
    details: {
      journal: {
        erased: [],
        written: [],
        unknown: [],
        lines: ['written  0x08000000..0x080003FF', 'unknown  0x08000400..0x080007FF'],
      },
    },
  });
  reporter.finish({ ...summary, status: 'failed', exitCode: 7 }, error);
  t.is(
    out,
    '[2/3] Erase touched sectors\n      erased 2 sectors (1.50 s)\n      skipped: not protected (3 ms)\n',
  );
  t.regex(err, /^warning: write without verify\n/);
  t.regex(err, /error FLASH_PROGRAM_FAILED: Programming failed at 0x08000400\n/);
  t.regex(
    err,
    /flash state after the failure:\n {4}written {2}0x08000000\.\.0x080003FF\n {4}unknown {2}0x08000400\.\.0x080007FF/,
  );
});

test('errorLines adds the catalogue hint and, with -v, the cause', (t) => {
  const error = new FlashwrightError('PROBE_TIMEOUT', 'No answer', {
    cause: new Error('LIBUSB_ERROR_TIMEOUT'),
  });
  const quiet = errorLines(error, false);
  t.deepEqual(quiet, [
    'error PROBE_TIMEOUT: No answer',
    '  hint: Unplug and replug the probe, then try again.',
  ]);
  t.regex(errorLines(error, true).join('\n'), /cause: Error: LIBUSB_ERROR_TIMEOUT/);
});

test('progressLine shows bytes, rate and ETA', (t) => {
  t.is(progressLine(32 * 1024, 128 * 1024, 1000), '32.0 KB/128.0 KB  32.0 KB/s  ETA 3 s');
  t.is(progressLine(0, 1024, 0), '0 B/1.0 KB');
});

test('parseInteger takes decimal and 0x hex, nothing else', (t) => {
  t.is(parseInteger('0x08000000'), 0x08000000);
  t.is(parseInteger('4096'), 4096);
  t.throws(() => parseInteger('4K'));
  t.throws(() => parseInteger('-1'));
});
