/** Per-board data: serial numbers from a counter or a CSV, their encodings, CSV fields. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import test from 'ava';
import { isFlashwrightError } from '@flashwright/core';
import type { RecipeBoardData, RecipeSerial } from '@flashwright/core/runner';
import { BoardData, encodeField, encodeSerial, SERIAL_STRUCT_MAGIC } from '../src/index.js';

function counter(fields: Partial<Extract<RecipeSerial['source'], { kind: 'counter' }>> = {}) {
  return {
    pool: 'p',
    source: {
      kind: 'counter',
      start: 1,
      step: 1,
      width: 1,
      format: 'decimal',
      prefix: '',
      ...fields,
    },
    address: 0x08001000,
    encoding: 'u32le',
    reuseVoided: false,
  } as const satisfies RecipeSerial;
}

function csvFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fw-board-data-'));
  const file = join(dir, 'data.csv');
  writeFileSync(file, text);
  return file;
}

test('a counter gives start + step × sequence, zero-padded, decimal or hex, with its prefix', (t) => {
  const decimal = new BoardData(
    counter({ start: 1000, step: 5, width: 8, prefix: 'SN-' }),
    undefined,
  );
  t.like(decimal.serialOf(0), { text: 'SN-00001000', value: 1000n });
  t.like(decimal.serialOf(3), { text: 'SN-00001015', value: 1015n });
  const hex = new BoardData(counter({ start: 0xabc, format: 'hex', width: 6 }), undefined);
  t.like(hex.serialOf(1), { text: '000ABD', value: 0xabdn });
});

test('serial encodings: u32/u64 in both byte orders, ASCII padded, and the value must fit', (t) => {
  const serial = { sequence: 0, text: '0x01020304', value: 0x01020304n };
  t.deepEqual([...encodeSerial(serial, 'u32le', undefined)], [4, 3, 2, 1]);
  t.deepEqual([...encodeSerial(serial, 'u32be', undefined)], [1, 2, 3, 4]);
  t.deepEqual([...encodeSerial(serial, 'u64be', undefined)], [0, 0, 0, 0, 1, 2, 3, 4]);
  t.deepEqual([...encodeSerial(serial, 'u64le', undefined)], [4, 3, 2, 1, 0, 0, 0, 0]);
  t.deepEqual(
    [...encodeSerial({ sequence: 0, text: 'AB', value: undefined }, 'ascii', 4)],
    [0x41, 0x42, 0, 0],
  );
  t.deepEqual(
    [...encodeSerial({ sequence: 0, text: 'AB', value: undefined }, 'ascii', undefined)],
    [0x41, 0x42, 0],
  );
  const tooBig = t.throws(() =>
    encodeSerial({ sequence: 0, text: '2^32', value: 1n << 32n }, 'u32le', undefined),
  );
  t.true(
    isFlashwrightError(tooBig) && tooBig.code === 'BOARD_DATA_INVALID' && tooBig.exitCode === 3,
  );
  const text = t.throws(() =>
    encodeSerial({ sequence: 0, text: 'SN-1', value: undefined }, 'u32le', undefined),
  );
  t.regex(text?.message ?? '', /"SN-1" is not a number/);
  t.throws(() => encodeSerial({ sequence: 0, text: 'TOO LONG', value: undefined }, 'ascii', 4), {
    message: /longer than 4 bytes/,
  });
});

test('the serial struct: magic, version, length, value, text padded to 4, CRC-32/ISO-HDLC over the rest', (t) => {
  const bytes = encodeSerial({ sequence: 0, text: 'SN-00042', value: 42n }, 'struct', undefined);
  const view = Buffer.from(bytes);
  t.is(view.length, 16 + 8 + 4);
  t.is(view.readUInt32LE(0), SERIAL_STRUCT_MAGIC);
  t.is(view.subarray(0, 4).toString('latin1'), 'FWSN');
  t.is(view.readUInt16LE(4), 1);
  t.is(view.readUInt16LE(6), 8);
  t.is(view.readBigUInt64LE(8), 42n);
  t.is(view.subarray(16, 24).toString('latin1'), 'SN-00042');
  t.is(view.readUInt32LE(24), crc32(view.subarray(0, 24)) >>> 0);
  // CRC-32/ISO-HDLC check value (zlib's crc32 is that CRC).
  t.is(crc32(Buffer.from('123456789')) >>> 0, 0xcbf43926);
  const odd = Buffer.from(
    encodeSerial({ sequence: 0, text: 'ABCDE', value: undefined }, 'struct', undefined),
  );
  t.is(odd.length, 16 + 8 + 4, 'text padded with NULs to a multiple of 4');
  t.is(odd.readBigUInt64LE(8), 0n, 'a text serial has value 0');
  t.deepEqual([...odd.subarray(21, 24)], [0, 0, 0]);
});

test('CSV serials: the nth allocation takes row n; running out is SERIALS_EXHAUSTED (exit 3)', (t) => {
  const file = csvFile('id,serial\n1,AX-01\n2,AX-02\n');
  const data = new BoardData(
    { ...counter(), source: { kind: 'csv', file, column: 'serial' }, encoding: 'ascii' },
    undefined,
  );
  t.is(data.serialOf(1).text, 'AX-02');
  const error = t.throws(() => data.serialOf(2));
  t.true(isFlashwrightError(error) && error.code === 'SERIALS_EXHAUSTED' && error.exitCode === 3);
  const missing = t.throws(
    () =>
      new BoardData(
        { ...counter(), source: { kind: 'csv', file, column: 'sn' }, encoding: 'ascii' },
        undefined,
      ),
  );
  t.regex(missing?.message ?? '', /no column "sn" \(columns: id, serial\)/);
});

test('per-board data from a CSV keyed by serial goes into the image with the serial', (t) => {
  const file = csvFile('serial,mac,cal\nSN-1,00:11:22:33:44:55,0x1234\nSN-2,66-77-88-99-aa-bb,7\n');
  const spec: RecipeBoardData = {
    file,
    key: 'serial',
    fields: [
      { column: 'mac', address: 0x08002000, encoding: 'hex', length: 6 },
      { column: 'cal', address: 0x08002008, encoding: 'u16be' },
    ],
  };
  const data = new BoardData(counter({ prefix: 'SN-' }), spec);
  const patch = data.patchFor(data.serialOf(1));
  t.deepEqual([...patch.read(0x08001000, 4)], [2, 0, 0, 0]);
  t.deepEqual([...patch.read(0x08002000, 6)], [0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb]);
  t.deepEqual([...patch.read(0x08002008, 2)], [0, 7]);
  t.deepEqual([...data.patchFor(data.serialOf(0)).read(0x08002008, 2)], [0x12, 0x34]);
  const none = t.throws(() => data.patchFor(data.serialOf(5)));
  t.true(isFlashwrightError(none) && none.code === 'BOARD_DATA_INVALID');
  t.regex(none?.message ?? '', /no row for serial SN-6/);
});

test('field encodings refuse what does not fit', (t) => {
  t.throws(() => encodeField('00:11', 'hex', 6, 'f'), { message: /2 bytes, not 6/ });
  t.throws(() => encodeField('zz', 'hex', undefined, 'f'), { message: /not hex bytes/ });
  t.throws(() => encodeField('256', 'u8', undefined, 'f'), { message: /does not fit in 8 bits/ });
  t.deepEqual([...encodeField('258', 'u16le', undefined, 'f')], [2, 1]);
});
