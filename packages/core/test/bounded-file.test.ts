import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { MAX_FILE_BYTES, readInputFile } from '../src/exports/plugin.js';
import { FlashwrightError } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'flashwright-bounded-'));
const options = {
  what: 'Image file',
  missing: { code: 'IMAGE_NOT_FOUND', hint: 'Build it.' },
} as const;

test('the limit is 256 MiB, the raw-binary output limit', (t) => {
  t.is(MAX_FILE_BYTES, 256 * 1024 * 1024);
});

test('a regular file up to the limit is read whole; one byte more is refused', async (t) => {
  const file = join(dir, 'ten.bin');
  writeFileSync(
    file,
    Uint8Array.from({ length: 10 }, (_, i) => i),
  );
  t.deepEqual(
    [...(await readInputFile(file, { ...options, limitBytes: 10 }))],
    [...Array(10).keys()],
  );
  const error = await t.throwsAsync(readInputFile(file, { ...options, limitBytes: 9 }), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'FILE_TOO_LARGE');
  t.is(error?.exitCode, 3);
  t.regex(error?.message ?? '', /ten\.bin \(10 bytes\) is larger than 9 bytes/);
});

test('a pipe is read up to the limit and refused past it', async (t) => {
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const [small] = await Promise.all([
    readInputFile(fifo, { ...options, limitBytes: 3 * 1024 * 1024 }),
    writeFile(fifo, new Uint8Array(2 * 1024 * 1024 + 5).fill(7)),
  ]);
  t.is(small.length, 2 * 1024 * 1024 + 5);
  t.true(small.every((b) => b === 7));
  const [refused] = await Promise.all([
    readInputFile(fifo, { ...options, limitBytes: 1024 * 1024 }).catch((e: unknown) => e),
    // The reader closes the pipe after the limit; the writer then sees EPIPE.
    writeFile(fifo, new Uint8Array(2 * 1024 * 1024)).catch(() => undefined),
  ]);
  t.true(refused instanceof FlashwrightError);
  t.is((refused as FlashwrightError).code, 'FILE_TOO_LARGE');
  t.regex((refused as FlashwrightError).message, /\(a FIFO\) is larger than 1 MiB/);
});

test('a directory and a missing file', async (t) => {
  const directory = await t.throwsAsync(readInputFile(dir, options), {
    instanceOf: FlashwrightError,
  });
  t.is(directory?.code, 'FILE_NOT_REGULAR');
  t.regex(directory?.message ?? '', /is a directory/);
  const missing = await t.throwsAsync(readInputFile(join(dir, 'nope.hex'), options), {
    instanceOf: FlashwrightError,
  });
  t.is(missing?.code, 'IMAGE_NOT_FOUND');
  t.is(missing?.hint, 'Build it.');
});
