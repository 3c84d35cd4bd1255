import test from 'ava';
import {
  BlockCollector,
  CoverFinder,
  HEX_DIGIT,
  HEX_VALUE,
  describeChar,
  errorAt,
  formatHexByte,
  locator,
  notHexDigitError,
  overlapErrorAt,
  shortRecordError,
} from '../src/index.js';
import { exitCodeOf } from '@flashwright/core';

const code = (c: string): number => c.charCodeAt(0);

test('HEX_VALUE maps hex digits of both cases and nothing else', (t) => {
  t.is(HEX_VALUE[code('0')], 0);
  t.is(HEX_VALUE[code('9')], 9);
  t.is(HEX_VALUE[code('A')], 10);
  t.is(HEX_VALUE[code('f')], 15);
  for (const c of ['G', 'g', ':', '/', '@', '`', ' ']) t.is(HEX_VALUE[code(c)], -1, c);
  t.is(HEX_VALUE.filter((v) => v >= 0).length, 22);
  t.is(new TextDecoder().decode(HEX_DIGIT), '0123456789ABCDEF');
  t.is(formatHexByte(0x0a), '0x0A');
});

test('errorAt points at file:line:column and keeps the place in details', (t) => {
  const error = errorAt(
    'IMAGE_CHECKSUM',
    { file: 'app.hex', line: 12, column: 42 },
    'checksum 0x12, expected 0x34',
    { expected: 0x34 },
    'Rebuild the file.',
  );
  t.is(error.code, 'IMAGE_CHECKSUM');
  t.is(error.message, 'app.hex:12:42: checksum 0x12, expected 0x34');
  t.is(error.hint, 'Rebuild the file.');
  t.deepEqual(error.details, { file: 'app.hex', line: 12, column: 42, expected: 0x34 });
  t.is(exitCodeOf(error), 3);
});

test('describeChar names printable characters, line ends, the end of the file and raw bytes', (t) => {
  t.is(describeChar(code('x')), "'x'");
  t.is(describeChar(0x0a), 'the end of the line');
  t.is(describeChar(0x0d), 'the end of the line');
  t.is(describeChar(undefined), 'the end of the file');
  t.is(describeChar(0x20), 'byte 0x20');
  t.is(describeChar(0xff), 'byte 0xFF');
});

test('BlockCollector joins records that continue each other and grows its arena', (t) => {
  const collector = new BlockCollector(4);
  const put = (address: number, bytes: number[]): void => {
    const offset = collector.claim(address, bytes.length);
    collector.arena.set(bytes, offset);
  };
  put(0x100, [1, 2, 3]);
  put(0x103, [4, 5, 6]); // continues the first record: same block, arena grows past 4 bytes
  put(0x200, [7]);
  t.is(collector.firstOverlap(), undefined);
  const image = collector.toImage('test.hex', 0x101);
  t.deepEqual(
    [...image.blocks].map(([a, d]) => [a, [...d]]),
    [
      [0x100, [1, 2, 3, 4, 5, 6]],
      [0x200, [7]],
    ],
  );
  t.is(image.entryPoint, 0x101);
});

test('BlockCollector finds the first address written twice; CoverFinder the lines that cover it', (t) => {
  const collector = new BlockCollector(16);
  collector.claim(0x10, 4);
  collector.claim(0x20, 4);
  collector.claim(0x12, 2); // overlaps the first record
  t.is(collector.firstOverlap(), 0x12);

  const finder = new CoverFinder(0x12);
  finder.claim(0x10, 4, 1);
  finder.claim(0x20, 4, 2);
  finder.claim(0x12, 2, 3);
  t.deepEqual(finder.lines, [1, 3]);
});

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

test('notHexDigitError names the first character that is not a hex digit, where it is', (t) => {
  // Line 3 starts at byte 0 here; the record body starts after the colon.
  const bytes = bytesOf(':10010G00\n');
  const error = notHexDigitError(bytes, 1, locator('app.hex', 3, 0));
  t.is(error.code, 'IMAGE_MALFORMED');
  t.is(error.message, "app.hex:3:7: expected a hex digit, found 'G'");
  t.like(error.details, { file: 'app.hex', line: 3, column: 7 });
});

test('a record cut short by the end of its line or of the file says which', (t) => {
  const at = locator('app.srec', 1, 0);
  const line = notHexDigitError(bytesOf('S1130000\nS9'), 2, at, ' (the count says 19 bytes)');
  t.is(line.code, 'IMAGE_MALFORMED');
  t.is(line.message, 'app.srec:1:9: the line ends inside a record (the count says 19 bytes)');
  const file = shortRecordError(bytesOf('S1130000'), 2, at);
  t.is(file.code, 'IMAGE_TRUNCATED');
  t.is(file.message, 'app.srec:1:9: the file ends inside a record');
  t.is(exitCodeOf(file), 3);
  const stray = shortRecordError(bytesOf('S113 000\n'), 2, at);
  t.is(stray.message, 'app.srec:1:5: expected a hex digit, found byte 0x20');
});

test('overlapErrorAt walks the records again to name both lines', (t) => {
  const records: [number, number, number][] = [
    [0x100, 16, 1],
    [0x200, 16, 2],
    [0x108, 4, 7],
  ];
  const error = overlapErrorAt('app.hex', 0x108, (sink) => {
    for (const [address, length, line] of records) sink.claim(address, length, line);
  });
  t.is(error.code, 'IMAGE_OVERLAP');
  t.is(error.message, 'app.hex: line 7 writes 0x00000108, which line 1 already wrote');
  t.deepEqual(error.details, { file: 'app.hex', address: 0x108, lines: [1, 7] });
});
