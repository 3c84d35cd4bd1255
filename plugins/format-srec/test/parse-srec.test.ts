import test, { type ExecutionContext } from 'ava';
import { FlashwrightError, type ErrorCode } from '@flashwright/core';
import type { FlashImage } from '@flashwright/core/image';
import { parseSrec } from '../src/index.js';
import { srecord } from './records.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const parse = (text: string): FlashImage => parseSrec(encode(text), { fileName: 'app.s19' });
const lines = (...records: string[]): string => `${records.join('\n')}\n`;
const blocksOf = (image: FlashImage): [number, number[]][] =>
  [...image.blocks].map(([address, data]) => [address, [...data]]);
const HEADER = srecord(0, 0, [0x68, 0x69]);

function fail(t: ExecutionContext, text: string | Uint8Array, code: ErrorCode): FlashwrightError {
  const bytes = typeof text === 'string' ? encode(text) : text;
  const error = t.throws(() => parseSrec(bytes, { fileName: 'app.s19' }), {
    instanceOf: FlashwrightError,
  });
  t.is(error.code, code);
  t.is(error.exitCode, 3);
  return error;
}

test('the record builder agrees with a record written by objcopy', (t) => {
  // Last two records of test/fixtures/firmware/blink-l151/out/blink.srec.
  t.is(srecord(3, 0x080001b0, [0x60, 0xea, 0x00, 0x00]), 'S309080001B060EA0000F3');
  t.is(srecord(7, 0x080000f9), 'S705080000F9F9');
});

test('S1, S2 and S3 records with 16, 24 and 32-bit addresses', (t) => {
  const image = parse(
    lines(
      HEADER,
      srecord(1, 0x1234, [1, 2]),
      srecord(2, 0x123456, [3]),
      srecord(3, 0x89abcdef, [4, 5, 6]),
      srecord(7, 0),
    ),
  );
  t.deepEqual(blocksOf(image), [
    [0x1234, [1, 2]],
    [0x123456, [3]],
    [0x89abcdef, [4, 5, 6]],
  ]);
});

test('S7, S8 and S9 carry the entry point in 32, 24 and 16 bits', (t) => {
  t.is(parse(lines(srecord(1, 0, [1]), srecord(9, 0x1234))).entryPoint, 0x1234);
  t.is(parse(lines(srecord(1, 0, [1]), srecord(8, 0x123456))).entryPoint, 0x123456);
  t.is(parse(lines(srecord(1, 0, [1]), srecord(7, 0xfedcba98))).entryPoint, 0xfedcba98);
});

test('a zero termination address means no entry point', (t) => {
  t.is(parse(lines(srecord(1, 0, [1]), srecord(9, 0))).entryPoint, undefined);
  t.is(parse(lines(srecord(3, 0, [1]), srecord(7, 0))).entryPoint, undefined);
});

test('consecutive records join, out-of-order records are sorted', (t) => {
  const image = parse(
    lines(
      srecord(3, 0x08000004, [5, 6]),
      srecord(3, 0x08000000, [1, 2, 3, 4]),
      srecord(3, 0x08000006, [7]),
      srecord(3, 0x08001000, [9]),
      srecord(7, 0x08000001),
    ),
  );
  t.deepEqual(blocksOf(image), [
    [0x08000000, [1, 2, 3, 4, 5, 6, 7]],
    [0x08001000, [9]],
  ]);
});

test('S5 and S6 record counts are checked', (t) => {
  const data = [srecord(1, 0, [1]), srecord(1, 1, [2]), srecord(1, 2, [3])];
  t.is(parse(lines(HEADER, ...data, srecord(5, 3), srecord(9, 0))).size, 3);
  t.is(parse(lines(HEADER, ...data, srecord(6, 3), srecord(9, 0))).size, 3);
  const error = fail(t, lines(HEADER, ...data, srecord(5, 4), srecord(9, 0)), 'IMAGE_MALFORMED');
  t.is(error.message, 'app.s19:5:1: S5 record counts 4 data records, but 3 came before it');
  t.like(error.details, { expected: 4, found: 3 });
});

test('S0 header data is not image data', (t) => {
  const image = parse(
    lines(srecord(0, 0, [0x41, 0x42, 0x43]), srecord(1, 0x10, [1]), srecord(9, 0)),
  );
  t.deepEqual(blocksOf(image), [[0x10, [1]]]);
});

test('accepts CRLF, CR-only, blank lines, lower-case digits, a BOM and Ctrl-Z at the end', (t) => {
  const base = [srecord(1, 0x100, [0xab, 0xcd]), srecord(9, 0)];
  const expected = [[0x100, [0xab, 0xcd]]];
  t.deepEqual(blocksOf(parse(base.join('\r\n'))), expected);
  t.deepEqual(blocksOf(parse(base.join('\r'))), expected);
  t.deepEqual(blocksOf(parse(`\n${base.join('\n\n')}  \n`)), expected);
  t.deepEqual(blocksOf(parse(base.join('\n').toLowerCase())), expected);
  t.deepEqual(blocksOf(parse(`\uFEFF${base.join('\n')}\n\u001a`)), expected);
});

test('a checksum error gives file, line, column, expected and found', (t) => {
  const good = srecord(1, 0x0010, [0x12, 0x34]);
  const bad = `${good.slice(0, -2)}00`;
  const error = fail(t, lines(HEADER, bad, srecord(9, 0)), 'IMAGE_CHECKSUM');
  const expected = Number.parseInt(good.slice(-2), 16);
  t.is(error.message, `app.s19:2:13: record checksum is 0x00, expected 0x${good.slice(-2)}`);
  t.like(error.details, { file: 'app.s19', line: 2, column: 13, expected, found: 0 });
});

test('a character that is not a hex digit is reported at its column', (t) => {
  const error = fail(t, lines('S1050010XY3456', srecord(9, 0)), 'IMAGE_MALFORMED');
  t.is(error.message, "app.s19:1:9: expected a hex digit, found 'X'");
});

test('a line that does not start with S', (t) => {
  const error = fail(t, lines(HEADER, ':10000000', srecord(9, 0)), 'IMAGE_MALFORMED');
  t.is(error.message, "app.s19:2:1: expected 'S' to start a record, found ':'");
});

test('S4 and unknown record types', (t) => {
  const s4 = fail(t, lines('S4050000000000', srecord(9, 0)), 'IMAGE_MALFORMED');
  t.is(s4.message, 'app.s19:1:2: S4 records are reserved and have no meaning');
  const sx = fail(t, lines('SX050000000000', srecord(9, 0)), 'IMAGE_MALFORMED');
  t.is(sx.message, "app.s19:1:2: unknown record type 'X' (S-records have types S0 to S9)");
});

test('a byte count too small for the address', (t) => {
  const error = fail(t, lines('S3030000FC', srecord(9, 0)), 'IMAGE_MALFORMED');
  t.is(
    error.message,
    'app.s19:1:3: S3 record byte count is 3, but its address and checksum alone take 5',
  );
});

test('a file without a termination record is truncated', (t) => {
  const error = fail(t, lines(HEADER, srecord(1, 0, [1])), 'IMAGE_TRUNCATED');
  t.regex(error.message, /^app\.s19:3:1: the file ends without a termination record/);
});

test('a file cut inside a record is truncated', (t) => {
  const error = fail(t, `${HEADER}\nS1070000010203`, 'IMAGE_TRUNCATED');
  t.is(error.message, 'app.s19:2:15: the file ends inside a record (its byte count says 7)');
});

test('a line shorter or longer than its byte count says', (t) => {
  const short = fail(t, lines('S1070000010203', srecord(9, 0)), 'IMAGE_MALFORMED');
  t.is(short.message, 'app.s19:1:15: the line ends inside a record (its byte count says 7)');
  const long = fail(t, lines(`${srecord(1, 0, [1])}AA`, srecord(9, 0)), 'IMAGE_MALFORMED');
  t.regex(long.message, /^app\.s19:1:13: record is longer than its byte count says \(4\)/);
});

test('anything after the termination record', (t) => {
  const error = fail(t, lines(srecord(9, 0), srecord(1, 0, [1])), 'IMAGE_MALFORMED');
  t.is(error.message, 'app.s19:2:1: data after the termination record on line 1');
});

test('overlapping records name both lines and the address', (t) => {
  const error = fail(
    t,
    lines(HEADER, srecord(3, 0x08000000, [1, 2, 3, 4]), srecord(3, 0x08000003, [9]), srecord(7, 0)),
    'IMAGE_OVERLAP',
  );
  t.is(error.message, 'app.s19: line 3 writes 0x08000003, which line 2 already wrote');
  t.like(error.details, { address: 0x08000003, lines: [2, 3] });
});

test('data past the 32-bit address space', (t) => {
  const error = fail(t, lines(srecord(3, 0xffffffff, [1, 2]), srecord(7, 0)), 'IMAGE_MALFORMED');
  t.is(error.message, 'app.s19:1:1: data runs past the 32-bit address space');
});

test('an empty file is truncated; binary garbage is malformed', (t) => {
  const empty = t.throws(() => parseSrec(new Uint8Array(0)), { instanceOf: FlashwrightError });
  t.is(empty.code, 'IMAGE_TRUNCATED');
  t.regex(empty.message, /^<input>:1:1: /);
  const garbage = fail(t, Uint8Array.of(0x7f, 0x45, 0x4c, 0x46), 'IMAGE_MALFORMED');
  t.is(garbage.message, "app.s19:1:1: expected 'S' to start a record, found byte 0x7F");
});
