/**
 * `flashwright convert` end to end: the built CLI converts the blink fixtures between every
 * pair of formats, and the result is checked by parsing it with the format plugins.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import type { FlashImage } from '@flashwright/core/image';
import type { ImageFormat } from '@flashwright/core/plugin';
import { plugin as binPlugin } from '@flashwright/format-bin';
import { plugin as elfPlugin } from '@flashwright/format-elf';
import { plugin as ihexPlugin } from '@flashwright/format-ihex';
import { plugin as srecPlugin } from '@flashwright/format-srec';

const test = anyTest as TestFn<{ dir: string }>;

const cli = new URL('../../../packages/cli/dist/src/bin.js', import.meta.url).pathname;
const fixtureDir = new URL('../../fixtures/firmware/blink-l151/out/', import.meta.url).pathname;
const BASE = 0x08000000;
const ENTRY = 0x080000f9;

const formats: Record<string, ImageFormat> = Object.fromEntries(
  [ihexPlugin(), srecPlugin(), elfPlugin(), binPlugin()].map((p) => {
    const format = p.formats![0]!;
    return [format.id, format];
  }),
);

interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

function convert(cwd: string, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, 'convert', ...args],
      { cwd, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ exitCode, stdout, stderr });
      },
    );
  });
}

const read = (format: string, file: string, base?: number): FlashImage =>
  formats[format]!.parse(readFileSync(file), { fileName: file, base });

/** The blink-gap build as objcopy wrote it: two blocks and an entry point. */
const reference = read('elf', join(fixtureDir, 'blink-gap.elf'));

test.before((t) => {
  t.context = { dir: mkdtempSync(join(tmpdir(), 'flashwright-convert-')) };
});
test.after.always((t) => {
  rmSync(t.context.dir, { recursive: true, force: true });
});

const inputs = [
  { file: 'blink-gap.elf', args: [] as string[], keepsLayout: true },
  { file: 'blink-gap.hex', args: [], keepsLayout: true },
  { file: 'blink-gap.srec', args: [], keepsLayout: true },
  { file: 'blink-gap.bin', args: ['--base', '0x08000000'], keepsLayout: false },
];
const outputs = [
  { ext: 'hex', format: 'ihex' },
  { ext: 'srec', format: 'srec' },
  { ext: 'elf', format: 'elf' },
  { ext: 'bin', format: 'bin' },
];

for (const input of inputs) {
  for (const output of outputs) {
    test(`convert ${input.file} to .${output.ext}`, async (t) => {
      const out = join(t.context.dir, `${input.file}-to.${output.ext}`);
      const run = await convert(t.context.dir, join(fixtureDir, input.file), out, ...input.args);
      t.is(run.exitCode, 0, run.stderr);
      t.true(existsSync(out));
      if (output.format === 'bin') {
        // A raw binary spans the image from its first byte; gaps are 0xFF, not objcopy's 0x00.
        const bytes = readFileSync(out);
        const extent = reference.extent()!;
        t.is(bytes.length, extent.end - extent.start);
        const fill = input.keepsLayout ? 0xff : 0x00;
        t.true(Buffer.from(reference.read(BASE, bytes.length, fill)).equals(bytes));
        return;
      }
      const image = read(output.format, out);
      if (input.keepsLayout) {
        t.true(image.equals(reference), 'blocks differ from the ELF');
        t.is(image.entryPoint, ENTRY, 'entry point lost');
      } else {
        // From a raw binary: one block covering the gap (as zeros), and no entry point.
        t.true(image.equals(read('bin', join(fixtureDir, 'blink-gap.bin'), BASE)));
        t.is(image.entryPoint, undefined);
      }
    });
  }
}

test('the input format is sniffed when the extension says nothing', async (t) => {
  const disguised = join(t.context.dir, 'firmware.txt');
  writeFileSync(disguised, readFileSync(join(fixtureDir, 'blink-gap.srec')));
  const out = join(t.context.dir, 'sniffed.hex');
  const run = await convert(t.context.dir, disguised, out);
  t.is(run.exitCode, 0, run.stderr);
  t.true(read('ihex', out).equals(reference));
});

test('--from and --to override the extensions', async (t) => {
  const hexAsDat = join(t.context.dir, 'image.dat');
  writeFileSync(hexAsDat, readFileSync(join(fixtureDir, 'blink-gap.hex')));
  const out = join(t.context.dir, 'image.out.txt');
  const run = await convert(t.context.dir, hexAsDat, out, '--from', 'ihex', '--to', 'srec');
  t.is(run.exitCode, 0, run.stderr);
  t.true(formats['srec']!.sniff(readFileSync(out)));
  t.true(read('srec', out).equals(reference));
});

test('--dry-run reads and reports but writes nothing', async (t) => {
  const out = join(t.context.dir, 'dry.hex');
  const run = await convert(t.context.dir, join(fixtureDir, 'blink-gap.elf'), out, '--dry-run');
  t.is(run.exitCode, 0, run.stderr);
  t.false(existsSync(out));
  t.regex(run.stdout, /0x08000000\.\.0x080001BB/);
  t.regex(run.stdout, /0x0801FC00\.\.0x0801FC0F/);
});

test('--json ends with a summary that has the byte count', async (t) => {
  const out = join(t.context.dir, 'json.srec');
  const run = await convert(t.context.dir, join(fixtureDir, 'blink.elf'), out, '--json');
  t.is(run.exitCode, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  const summary = JSON.parse(lines.at(-1)!) as { type: string; exitCode: number; status: string };
  t.like(summary, { type: 'summary', exitCode: 0 });
  t.true(read('srec', out).equals(read('elf', join(fixtureDir, 'blink.elf'))));
});

test('--fill sets the gap byte of a raw binary', async (t) => {
  const out = join(t.context.dir, 'filled.bin');
  const run = await convert(
    t.context.dir,
    join(fixtureDir, 'blink-gap.hex'),
    out,
    '--fill',
    '0x00',
  );
  t.is(run.exitCode, 0, run.stderr);
  // objcopy fills gaps with 0x00: with --fill 0x00 the result is objcopy's binary exactly.
  t.true(readFileSync(out).equals(readFileSync(join(fixtureDir, 'blink-gap.bin'))));

  const other = join(t.context.dir, 'filled-a5.bin');
  const runA5 = await convert(
    t.context.dir,
    join(fixtureDir, 'blink-gap.hex'),
    other,
    '--fill',
    '165',
  );
  t.is(runA5.exitCode, 0, runA5.stderr);
  const bytes = readFileSync(other);
  const [first, second] = reference.ranges();
  t.true(bytes.subarray(first!.end - BASE, second!.start - BASE).every((b) => b === 0xa5));
  t.true(Buffer.from(reference.read(BASE, bytes.length, 0xa5)).equals(bytes));
});

test('--fill goes through --to bin as well, whatever the extension', async (t) => {
  const out = join(t.context.dir, 'filled.img');
  const run = await convert(
    t.context.dir,
    join(fixtureDir, 'blink-gap.srec'),
    out,
    '--to',
    'bin',
    '--fill',
    '0',
  );
  t.is(run.exitCode, 0, run.stderr);
  t.true(readFileSync(out).equals(readFileSync(join(fixtureDir, 'blink-gap.bin'))));
});

test('--fill with a format that keeps gaps is ignored with a warning', async (t) => {
  const out = join(t.context.dir, 'fill-ignored.hex');
  const run = await convert(t.context.dir, join(fixtureDir, 'blink-gap.elf'), out, '--fill', '0');
  t.is(run.exitCode, 0, run.stderr);
  t.regex(run.stderr, /--fill applies to raw binary output only; ihex keeps the gaps/);
  t.true(read('ihex', out).equals(reference));
});

test('--fill must be a byte: a bad value is a usage error (exit 2) and writes nothing', async (t) => {
  for (const value of ['256', '0x100', 'ff', '-1']) {
    const out = join(t.context.dir, `bad-fill-${value}.bin`);
    const run = await convert(
      t.context.dir,
      join(fixtureDir, 'blink-gap.hex'),
      out,
      `--fill=${value}`,
    );
    t.is(run.exitCode, 2, `${value}: ${run.stderr}`);
    t.regex(run.stderr, /--fill/);
    t.false(existsSync(out));
  }
});

test('--format is --to under the name issue 6 gives it; the two must agree', async (t) => {
  const out = join(t.context.dir, 'as-format.txt');
  const run = await convert(
    t.context.dir,
    join(fixtureDir, 'blink-gap.elf'),
    out,
    '--format',
    'srec',
  );
  t.is(run.exitCode, 0, run.stderr);
  t.true(read('srec', out).equals(reference));

  const clash = join(t.context.dir, 'clash.txt');
  const refused = await convert(
    t.context.dir,
    join(fixtureDir, 'blink-gap.elf'),
    clash,
    '--to',
    'ihex',
    '--format',
    'srec',
  );
  t.is(refused.exitCode, 2);
  t.regex(refused.stderr, /--to ihex and --format srec disagree/);
  t.false(existsSync(clash));
});

test('.sx and .srecord outputs are S-records', async (t) => {
  for (const ext of ['sx', 'srecord']) {
    const out = join(t.context.dir, `ext.${ext}`);
    const run = await convert(t.context.dir, join(fixtureDir, 'blink-gap.hex'), out);
    t.is(run.exitCode, 0, run.stderr);
    t.true(formats['srec']!.sniff(readFileSync(out)), ext);
    t.true(read('srec', out).equals(reference), ext);
    // ... and read back as S-records by extension too.
    const back = join(t.context.dir, `ext-${ext}.hex`);
    const again = await convert(t.context.dir, out, back);
    t.is(again.exitCode, 0, again.stderr);
    t.true(read('ihex', back).equals(reference), ext);
  }
});
