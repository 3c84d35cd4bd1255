import { readFileSync } from 'node:fs';
import test from 'ava';
import { PLUGIN_API_VERSION } from '@flashwright/core';
import { FlashImage } from '@flashwright/core/image';
import {
  PACKAGE_NAME,
  PACKAGE_VERSION,
  ihexFormat,
  parseIntelHex,
  plugin,
  serializeIntelHex,
  sniffIntelHex,
  startLinearAddressRecord,
} from '../src/index.js';
import { fixtureUrl } from './records.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

test('writes data, extended linear address, start address and EOF records byte for byte', (t) => {
  const image = FlashImage.from(
    [
      [0x0800fffe, Uint8Array.of(0x01, 0x02, 0x03)],
      [0x08020000, Uint8Array.of(0xff)],
    ],
    { entryPoint: 0x080000f9 },
  );
  // Checksums worked by hand: -(02+00+00+04+08+00) & 0xFF = 0xF2, and so on.
  t.is(
    text(serializeIntelHex(image)),
    [
      ':020000040800F2',
      ':02FFFE000102FE',
      ':020000040801F1',
      ':0100000003FC',
      ':020000040802F0',
      ':01000000FF00',
      ':04000005080000F9F6',
      ':00000001FF',
      '',
    ].join('\n'),
  );
});

test('the start linear address record matches the one objcopy wrote for the fixture', (t) => {
  const fixture = readFileSync(fixtureUrl('blink.hex'), 'latin1');
  t.true(fixture.includes(`${startLinearAddressRecord(0x080000f9)}\r\n`));
});

test('an image without an entry point has no type 05 record', (t) => {
  // nrf-intel-hex always starts with a type 04 record, even for the first 64 KiB.
  const out = text(serializeIntelHex(FlashImage.from([[0, Uint8Array.of(1)]])));
  t.is(out, ':020000040000FA\n:0100000001FE\n:00000001FF\n');
});

test('the fixture survives a round trip through the writer', (t) => {
  for (const name of ['blink.hex', 'blink-gap.hex']) {
    const original = parseIntelHex(readFileSync(fixtureUrl(name)));
    const again = parseIntelHex(serializeIntelHex(original));
    t.true(again.equals(original), name);
    t.is(again.entryPoint, original.entryPoint);
  }
});

test('record size is configurable', (t) => {
  const image = FlashImage.from([[0, new Uint8Array(40)]]);
  const lines = text(serializeIntelHex(image, { recordBytes: 32 }))
    .trimEnd()
    .split('\n');
  t.deepEqual(
    lines.map((l) => l.slice(0, 9)),
    [':02000004', ':20000000', ':08002000', ':00000001'],
  );
});

test('sniff recognises a record header and nothing else', (t) => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  t.true(sniffIntelHex(enc(':020000040800F2\n')));
  t.true(sniffIntelHex(enc('\uFEFF\r\n  :10000000')));
  t.false(sniffIntelHex(enc(':0200')));
  t.false(sniffIntelHex(enc('S00F000068656C6C6F')));
  t.false(sniffIntelHex(enc('key: value')));
  t.false(sniffIntelHex(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46)));
  t.false(sniffIntelHex(new Uint8Array(0)));
  t.true(sniffIntelHex(readFileSync(fixtureUrl('blink.hex')).subarray(0, 64)));
});

test('plugin() declares the ihex format for the current plugin API', (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  const p = plugin();
  t.deepEqual(p.meta, { name: pkg.name, version: pkg.version, apiVersion: PLUGIN_API_VERSION });
  t.is(PACKAGE_NAME, pkg.name);
  t.is(PACKAGE_VERSION, pkg.version);
  t.deepEqual(p.formats, [ihexFormat]);
  t.is(ihexFormat.id, 'ihex');
  t.deepEqual(ihexFormat.extensions, ['.hex', '.ihex', '.ihx']);
  const image = ihexFormat.parse(new TextEncoder().encode(':0100000001FE\n:00000001FF\n'), {
    fileName: 'x.hex',
  });
  t.deepEqual([...image.blocks.keys()], [0]);
  t.is(text(ihexFormat.serialize!(image)), ':020000040000FA\n:0100000001FE\n:00000001FF\n');
});

test('parse errors through the format name the file given in the options', (t) => {
  const error = t.throws(() =>
    ihexFormat.parse(new TextEncoder().encode(':0100000001FF\n'), { fileName: 'fw/app.hex' }),
  );
  t.regex(error.message, /^fw\/app\.hex:1:12: record checksum is 0xFF, expected 0xFE/);
});

test('data up to 0xFFFFFFFF is written (nrf-intel-hex alone refuses a block ending there)', (t) => {
  for (const length of [1, 2, 20]) {
    const image = FlashImage.from([
      [0x08000000, Uint8Array.of(1)],
      [2 ** 32 - length, Uint8Array.from({ length }, (_, i) => i + 1)],
    ]);
    const written = serializeIntelHex(image);
    t.true(parseIntelHex(written).equals(image), `${length} bytes`);
    t.regex(text(written), /:02000004FFFFFC\n:01FFFF00[0-9A-F]{4}\n:00000001FF\n$/);
  }
});
