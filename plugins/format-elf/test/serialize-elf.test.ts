import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { FlashwrightError, PLUGIN_API_VERSION } from '@flashwright/core';
import { FlashImage } from '@flashwright/core/image';
import {
  PACKAGE_NAME,
  PACKAGE_VERSION,
  elfFormat,
  parseElf,
  plugin,
  serializeElf,
  sniffElf,
} from '../src/index.js';
import { fixtureUrl } from './elf-builder.js';

const hasObjcopy = spawnSync('arm-none-eabi-objcopy', ['--version']).status === 0;
const withObjcopy = hasObjcopy ? test : test.skip;

const image = FlashImage.from(
  [
    [0x08000000, Uint8Array.of(0x00, 0x80, 0x00, 0x20, 0xf9, 0x00, 0x00, 0x08)],
    [0x0801fc00, Uint8Array.of(0x52, 0x57, 0x4c, 0x46)],
  ],
  { entryPoint: 0x080000f9 },
);

test('writes an ELF32 little-endian ARM executable header byte for byte', (t) => {
  const elf = serializeElf(image);
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  t.deepEqual(
    [...elf.subarray(0, 16)],
    [0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  );
  t.is(view.getUint16(16, true), 2, 'ET_EXEC');
  t.is(view.getUint16(18, true), 40, 'EM_ARM');
  t.is(view.getUint32(24, true), 0x080000f9, 'e_entry');
  t.is(view.getUint32(28, true), 52, 'e_phoff');
  t.is(view.getUint32(36, true), 0x05000000, 'EABI version 5');
  t.is(view.getUint16(44, true), 2, 'e_phnum');
  t.is(view.getUint16(48, true), 4, 'e_shnum: null, .shstrtab, .load0, .load1');
  // Program header 1: PT_LOAD at 0x0801FC00, 4 bytes, its data at p_offset.
  const ph1 = 52 + 32;
  t.is(view.getUint32(ph1, true), 1);
  t.is(view.getUint32(ph1 + 12, true), 0x0801fc00);
  t.is(view.getUint32(ph1 + 16, true), 4);
  const offset = view.getUint32(ph1 + 4, true);
  t.deepEqual([...elf.subarray(offset, offset + 4)], [0x52, 0x57, 0x4c, 0x46]);
});

test('round trip: our ELF parses back to the same image and entry point', (t) => {
  const back = parseElf(serializeElf(image));
  t.true(back.equals(image));
  t.is(back.entryPoint, 0x080000f9);
  const fixture = parseElf(readFileSync(fixtureUrl('blink-gap.elf')));
  t.true(parseElf(serializeElf(fixture)).equals(fixture));
});

test('an empty image is a valid ELF with nothing to load', (t) => {
  const elf = serializeElf(FlashImage.empty());
  t.true(sniffElf(elf));
  const error = t.throws(() => parseElf(elf), { instanceOf: FlashwrightError });
  t.is(error.code, 'IMAGE_MALFORMED');
});

withObjcopy('the committed .bin files match a fresh objcopy -O binary of the .elf', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flashwright-elf-'));
  try {
    for (const name of ['blink', 'blink-gap', 'blink-be']) {
      const out = join(dir, `${name}.bin`);
      const run = spawnSync('arm-none-eabi-objcopy', [
        '-O',
        'binary',
        fixtureUrl(`${name}.elf`).pathname,
        out,
      ]);
      t.is(run.status, 0);
      const fresh = readFileSync(out);
      t.true(fresh.equals(readFileSync(fixtureUrl(`${name}.bin`))), name);
      const parsed = parseElf(readFileSync(fixtureUrl(`${name}.elf`)));
      t.true(Buffer.from(parsed.read(0x08000000, fresh.length, 0)).equals(fresh), name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

withObjcopy('binutils reads our ELF: objcopy -O binary gives the image bytes', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flashwright-elf-'));
  try {
    const elfPath = join(dir, 'ours.elf');
    writeFileSync(elfPath, serializeElf(image));
    const binPath = join(dir, 'ours.bin');
    const run = spawnSync('arm-none-eabi-objcopy', ['-O', 'binary', elfPath, binPath], {
      encoding: 'utf8',
    });
    t.is(run.status, 0, run.stderr);
    t.is(run.stderr, '');
    const bin = readFileSync(binPath);
    t.is(bin.length, 0x0801fc04 - 0x08000000);
    t.true(Buffer.from(image.read(0x08000000, bin.length, 0)).equals(bin));
    const readelf = spawnSync('arm-none-eabi-readelf', ['-h', elfPath], { encoding: 'utf8' });
    t.regex(readelf.stdout, /Entry point address:\s+0x80000f9/);
    t.is(readelf.stderr, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sniff looks at the ELF magic only', (t) => {
  t.true(sniffElf(readFileSync(fixtureUrl('blink.elf')).subarray(0, 16)));
  t.true(sniffElf(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2)));
  t.false(sniffElf(Uint8Array.of(0x7f, 0x45, 0x4c)));
  t.false(sniffElf(new TextEncoder().encode(':020000040800F2')));
});

test('plugin() declares the elf format; the machines option widens what parses', (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  const p = plugin();
  t.deepEqual(p.meta, { name: pkg.name, version: pkg.version, apiVersion: PLUGIN_API_VERSION });
  t.is(PACKAGE_NAME, pkg.name);
  t.is(PACKAGE_VERSION, pkg.version);
  const format = p.formats![0]!;
  t.is(format.id, 'elf');
  t.deepEqual(format.extensions, ['.elf', '.axf', '.out']);

  const riscv = serializeElf(image, { machine: 243 });
  const refused = t.throws(() => format.parse(riscv, { fileName: 'fw.elf' }), {
    instanceOf: FlashwrightError,
  });
  t.is(refused.code, 'IMAGE_UNSUPPORTED');
  t.regex(refused.message, /^fw\.elf: ELF for RISC-V/);
  const wide = plugin({ machines: [40, 243] }).formats![0]!;
  t.true(wide.parse(riscv).equals(image));
  t.true(elfFormat([243]).parse(riscv).equals(image));

  for (const machines of [[], ['arm'], 40, [0]]) {
    const error = t.throws(() => plugin({ machines }), { instanceOf: FlashwrightError });
    t.is(error.code, 'PLUGIN_INVALID');
  }
});
