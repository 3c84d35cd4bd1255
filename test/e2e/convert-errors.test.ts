/**
 * `flashwright convert` with bad input: each failure exits 3 (input file error) with the
 * catalogue code, a message that points at the problem (file:line:column for text formats)
 * and a hint, and writes no output file.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';

const test = anyTest as TestFn<{ dir: string }>;

const cli = new URL('../../../packages/cli/dist/src/bin.js', import.meta.url).pathname;
const fixtureDir = new URL('../../fixtures/firmware/blink-l151/out/', import.meta.url).pathname;

interface Summary {
  readonly type: string;
  readonly exitCode: number;
  readonly error?: {
    readonly code: string;
    readonly message: string;
    readonly hint?: string;
    readonly details?: Record<string, unknown>;
  };
}

interface CliRun {
  readonly exitCode: number;
  readonly stderr: string;
  readonly summary: Summary;
}

/** Runs convert twice: once for the human output (stderr), once with --json for the summary. */
async function convert(cwd: string, ...args: string[]): Promise<CliRun> {
  const once = (extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [cli, 'convert', ...args, ...extra],
        { cwd, env: { ...process.env, NO_COLOR: '1' } },
        (error, stdout, stderr) => {
          resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
        },
      );
    });
  const human = await once([]);
  const json = await once(['--json']);
  const last = json.stdout.trim().split('\n').at(-1) ?? '';
  let summary: Summary;
  try {
    summary = JSON.parse(last) as Summary;
  } catch {
    throw new Error(
      `convert --json printed no summary line; stdout: ${json.stdout} stderr: ${json.stderr}`,
    );
  }
  return { exitCode: human.code, stderr: human.stderr, summary };
}

test.before((t) => {
  t.context = { dir: mkdtempSync(join(tmpdir(), 'flashwright-convert-errors-')) };
});
test.after.always((t) => {
  rmSync(t.context.dir, { recursive: true, force: true });
});

function write(
  t: { context: { dir: string } },
  name: string,
  content: string | Uint8Array,
): string {
  const file = join(t.context.dir, name);
  writeFileSync(file, content);
  return file;
}

test('a checksum error: exit 3, file:line:column, expected and found', async (t) => {
  const hex = readFileSync(join(fixtureDir, 'blink.hex'), 'latin1').split('\r\n');
  // Line 3 is ":10001000F5000008F5000008F500000800000000E9"; break its checksum.
  hex[2] = `${hex[2]!.slice(0, -2)}00`;
  const input = write(t, 'corrupt.hex', hex.join('\r\n'));
  const out = join(t.context.dir, 'corrupt.bin');
  const run = await convert(t.context.dir, input, out);
  t.is(run.exitCode, 3);
  t.false(existsSync(out));
  t.regex(run.stderr, /IMAGE_CHECKSUM/);
  t.regex(run.stderr, /corrupt\.hex:3:42: record checksum is 0x00, expected 0xE9/);
  t.regex(run.stderr, /hint: /);
  t.like(run.summary, {
    exitCode: 3,
    error: { code: 'IMAGE_CHECKSUM', details: { line: 3, column: 42, expected: 0xe9, found: 0 } },
  });
});

test('a truncated S-record file', async (t) => {
  const srec = readFileSync(join(fixtureDir, 'blink.srec'), 'latin1');
  const input = write(t, 'cut.srec', srec.slice(0, srec.length / 2));
  const run = await convert(t.context.dir, input, join(t.context.dir, 'cut.hex'));
  t.is(run.exitCode, 3);
  t.is(run.summary.error?.code, 'IMAGE_TRUNCATED');
  t.regex(run.stderr, /cut\.srec:\d+:\d+: the file ends inside a record/);
});

test('overlapping records name both lines', async (t) => {
  const input = write(
    t,
    'overlap.hex',
    [':020000040800F2', ':0400000001020304F2', ':020002000909EA', ':00000001FF', ''].join('\n'),
  );
  const run = await convert(t.context.dir, input, join(t.context.dir, 'overlap.srec'));
  t.is(run.exitCode, 3);
  t.is(run.summary.error?.code, 'IMAGE_OVERLAP');
  t.regex(run.stderr, /overlap\.hex: line 3 writes 0x08000002, which line 2 already wrote/);
});

test('a raw binary without --base says how to give one', async (t) => {
  const run = await convert(
    t.context.dir,
    join(fixtureDir, 'blink.bin'),
    join(t.context.dir, 'x.hex'),
  );
  t.is(run.exitCode, 3);
  t.is(run.summary.error?.code, 'IMAGE_BASE_REQUIRED');
  t.regex(run.stderr, /--base 0x08000000/);
});

test('a 64-bit ELF and an ELF for another machine are unsupported, saying what they are', async (t) => {
  const elf64 = new Uint8Array(64);
  elf64.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  elf64[18] = 62;
  const run64 = await convert(
    t.context.dir,
    write(t, 'host.elf', elf64),
    join(t.context.dir, 'a.hex'),
  );
  t.is(run64.exitCode, 3);
  t.is(run64.summary.error?.code, 'IMAGE_UNSUPPORTED');
  t.regex(run64.stderr, /64-bit ELF \(ELFCLASS64\) for x86-64/);

  const x86 = readFileSync(join(fixtureDir, 'blink.elf'));
  x86.writeUInt16LE(3, 18);
  const runX86 = await convert(
    t.context.dir,
    write(t, 'x86.elf', x86),
    join(t.context.dir, 'b.hex'),
  );
  t.is(runX86.exitCode, 3);
  t.regex(runX86.stderr, /ELF for x86 \(EM_386\), expected ARM \(EM_ARM\)/);
});

test('content that no format recognises', async (t) => {
  const input = write(t, 'notes.txt', 'just some text\n');
  const run = await convert(t.context.dir, input, join(t.context.dir, 'notes.hex'));
  t.is(run.exitCode, 3);
  t.is(run.summary.error?.code, 'IMAGE_FORMAT_UNKNOWN');
});

test('a missing input file', async (t) => {
  const run = await convert(
    t.context.dir,
    join(t.context.dir, 'nope.hex'),
    join(t.context.dir, 'x.bin'),
  );
  t.is(run.exitCode, 3);
  t.is(run.summary.error?.code, 'IMAGE_NOT_FOUND');
});

test('the wrong --from is a clear input error, not a crash', async (t) => {
  const run = await convert(
    t.context.dir,
    join(fixtureDir, 'blink.hex'),
    join(t.context.dir, 'x.bin'),
    '--from',
    'srec',
  );
  t.is(run.exitCode, 3);
  t.is(run.summary.error?.code, 'IMAGE_MALFORMED');
  t.regex(run.stderr, /blink\.hex:1:1: expected 'S' to start a record, found ':'/);
});

test('a raw binary output past 256 MiB is refused by the bin plugin; no file is written', async (t) => {
  // One byte in flash, one in SRAM: 384 MiB apart, almost all of it fill.
  const input = write(
    t,
    'far-apart.hex',
    [
      ':020000040800F2',
      ':0100000011EE',
      ':020000042000DA',
      ':0100000022DD',
      ':00000001FF',
      '',
    ].join('\n'),
  );
  for (const args of [['far.bin'], ['far.img', '--to', 'bin']]) {
    const out = join(t.context.dir, args[0]!);
    const run = await convert(t.context.dir, input, out, ...args.slice(1));
    t.is(run.exitCode, 3, run.stderr);
    t.is(run.summary.error?.code, 'IMAGE_UNSUPPORTED');
    t.regex(run.stderr, /would be 384\.0 MiB, mostly fill/);
    t.regex(run.stderr, /Write Intel HEX, S-record or ELF instead/);
    t.false(existsSync(out));
  }
});
