/**
 * Input and output paths that are not ordinary files: every input read is bounded (256 MiB,
 * the raw-binary output limit too), directories and devices are refused with a file error
 * (exit 3), and a read range past 0xFFFFFFFF is a usage error (exit 2). None is exit 1.
 */
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { appImage, loopbackRecipe, ndjson, project, repoRoot, runCli } from './helpers/cli.js';

const blinkHex = join(repoRoot, 'test/fixtures/firmware/blink-l151/out/blink.hex');

/** The --json summary's error. */
function errorOf(stdout: string): { code?: string; message?: string; hint?: string } {
  const summary = ndjson(stdout).at(-1) as { error?: Record<string, string> } | undefined;
  return summary?.error ?? {};
}

test('convert /dev/zero stops at 256 MiB with exit 3 naming the limit', async (t) => {
  const cwd = await project({});
  const run = await runCli(
    ['convert', '/dev/zero', 'out.bin', '--from', 'bin', '--base', '0x08000000'],
    { cwd },
  );
  t.is(run.code, 3, run.stderr);
  t.regex(
    run.stderr,
    /error FILE_TOO_LARGE: Image file \/dev\/zero \(a character device\) is larger than 256 MiB, the most flashwright reads/,
  );
  t.regex(run.stderr, /hint: Check the path/);
  t.false(existsSync(join(cwd, 'out.bin')));
});

test('a regular file past 256 MiB is refused before it is read', async (t) => {
  const cwd = await project({});
  // Sparse: 256 MiB + 1 byte of size, no disk blocks.
  const handle = await open(join(cwd, 'huge.bin'), 'w');
  await handle.truncate(256 * 1024 * 1024 + 1);
  await handle.close();
  const run = await runCli(['convert', 'huge.bin', 'out.hex', '--base', '0x08000000', '--json'], {
    cwd,
  });
  t.is(run.code, 3, run.stderr);
  t.like(errorOf(run.stdout), { code: 'FILE_TOO_LARGE' });
  t.regex(
    errorOf(run.stdout).message ?? '',
    /huge\.bin \(268435457 bytes\) is larger than 256 MiB/,
  );
});

test('convert . o.bin: the input is a directory (exit 3)', async (t) => {
  const cwd = await project({});
  const run = await runCli(['convert', '.', 'o.bin'], { cwd });
  t.is(run.code, 3, run.stderr);
  t.regex(run.stderr, /error FILE_NOT_REGULAR: Image file .* is a directory/);
  t.regex(run.stderr, /hint: Name the file inside it/);
});

test('convert into a directory that does not exist (exit 3)', async (t) => {
  const cwd = await project({});
  const run = await runCli(['convert', blinkHex, '/nonexistent-dir/x.bin'], { cwd });
  t.is(run.code, 3, run.stderr);
  t.regex(
    run.stderr,
    /error FILE_UNWRITABLE: Cannot write \/nonexistent-dir\/x\.bin: the directory \/nonexistent-dir does not exist/,
  );
  t.regex(run.stderr, /hint: Create \/nonexistent-dir first/);
});

test('read -o /proc/nope/r.bin fails before connecting (exit 3)', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': loopbackRecipe() });
  const run = await runCli(['read', '0x08000000', '16', '-o', '/proc/nope/r.bin'], { cwd });
  t.is(run.code, 3, run.stderr);
  t.regex(run.stderr, /error FILE_UNWRITABLE: Cannot write \/proc\/nope\/r\.bin: the directory/);
  t.regex(run.stderr, /hint: /);
  t.notRegex(run.stdout, /Connect/);
});

test('a read into a directory that takes no files (/proc) is exit 3 after the read', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': loopbackRecipe() });
  const run = await runCli(['read', '0x08000000', '16', '-o', '/proc/r.bin'], { cwd });
  t.is(run.code, 3, run.stderr);
  t.regex(
    run.stderr,
    /error FILE_UNWRITABLE: Cannot write \/proc\/r\.bin: \/proc takes no new files/,
  );
});

test('read 0xFFFFFFFF 16: the range wraps, a usage error naming it (exit 2)', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': loopbackRecipe() });
  const run = await runCli(['read', '0xFFFFFFFF', '16', '-o', 'r.bin'], { cwd });
  t.is(run.code, 2, run.stderr);
  t.regex(
    run.stderr,
    /error USAGE: 0xFFFFFFFF \+ 16 bytes runs past 0xFFFFFFFF, the end of the 32-bit address space/,
  );
  t.regex(run.stderr, /hint: Read at most 1 byte from 0xFFFFFFFF/);
  t.notRegex(run.stdout, /Connect/);
});

test('a recipe read step past 0xFFFFFFFF is a recipe error at its line (exit 2)', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': loopbackRecipe({
      steps: '\n  - connect\n  - read: { address: 0xFFFFFFF0, length: 32, file: r.bin }',
    }),
  });
  const run = await runCli(['run'], { cwd });
  t.is(run.code, 2, run.stderr);
  t.regex(
    run.stderr,
    /flashwright\.config\.yaml:7: steps\[1\]\.read\.length: 0xFFFFFFF0 \+ 32 bytes runs past 0xFFFFFFFF/,
  );
});

test('run --image .: the image is a directory (exit 3)', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': loopbackRecipe(),
    'app.fwtext': appImage,
  });
  const run = await runCli(['run', '--image', '.'], { cwd });
  t.is(run.code, 3, run.stderr);
  t.regex(run.stderr, /error FILE_NOT_REGULAR: Image file .* is a directory/);
  t.notRegex(run.stdout, /Connect/);
});

test('-c naming a directory or a device says what it is (exit 2)', async (t) => {
  const cwd = await project({});
  const dir = await runCli(['run', '-c', '.'], { cwd });
  t.is(dir.code, 2, dir.stderr);
  t.regex(dir.stderr, /error RECIPE_NOT_FOUND: Recipe file .* is a directory, not a file/);
  const device = await runCli(['run', '-c', '/dev/zero'], { cwd });
  t.is(device.code, 2, device.stderr);
  t.regex(device.stderr, /Recipe file \/dev\/zero is a character device, not a file/);
});
