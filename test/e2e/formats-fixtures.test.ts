/**
 * One build, every format: the blink fixtures (test/fixtures/firmware/blink-l151, built with
 * arm-none-eabi-gcc and written by objcopy as ELF, Intel HEX, S-record and raw binary) must
 * parse to the identical image through the four format plugins, equal to objcopy -O binary
 * at the ELF's load address.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import type { ImageFormat } from '@flashwright/core/plugin';
import { plugin as binPlugin } from '@flashwright/format-bin';
import { plugin as elfPlugin } from '@flashwright/format-elf';
import { plugin as ihexPlugin } from '@flashwright/format-ihex';
import { plugin as srecPlugin } from '@flashwright/format-srec';

const fixtureDir = new URL('../../fixtures/firmware/blink-l151/out/', import.meta.url);
const fixture = (name: string): Uint8Array => readFileSync(new URL(name, fixtureDir));
const formats: readonly ImageFormat[] = [ihexPlugin(), srecPlugin(), elfPlugin(), binPlugin()].map(
  (p) => p.formats![0]!,
);
const format = (id: string): ImageFormat => formats.find((f) => f.id === id)!;
const BASE = 0x08000000;
const ENTRY = 0x080000f9;

for (const variant of ['blink', 'blink-gap']) {
  test(`${variant}: ELF, HEX and S-record give the identical image and entry point`, (t) => {
    const elf = format('elf').parse(fixture(`${variant}.elf`), { fileName: `${variant}.elf` });
    const hex = format('ihex').parse(fixture(`${variant}.hex`), { fileName: `${variant}.hex` });
    const srec = format('srec').parse(fixture(`${variant}.srec`), { fileName: `${variant}.srec` });
    t.true(hex.equals(elf), 'hex differs from elf');
    t.true(srec.equals(elf), 'srec differs from elf');
    for (const image of [elf, hex, srec]) t.is(image.entryPoint, ENTRY);
    t.is(elf.extent()?.start, BASE);
  });

  test(`${variant}: every format equals objcopy -O binary at the load address`, async (t) => {
    const bin = fixture(`${variant}.bin`);
    const flat = format('bin').parse(bin, { fileName: `${variant}.bin`, base: BASE });
    for (const id of ['elf', 'ihex', 'srec']) {
      const ext = id === 'ihex' ? 'hex' : id;
      const image = format(id).parse(fixture(`${variant}.${ext}`));
      // objcopy fills the gaps between sections with zeros.
      t.true(Buffer.from(image.read(BASE, bin.length, 0x00)).equals(bin), `${id} vs .bin`);
      const extent = image.extent()!;
      t.true((await image.fillGaps([extent], 0x00)).equals(flat), `${id} filled vs bin image`);
    }
  });
}

test('the gap variant has two blocks with a hole, the plain one a single block', (t) => {
  const gap = format('elf').parse(fixture('blink-gap.elf'));
  t.is(gap.blocks.size, 2);
  t.deepEqual(gap.gaps([gap.extent()!]), [{ start: 0x080001bc, end: 0x0801fc00 }]);
  t.is(format('elf').parse(fixture('blink.elf')).blocks.size, 1);
});

test('the big-endian ELF matches its objcopy binary', (t) => {
  const image = format('elf').parse(fixture('blink-be.elf'));
  const bin = fixture('blink-be.bin');
  t.true(Buffer.from(image.read(BASE, bin.length, 0)).equals(bin));
  t.false(image.equals(format('elf').parse(fixture('blink.elf'))));
});

test('each fixture is sniffed by its own format only', (t) => {
  const expected: Record<string, string | undefined> = {
    'blink.elf': 'elf',
    'blink.hex': 'ihex',
    'blink.srec': 'srec',
    'blink.bin': undefined,
    'blink-be.elf': 'elf',
  };
  for (const [name, id] of Object.entries(expected)) {
    const head = fixture(name).subarray(0, 512);
    const sniffed = formats.filter((f) => f.sniff(head)).map((f) => f.id);
    t.deepEqual(sniffed, id === undefined ? [] : [id], name);
  }
});

test('extensions are distinct across formats and name each fixture’s format', (t) => {
  const all = formats.flatMap((f) => f.extensions);
  t.is(new Set(all).size, all.length);
  for (const ext of all) t.regex(ext, /^\.[a-z0-9]+$/);
  for (const [name, id] of [
    ['blink.elf', 'elf'],
    ['blink.hex', 'ihex'],
    ['blink.srec', 'srec'],
    ['blink.bin', 'bin'],
  ] as const) {
    t.is(formats.find((f) => f.extensions.includes(extname(name)))?.id, id, name);
  }
});

test('a file given to the wrong format fails with an input error, never a crash', (t) => {
  for (const [id, name] of [
    ['ihex', 'blink.elf'],
    ['ihex', 'blink.srec'],
    ['srec', 'blink.hex'],
    ['srec', 'blink.bin'],
    ['elf', 'blink.hex'],
    ['elf', 'blink.bin'],
  ] as const) {
    const error = t.throws(() => format(id).parse(fixture(name), { fileName: name }), {
      instanceOf: FlashwrightError,
    });
    t.true(error.code.startsWith('IMAGE_'), `${id} on ${name}: ${error.code}`);
    t.is(error.exitCode, 3);
    t.true(error.message.startsWith(`${name}:`), error.message);
  }
});

test('every writer’s output reads back to the same image in every reader', (t) => {
  const original = format('elf').parse(fixture('blink-gap.elf'));
  for (const writer of formats) {
    const bytes = writer.serialize!(original, { fill: 0xff });
    const reader = format(writer.id);
    const back = reader.parse(bytes, { fileName: `out.${writer.id}`, base: BASE });
    if (writer.id === 'bin') {
      // A raw binary keeps neither gaps nor the entry point.
      t.true(
        back
          .slice({ start: 0x0801fc00, end: 0x0801fc10 })
          .equals(original.slice({ start: 0x0801fc00, end: 0x0801fc10 })),
      );
      t.is(back.size, 0x0801fc10 - BASE);
      t.is(back.entryPoint, undefined);
    } else {
      t.true(back.equals(original), writer.id);
      t.is(back.entryPoint, ENTRY, writer.id);
    }
  }
});

const hasObjcopy = spawnSync('arm-none-eabi-objcopy', ['--version']).status === 0;
const withObjcopy = hasObjcopy ? test : test.skip;

withObjcopy('objcopy reading our HEX, S-record and ELF output gives the fixture binary', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flashwright-formats-'));
  try {
    const image = format('ihex').parse(fixture('blink-gap.hex'));
    for (const [id, bfd] of [
      ['ihex', 'ihex'],
      ['srec', 'srec'],
      ['elf', 'elf32-littlearm'],
    ] as const) {
      const input = join(dir, `ours.${id}`);
      const output = join(dir, `ours-${id}.bin`);
      writeFileSync(input, format(id).serialize!(image));
      const run = spawnSync('arm-none-eabi-objcopy', ['-I', bfd, '-O', 'binary', input, output], {
        encoding: 'utf8',
      });
      t.is(run.status, 0, run.stderr);
      t.true(readFileSync(output).equals(fixture('blink-gap.bin')), id);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
