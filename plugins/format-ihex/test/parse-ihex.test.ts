import test, { type ExecutionContext } from 'ava';
import { FlashwrightError, type ErrorCode } from '@flashwright/core';
import type { FlashImage } from '@flashwright/core/image';
import { parseIntelHex } from '../src/index.js';
import { EOF_RECORD, dataRecord, linear, record, segment } from './records.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const parse = (text: string): FlashImage => parseIntelHex(encode(text), { fileName: 'app.hex' });
const lines = (...records: string[]): string => `${records.join('\n')}\n`;
const blocksOf = (image: FlashImage): [number, number[]][] =>
  [...image.blocks].map(([address, data]) => [address, [...data]]);

const fail = (
  t: ExecutionContext,
  text: string | Uint8Array,
  code: ErrorCode,
): FlashwrightError => {
  const bytes = typeof text === 'string' ? encode(text) : text;
  const error = t.throws(() => parseIntelHex(bytes, { fileName: 'app.hex' }), {
    instanceOf: FlashwrightError,
  });
  t.is(error.code, code);
  t.is(error.exitCode, 3);
  return error;
};

test('data records at a linear base address join into one block', (t) => {
  const image = parse(
    lines(linear(0x0800), dataRecord(0x0000, [1, 2, 3, 4]), dataRecord(0x0004, [5, 6]), EOF_RECORD),
  );
  t.deepEqual(blocksOf(image), [[0x08000000, [1, 2, 3, 4, 5, 6]]]);
  t.is(image.entryPoint, undefined);
});

test('records in any order and with gaps give sorted blocks', (t) => {
  const image = parse(
    lines(
      linear(0x0800),
      dataRecord(0x0100, [9]),
      dataRecord(0x0002, [3, 4]),
      dataRecord(0x0000, [1, 2]),
      linear(0x2000),
      dataRecord(0xfffe, [7, 8]),
      EOF_RECORD,
    ),
  );
  t.deepEqual(blocksOf(image), [
    [0x08000000, [1, 2, 3, 4]],
    [0x08000100, [9]],
    [0x2000fffe, [7, 8]],
  ]);
});

test('type 05 start linear address becomes the entry point, big-endian', (t) => {
  // The last two records of the blink fixture, as written by arm-none-eabi-objcopy.
  const image = parse(
    lines(linear(0x0800), dataRecord(0, [0xaa]), ':04000005080000F9F6', EOF_RECORD),
  );
  t.is(image.entryPoint, 0x080000f9);
});

test('addresses and entry points above 0x7FFFFFFF stay positive', (t) => {
  const image = parse(
    lines(linear(0xfffe), dataRecord(0xfff0, [1, 2]), record(5, 0, [0x90, 0, 0, 1]), EOF_RECORD),
  );
  t.deepEqual(blocksOf(image), [[0xfffefff0, [1, 2]]]);
  t.is(image.entryPoint, 0x90000001);
});

test('type 02 segment address: segment * 16 + offset, and type 03 entry is CS * 16 + IP', (t) => {
  const image = parse(
    lines(
      segment(0x1234),
      dataRecord(0x0010, [1, 2]),
      record(3, 0, [0x10, 0x00, 0x01, 0x23]),
      EOF_RECORD,
    ),
  );
  t.deepEqual(blocksOf(image), [[0x12340 + 0x10, [1, 2]]]);
  t.is(image.entryPoint, 0x10000 + 0x0123);
});

test('in segment mode a record past offset 0xFFFF wraps to the start of the segment', (t) => {
  const image = parse(lines(segment(0x1000), dataRecord(0xfffe, [1, 2, 3, 4]), EOF_RECORD));
  t.deepEqual(blocksOf(image), [
    [0x10000, [3, 4]],
    [0x10000 + 0xfffe, [1, 2]],
  ]);
});

test('in linear mode a record past offset 0xFFFF continues into the next 64 KiB', (t) => {
  const image = parse(lines(linear(0x0800), dataRecord(0xfffe, [1, 2, 3, 4]), EOF_RECORD));
  t.deepEqual(blocksOf(image), [[0x0800fffe, [1, 2, 3, 4]]]);
});

test('a type 04 record after type 02 switches back to linear addressing', (t) => {
  const image = parse(
    lines(segment(0x1000), dataRecord(0, [1]), linear(0x0001), dataRecord(1, [2]), EOF_RECORD),
  );
  t.deepEqual(blocksOf(image), [[0x10000, [1, 2]]]);
});

test('accepts CRLF, CR-only, blank lines, spaces, lower case, a BOM and Ctrl-Z after EOF', (t) => {
  const expected = [[0x08000000, [0xab, 0xcd]]];
  const base = [linear(0x0800), dataRecord(0, [0xab, 0xcd]), EOF_RECORD];
  t.deepEqual(blocksOf(parse(base.join('\r\n'))), expected);
  t.deepEqual(blocksOf(parse(base.join('\r'))), expected);
  t.deepEqual(blocksOf(parse(`\n\n${base.join('\n\n')} \t\n`)), expected);
  t.deepEqual(blocksOf(parse(base.join('\n').toLowerCase())), expected);
  t.deepEqual(blocksOf(parse(`\uFEFF${base.join('\n')}\n\u001a`)), expected);
});

test('a zero-length data record adds nothing', (t) => {
  const image = parse(lines(dataRecord(0x10, []), dataRecord(0x20, [1]), EOF_RECORD));
  t.deepEqual(blocksOf(image), [[0x20, [1]]]);
});

test('a checksum error gives file, line, column, expected and found', (t) => {
  const good = dataRecord(0, [0x12, 0x34]);
  const bad = `${good.slice(0, -2)}00`;
  const error = fail(t, lines(linear(0), bad, EOF_RECORD), 'IMAGE_CHECKSUM');
  const expected = Number.parseInt(good.slice(-2), 16);
  t.is(error.message, `app.hex:2:14: record checksum is 0x00, expected 0x${good.slice(-2)}`);
  t.like(error.details, { file: 'app.hex', line: 2, column: 14, expected, found: 0 });
  t.truthy(error.hint);
});

test('a character that is not a hex digit is reported at its column', (t) => {
  const error = fail(t, lines(linear(0), ':02000000G2345C', EOF_RECORD), 'IMAGE_MALFORMED');
  t.is(error.message, "app.hex:2:10: expected a hex digit, found 'G'");
});

test('a line that does not start with a colon', (t) => {
  const error = fail(t, lines(linear(0), 'S1130000', EOF_RECORD), 'IMAGE_MALFORMED');
  t.is(error.message, "app.hex:2:1: expected ':' to start a record, found 'S'");
});

test('a file without an end-of-file record is truncated', (t) => {
  const error = fail(t, lines(linear(0x0800), dataRecord(0, [1, 2])), 'IMAGE_TRUNCATED');
  t.regex(error.message, /^app\.hex:3:1: the file ends without an end-of-file record/);
});

test('a file cut inside a record is truncated', (t) => {
  // ':0400000001020304F2' cut after ':040000000102' and one more digit.
  const cut = lines(linear(0x0800), dataRecord(0, [1, 2, 3, 4])).slice(0, -6);
  t.true(cut.endsWith('\n:0400000001020'));
  const error = fail(t, cut, 'IMAGE_TRUNCATED');
  t.is(
    error.message,
    'app.hex:2:15: the file ends inside a record (its length field says 4 data bytes)',
  );
});

test('a line shorter than its length field says', (t) => {
  const error = fail(t, lines(':04000000010203F6', EOF_RECORD), 'IMAGE_MALFORMED');
  t.is(
    error.message,
    'app.hex:1:18: the line ends inside a record (its length field says 4 data bytes)',
  );
});

test('a line longer than its length field says', (t) => {
  const error = fail(t, lines(`${dataRecord(0, [1])}00`, EOF_RECORD), 'IMAGE_MALFORMED');
  t.regex(
    error.message,
    /^app\.hex:1:14: record is longer than its length field says \(1 data bytes\)/,
  );
});

test('an unknown record type', (t) => {
  const error = fail(t, lines(record(6, 0, []), EOF_RECORD), 'IMAGE_MALFORMED');
  t.is(error.message, 'app.hex:1:8: unknown record type 0x06 (Intel HEX has types 00 to 05)');
});

test('address records with the wrong length', (t) => {
  const error = fail(t, lines(record(4, 0, [8]), EOF_RECORD), 'IMAGE_MALFORMED');
  t.is(error.message, 'app.hex:1:1: extended linear address record has 1 data bytes, expected 2');
  fail(t, lines(record(5, 0, [1, 2]), EOF_RECORD), 'IMAGE_MALFORMED');
  fail(t, lines(record(1, 0, [1])), 'IMAGE_MALFORMED');
});

test('anything but blank space after the end-of-file record', (t) => {
  const error = fail(t, lines(EOF_RECORD, dataRecord(0, [1])), 'IMAGE_MALFORMED');
  t.is(error.message, 'app.hex:2:1: data after the end-of-file record on line 1');
});

test('overlapping records name both lines and the address', (t) => {
  const error = fail(
    t,
    lines(
      linear(0x0800),
      dataRecord(0x0000, [1, 2, 3, 4]),
      dataRecord(0x0010, [5]),
      dataRecord(0x0002, [9, 9]),
      EOF_RECORD,
    ),
    'IMAGE_OVERLAP',
  );
  t.is(error.message, 'app.hex: line 4 writes 0x08000002, which line 2 already wrote');
  t.like(error.details, { address: 0x08000002, lines: [2, 4] });
});

test('the same record twice is an overlap', (t) => {
  const error = fail(
    t,
    lines(dataRecord(0x40, [1]), dataRecord(0x40, [1]), EOF_RECORD),
    'IMAGE_OVERLAP',
  );
  t.like(error.details, { address: 0x40, lines: [1, 2] });
});

test('data past the 32-bit address space', (t) => {
  const error = fail(
    t,
    lines(linear(0xffff), dataRecord(0xffff, [1, 2]), EOF_RECORD),
    'IMAGE_MALFORMED',
  );
  t.is(error.message, 'app.hex:2:1: data runs past the 32-bit address space');
});

test('an empty file is truncated, and the default file name is <input>', (t) => {
  const error = t.throws(() => parseIntelHex(new Uint8Array(0)), { instanceOf: FlashwrightError });
  t.is(error.code, 'IMAGE_TRUNCATED');
  t.regex(error.message, /^<input>:1:1: /);
});

test('binary garbage is malformed, not a crash', (t) => {
  const error = fail(t, Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0), 'IMAGE_MALFORMED');
  t.is(error.message, "app.hex:1:1: expected ':' to start a record, found byte 0x7F");
});
