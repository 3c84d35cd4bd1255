import { crc32 } from 'node:zlib';
import { FlashwrightError } from '@flashwright/core';
import { FlashImage } from '@flashwright/core/image';
import type {
  DataEncoding,
  RecipeBoardData,
  RecipeSerial,
  SerialEncoding,
} from '@flashwright/core/runner';
import { readCsv, requireColumn, type CsvTable } from './csv.js';

/**
 * Per-board data: the serial number that the nth allocation of a pool stands for, and the
 * bytes laid over the image for it (the serial in its encoding, and the CSV fields keyed by
 * it). Built before programming, so that erase, write and verify cover them.
 */

/** Magic of the serial struct, "FWSN" in memory order (read as a little-endian u32). */
export const SERIAL_STRUCT_MAGIC = 0x4e535746;
export const SERIAL_STRUCT_VERSION = 1;

/** A board's serial number: its text and, when it is one, its numeric value. */
export interface BoardSerial {
  readonly sequence: number;
  readonly text: string;
  readonly value: bigint | undefined;
}

/** The recipe's serial source and data table, loaded once per batch. */
export class BoardData {
  readonly #serial: RecipeSerial | undefined;
  readonly #serialCsv: { table: CsvTable; column: string } | undefined;
  readonly #data: { spec: RecipeBoardData; byKey: Map<string, Record<string, string>> } | undefined;

  constructor(serial: RecipeSerial | undefined, data: RecipeBoardData | undefined) {
    this.#serial = serial;
    if (serial?.source.kind === 'csv') {
      const keyPath = 'production.serial.csv';
      const table = readCsv(serial.source.file, keyPath);
      const column =
        serial.source.column === undefined
          ? (table.columns[0] ?? '')
          : requireColumn(table, serial.source.column, `${keyPath}.column`);
      this.#serialCsv = { table, column };
    }
    if (data !== undefined) {
      const table = readCsv(data.file, 'production.data.file');
      requireColumn(table, data.key, 'production.data.key');
      data.fields.forEach((f, i) =>
        requireColumn(table, f.column, `production.data.fields[${i}].column`),
      );
      const byKey = new Map(table.rows.map((row) => [row[data.key] ?? '', { ...row }]));
      this.#data = { spec: data, byKey };
    }
  }

  get serialPool(): RecipeSerial | undefined {
    return this.#serial;
  }

  /** The serial number of allocation `sequence` (0 for the first) of the pool. */
  serialOf(sequence: number): BoardSerial {
    const serial = this.#serial;
    if (serial === undefined) throw new FlashwrightError('INTERNAL', 'No serial in the recipe');
    if (serial.source.kind === 'counter') {
      const { start, step, width, format, prefix } = serial.source;
      const value = BigInt(start) + BigInt(step) * BigInt(sequence);
      const digits = format === 'hex' ? value.toString(16).toUpperCase() : value.toString(10);
      return { sequence, text: `${prefix}${digits.padStart(width, '0')}`, value };
    }
    const csv = this.#serialCsv!;
    const row = csv.table.rows[sequence];
    if (row === undefined) {
      throw new FlashwrightError(
        'SERIALS_EXHAUSTED',
        `production.serial.csv: ${csv.table.file} has ${csv.table.rows.length} serial numbers, and all are allocated`,
        { source: { keyPath: 'production.serial.csv' } },
      );
    }
    const text = row[csv.column] ?? '';
    return { sequence, text, value: /^\d+$/.test(text) ? BigInt(text) : parseHexValue(text) };
  }

  /** The bytes this board's serial and data put into the image. */
  patchFor(serial: BoardSerial | undefined): FlashImage {
    const blocks: [number, Uint8Array][] = [];
    const spec = this.#serial;
    if (spec !== undefined && serial !== undefined) {
      blocks.push([spec.address, encodeSerial(serial, spec.encoding, spec.length)]);
    }
    const data = this.#data;
    if (data !== undefined) {
      const key = serial?.text;
      const row = key === undefined ? undefined : data.byKey.get(key);
      if (row === undefined) {
        throw new FlashwrightError(
          'BOARD_DATA_INVALID',
          key === undefined
            ? 'production.data needs a serial number to find the board’s row: add production.serial'
            : `production.data.file: no row for serial ${key} in column "${data.spec.key}"`,
          {
            hint: 'Add the board’s row to the CSV, or fix the serial numbers.',
            source: { keyPath: 'production.data' },
          },
        );
      }
      data.spec.fields.forEach((field, i) => {
        const keyPath = `production.data.fields[${i}]`;
        blocks.push([
          field.address,
          encodeField(row[field.column] ?? '', field.encoding, field.length, keyPath),
        ]);
      });
    }
    try {
      return FlashImage.from(blocks, { source: 'per-board data' });
    } catch (error) {
      throw new FlashwrightError(
        'BOARD_DATA_INVALID',
        `production: the serial and data fields overlap: ${(error as Error).message}`,
        { source: { keyPath: 'production' }, cause: error },
      );
    }
  }
}

function parseHexValue(text: string): bigint | undefined {
  return /^0x[0-9a-f]+$/i.test(text) ? BigInt(text) : undefined;
}

function invalid(keyPath: string, message: string): FlashwrightError {
  return new FlashwrightError('BOARD_DATA_INVALID', `${keyPath}: ${message}`, {
    source: { keyPath },
  });
}

/** A number of `bytes` bytes, little or big endian; an error when it does not fit. */
function encodeNumber(
  value: bigint | undefined,
  bytes: number,
  littleEndian: boolean,
  keyPath: string,
  text: string,
): Uint8Array {
  if (value === undefined) throw invalid(keyPath, `"${text}" is not a number`);
  if (value < 0n || value >= 1n << BigInt(8 * bytes)) {
    throw invalid(keyPath, `${text} does not fit in ${8 * bytes} bits`);
  }
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) {
    const byte = Number((value >> BigInt(8 * i)) & 0xffn);
    out[littleEndian ? i : bytes - 1 - i] = byte;
  }
  return out;
}

/** ASCII text NUL-padded to `length` bytes (default: the text and one NUL). */
function encodeAscii(text: string, length: number | undefined, keyPath: string): Uint8Array {
  if (!/^[\x20-\x7e]*$/.test(text)) throw invalid(keyPath, `"${text}" is not printable ASCII`);
  const size = length ?? text.length + 1;
  if (text.length > size) throw invalid(keyPath, `"${text}" is longer than ${size} bytes`);
  const out = new Uint8Array(size);
  out.set(Buffer.from(text, 'latin1'));
  return out;
}

/**
 * The serial in its encoding. `struct` is, all fields little endian:
 *
 *   offset 0   u32  magic 0x4E535746 ("FWSN" in memory order)
 *   offset 4   u16  version, 1
 *   offset 6   u16  L, bytes of the serial text
 *   offset 8   u64  the serial's numeric value (0 when the text is not a number)
 *   offset 16  L bytes of ASCII text, then 0x00 up to the next multiple of 4
 *   then       u32  CRC-32/ISO-HDLC (zlib's crc32: polynomial 0x04C11DB7 reflected, initial
 *                   value and final XOR 0xFFFFFFFF; check value 0xCBF43926 over "123456789")
 *                   of every byte before it, from the magic on
 */
export function encodeSerial(
  serial: BoardSerial,
  encoding: SerialEncoding,
  length: number | undefined,
): Uint8Array {
  const keyPath = 'production.serial.encoding';
  switch (encoding) {
    case 'u32le':
    case 'u32be':
    case 'u64le':
    case 'u64be':
      return encodeNumber(
        serial.value,
        encoding.startsWith('u32') ? 4 : 8,
        encoding.endsWith('le'),
        keyPath,
        serial.text,
      );
    case 'ascii':
      return encodeAscii(serial.text, length, 'production.serial.length');
    case 'struct':
      return encodeSerialStruct(serial, keyPath);
  }
}

function encodeSerialStruct(serial: BoardSerial, keyPath: string): Uint8Array {
  const text = encodeAscii(serial.text, serial.text.length, keyPath);
  if (text.length > 0xffff) throw invalid(keyPath, 'the serial text is too long for a struct');
  const padded = Math.ceil(text.length / 4) * 4;
  const out = new Uint8Array(16 + padded + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, SERIAL_STRUCT_MAGIC, true);
  view.setUint16(4, SERIAL_STRUCT_VERSION, true);
  view.setUint16(6, text.length, true);
  const value = serial.value ?? 0n;
  view.setBigUint64(8, value < 1n << 64n ? value : 0n, true);
  out.set(text, 16);
  view.setUint32(16 + padded, crc32(out.subarray(0, 16 + padded)) >>> 0, true);
  return out;
}

/** One CSV value in its field's encoding. */
export function encodeField(
  text: string,
  encoding: DataEncoding,
  length: number | undefined,
  keyPath: string,
): Uint8Array {
  switch (encoding) {
    case 'hex': {
      const digits = text.replaceAll(/[\s:-]/g, '').replace(/^0x/i, '');
      if (!/^([0-9a-f]{2})+$/i.test(digits)) {
        throw invalid(keyPath, `"${text}" is not hex bytes (e.g. 00:11:22:33:44:55)`);
      }
      const bytes = Uint8Array.from(Buffer.from(digits, 'hex'));
      if (length !== undefined && bytes.length !== length) {
        throw invalid(keyPath, `"${text}" is ${bytes.length} bytes, not ${length}`);
      }
      return bytes;
    }
    case 'ascii':
      return encodeAscii(text, length, keyPath);
    default: {
      const bytes = Number(/\d+/.exec(encoding)?.[0]) / 8;
      const value = /^\d+$/.test(text) ? BigInt(text) : parseHexValue(text);
      return encodeNumber(value, bytes, !encoding.endsWith('be'), keyPath, text);
    }
  }
}
