import { readFileSync } from 'node:fs';
import test from 'ava';
import { PLUGIN_API_VERSION } from '@flashwright/core';
import { FlashImage } from '@flashwright/core/image';
import {
  PACKAGE_NAME,
  PACKAGE_VERSION,
  parseSrec,
  plugin,
  serializeSrec,
  sniffSrec,
  srecFormat,
} from '../src/index.js';
import { fixtureUrl, srecord } from './records.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('a small image below 64 KiB is written as S1 records with S5 and S9', (t) => {
  const image = FlashImage.from([[0x1000, Uint8Array.of(1, 2, 3)]], { entryPoint: 0x1001 });
  t.is(
    text(serializeSrec(image, { header: 'HDR' })),
    [
      'S00600004844521B', // srec_cat's own default header record
      srecord(1, 0x1000, [1, 2, 3]),
      srecord(5, 1),
      srecord(9, 0x1001),
      '',
    ].join('\n'),
  );
});

test('the address width follows the highest address or entry point', (t) => {
  const s2 = text(serializeSrec(FlashImage.from([[0x123456, Uint8Array.of(7)]])));
  t.deepEqual(s2.split('\n').slice(1, 4), [
    srecord(2, 0x123456, [7]),
    srecord(5, 1),
    srecord(8, 0),
  ]);
  const s3 = text(
    serializeSrec(FlashImage.from([[0x10, Uint8Array.of(7)]], { entryPoint: 0x08000000 })),
  );
  t.deepEqual(s3.split('\n').slice(1, 4), [
    srecord(3, 0x10, [7]),
    srecord(5, 1),
    srecord(7, 0x08000000),
  ]);
});

test('records hold 16 data bytes by default, and the count is checked on reading', (t) => {
  const image = FlashImage.from([[0x08000000, Uint8Array.from({ length: 40 }, (_, i) => i)]]);
  const lines = text(serializeSrec(image)).trimEnd().split('\n');
  t.deepEqual(
    lines.map((l) => l.slice(0, 4)),
    ['S00E', 'S315', 'S315', 'S30D', 'S503', 'S705'],
  );
  t.true(parseSrec(enc(lines.join('\n'))).equals(image));
  const wide = text(serializeSrec(image, { recordBytes: 32 })).split('\n');
  t.is(wide[1]!.slice(0, 4), 'S325');
  t.throws(() => serializeSrec(image, { recordBytes: 251 }), { instanceOf: RangeError });
});

test('more than 65535 records use an S6 count', (t) => {
  const image = FlashImage.from([[0, new Uint8Array(0x10000)]]);
  const lines = text(serializeSrec(image, { recordBytes: 1 }))
    .trimEnd()
    .split('\n');
  t.is(lines.length, 1 + 0x10000 + 2);
  t.is(lines.at(-2), srecord(6, 0x10000));
  t.is(parseSrec(enc(lines.join('\n'))).size, 0x10000);
});

test('the fixture survives a round trip through the writer', (t) => {
  for (const name of ['blink.srec', 'blink-gap.srec']) {
    const original = parseSrec(readFileSync(fixtureUrl(name)));
    const again = parseSrec(serializeSrec(original));
    t.true(again.equals(original), name);
    t.is(again.entryPoint, 0x080000f9);
  }
});

test('an empty image is a header and a termination record', (t) => {
  const out = text(serializeSrec(FlashImage.empty(), { header: '' }));
  t.is(out, `${srecord(0, 0)}\n${srecord(5, 0)}\n${srecord(9, 0)}\n`);
});

test('sniff recognises an S-record and nothing else', (t) => {
  t.true(sniffSrec(enc('S00F000068656C6C6F')));
  t.true(sniffSrec(enc('\r\n S315080000')));
  t.false(sniffSrec(enc('S4050000')));
  t.false(sniffSrec(enc('SELECT * FROM')));
  t.false(sniffSrec(enc('S1')));
  t.false(sniffSrec(enc(':020000040800F2')));
  t.false(sniffSrec(new Uint8Array(0)));
  t.true(sniffSrec(readFileSync(fixtureUrl('blink.srec')).subarray(0, 64)));
});

test('plugin() declares the srec format for the current plugin API', (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  const p = plugin();
  t.deepEqual(p.meta, { name: pkg.name, version: pkg.version, apiVersion: PLUGIN_API_VERSION });
  t.is(PACKAGE_NAME, pkg.name);
  t.is(PACKAGE_VERSION, pkg.version);
  t.deepEqual(p.formats, [srecFormat]);
  t.is(srecFormat.id, 'srec');
  t.true(srecFormat.extensions.includes('.s19'));
  t.true(srecFormat.extensions.includes('.mot'));
  const error = t.throws(() => srecFormat.parse(enc('S1'), { fileName: 'fw.mot' }));
  t.regex(error.message, /^fw\.mot:1:/);
});
