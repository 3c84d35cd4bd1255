import { readFileSync } from 'node:fs';
import test from 'ava';
import { FlashwrightError, PLUGIN_API_VERSION } from '@flashwright/core';
import { FlashImage } from '@flashwright/core/image';
import {
  MAX_BIN_BYTES,
  PACKAGE_NAME,
  PACKAGE_VERSION,
  binFormat,
  parseBin,
  plugin,
  serializeBin,
} from '../src/index.js';

const fixture = (name: string): Uint8Array =>
  readFileSync(
    new URL(`../../../../test/fixtures/firmware/blink-l151/out/${name}`, import.meta.url),
  );

test('a binary loads at its base address', (t) => {
  const image = parseBin(Uint8Array.of(1, 2, 3), { base: 0x08000000 });
  t.deepEqual(
    [...image.blocks].map(([a, d]) => [a, [...d]]),
    [[0x08000000, [1, 2, 3]]],
  );
  t.is(image.entryPoint, undefined);
});

test('without a base: IMAGE_BASE_REQUIRED, exit 3, with a hint showing how to give one', (t) => {
  const error = t.throws(() => binFormat.parse(Uint8Array.of(1), { fileName: 'app.bin' }), {
    instanceOf: FlashwrightError,
  });
  t.is(error.code, 'IMAGE_BASE_REQUIRED');
  t.is(error.exitCode, 3);
  t.is(
    error.message,
    'app.bin: a raw binary holds no addresses, so its load address (base) must be given',
  );
  t.regex(error.hint!, /base: 0x08000000/);
});

test('a base that does not fit the address space', (t) => {
  for (const base of [-1, 1.5, 0xffffffff]) {
    const error = t.throws(() => parseBin(Uint8Array.of(1, 2), { base, fileName: 'a.bin' }), {
      instanceOf: FlashwrightError,
    });
    t.is(error.code, 'IMAGE_MALFORMED');
  }
  t.is(parseBin(Uint8Array.of(1), { base: 0xffffffff }).size, 1);
});

test('an empty file is an error', (t) => {
  const error = t.throws(() => parseBin(new Uint8Array(0), { base: 0, fileName: 'empty.bin' }), {
    instanceOf: FlashwrightError,
  });
  t.is(error.code, 'IMAGE_TRUNCATED');
  t.is(error.message, 'empty.bin: the file is empty');
});

test('serialize fills gaps with 0xFF by default, or the given byte', (t) => {
  const image = FlashImage.from([
    [0x100, Uint8Array.of(1, 2)],
    [0x104, Uint8Array.of(3)],
  ]);
  t.deepEqual([...serializeBin(image)], [1, 2, 0xff, 0xff, 3]);
  t.deepEqual([...binFormat.serialize!(image, { fill: 0 })], [1, 2, 0, 0, 3]);
  t.deepEqual([...serializeBin(FlashImage.empty())], []);
  for (const fill of [-1, 256, 0.5]) {
    const error = t.throws(() => serializeBin(image, { fill }), { instanceOf: FlashwrightError });
    t.is(error.code, 'USAGE');
  }
});

test('the gap fixture written with fill 0 is objcopy’s .bin, byte for byte', (t) => {
  const bin = fixture('blink-gap.bin');
  const image = FlashImage.from([
    [0x08000000, bin.subarray(0, 0x1bc)],
    [0x0801fc00, bin.subarray(0x1fc00)],
  ]);
  t.true(Buffer.from(serializeBin(image, { fill: 0 })).equals(bin));
  t.true(
    parseBin(bin, { base: 0x08000000 })
      .slice({ start: 0x0801fc00, end: 0x0801fc10 })
      .equals(image.slice({ start: 0x0801fc00, end: 0x0801fc10 })),
  );
});

test('serialize refuses to write hundreds of megabytes of fill', (t) => {
  const image = FlashImage.from([
    [0x08000000, Uint8Array.of(1)],
    [0x20000000, Uint8Array.of(2)],
  ]);
  const error = t.throws(() => serializeBin(image), { instanceOf: FlashwrightError });
  t.is(error.code, 'IMAGE_UNSUPPORTED');
  t.regex(error.message, /0x08000000\.\.0x20000000 would be 384\.0 MiB/);
  t.regex(error.hint!, /0x08000000, 0x20000000/);
  t.true(MAX_BIN_BYTES >= 2 * 1024 * 1024);
});

test('plugin() declares the bin format, which never sniffs', (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  const p = plugin();
  t.deepEqual(p.meta, { name: pkg.name, version: pkg.version, apiVersion: PLUGIN_API_VERSION });
  t.is(PACKAGE_NAME, pkg.name);
  t.is(PACKAGE_VERSION, pkg.version);
  t.deepEqual(p.formats, [binFormat]);
  t.deepEqual(binFormat.extensions, ['.bin']);
  t.false(binFormat.sniff(fixture('blink.bin')));
  t.false(binFormat.sniff(fixture('blink.elf')));
});
