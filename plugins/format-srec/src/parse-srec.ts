import type { FlashImage } from '@flashwright/core/image';
import {
  BlockCollector,
  type RecordSink,
  HEX_VALUE,
  formatHexByte,
  describeChar,
  errorAt,
  locator,
  notHexDigitError,
  overlapErrorAt,
  positionAt,
  shortRecordError,
} from '@flashwright/text-records';

const LETTER_S = 0x53;
const LETTER_S_LOWER = 0x73;
const DIGIT_0 = 0x30;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const CTRL_Z = 0x1a;

/**
 * Address bytes per record type, S0 to S9 (Motorola M68000 Programmer's Reference Manual,
 * appendix C; also srec(5) of the SRecord package). -1 marks S4, which is reserved.
 */
const ADDRESS_BYTES = [2, 2, 3, 4, -1, 2, 3, 4, 3, 2] as const;

/** Shortest record: 'S', type, count, a 2-byte address and the checksum: 2 + 2 + 4 + 2. */
const MIN_RECORD_CHARS = 10;

export interface SrecParseOptions {
  readonly fileName?: string | undefined;
}

/**
 * Parses Motorola S-records (S0 header, S1-S3 data, S5/S6 counts, S7-S9 termination with
 * the entry point) straight from the bytes, one table lookup per character.
 */
export function parseSrec(bytes: Uint8Array, options: SrecParseOptions = {}): FlashImage {
  const file = options.fileName ?? '<input>';
  const collector = new BlockCollector(bytes.length >>> 1);
  const entryPoint = walkSrec(bytes, file, collector);
  const overlap = collector.firstOverlap();
  if (overlap !== undefined)
    throw overlapErrorAt(file, overlap, (sink) => walkSrec(bytes, file, sink));
  return collector.toImage(file, entryPoint);
}

/** Walks every record, checks it and hands data bytes to `sink`. Returns the entry point. */
export function walkSrec(bytes: Uint8Array, file: string, sink: RecordSink): number | undefined {
  const n = bytes.length;
  const scratch = new Uint8Array(256);
  let pos = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let line = 1;
  let lineStart = pos;
  let dataRecords = 0;
  let entryPoint: number | undefined;
  let terminationLine = 0;

  while (pos < n) {
    const c = bytes[pos]!;
    if (c === LF) {
      pos++;
      line++;
      lineStart = pos;
      continue;
    }
    if (c === CR) {
      pos++;
      if (bytes[pos] !== LF) {
        line++;
        lineStart = pos;
      }
      continue;
    }
    if (c === SPACE || c === TAB || (c === CTRL_Z && terminationLine !== 0)) {
      pos++;
      continue;
    }
    if (terminationLine !== 0) {
      throw errorAt(
        'IMAGE_MALFORMED',
        positionAt(file, line, lineStart, pos),
        `data after the termination record on line ${terminationLine}`,
      );
    }
    if (c !== LETTER_S && c !== LETTER_S_LOWER) {
      throw errorAt(
        'IMAGE_MALFORMED',
        positionAt(file, line, lineStart, pos),
        `expected 'S' to start a record, found ${describeChar(c)}`,
      );
    }
    if (pos + MIN_RECORD_CHARS > n)
      throw shortRecordError(bytes, pos + 1, locator(file, line, lineStart));
    const type = bytes[pos + 1]! - DIGIT_0;
    const addressBytes = type >= 0 && type <= 9 ? ADDRESS_BYTES[type]! : -1;
    if (addressBytes < 0) {
      throw errorAt(
        'IMAGE_MALFORMED',
        positionAt(file, line, lineStart, pos + 1),
        type === 4
          ? 'S4 records are reserved and have no meaning'
          : `unknown record type ${describeChar(bytes[pos + 1])} (S-records have types S0 to S9)`,
      );
    }
    const h0 = HEX_VALUE[bytes[pos + 2]!]!;
    const h1 = HEX_VALUE[bytes[pos + 3]!]!;
    if ((h0 | h1) < 0) throw notHexDigitError(bytes, pos + 2, locator(file, line, lineStart));
    const count = (h0 << 4) | h1;
    const dataLength = count - addressBytes - 1;
    if (dataLength < 0) {
      throw errorAt(
        'IMAGE_MALFORMED',
        positionAt(file, line, lineStart, pos + 2),
        `S${type} record byte count is ${count}, but its address and checksum alone take ${addressBytes + 1}`,
      );
    }
    const end = pos + 4 + 2 * count;
    if (end > n)
      throw shortRecordError(bytes, pos + 4, locator(file, line, lineStart), lengthNote(count));

    let sum = count;
    let address = 0;
    let p = pos + 4;
    for (let i = 0; i < addressBytes; i++) {
      const hi = HEX_VALUE[bytes[p]!]!;
      const lo = HEX_VALUE[bytes[p + 1]!]!;
      if ((hi | lo) < 0)
        throw notHexDigitError(bytes, p, locator(file, line, lineStart), lengthNote(count));
      const value = (hi << 4) | lo;
      address = address * 256 + value;
      sum += value;
      p += 2;
    }

    const isData = type >= 1 && type <= 3;
    let target: Uint8Array = scratch;
    let w = 0;
    if (isData) {
      if (address + dataLength > 0x1_0000_0000) {
        throw errorAt(
          'IMAGE_MALFORMED',
          positionAt(file, line, lineStart, pos),
          'data runs past the 32-bit address space',
        );
      }
      w = sink.claim(address, dataLength, line);
      target = sink.arena;
    }
    for (let i = 0; i < dataLength; i++) {
      const hi = HEX_VALUE[bytes[p]!]!;
      const lo = HEX_VALUE[bytes[p + 1]!]!;
      if ((hi | lo) < 0)
        throw notHexDigitError(bytes, p, locator(file, line, lineStart), lengthNote(count));
      const value = (hi << 4) | lo;
      target[w + i] = value;
      sum += value;
      p += 2;
    }
    const cHi = HEX_VALUE[bytes[p]!]!;
    const cLo = HEX_VALUE[bytes[p + 1]!]!;
    if ((cHi | cLo) < 0)
      throw notHexDigitError(bytes, p, locator(file, line, lineStart), lengthNote(count));
    const found = (cHi << 4) | cLo;
    const after = bytes[end];
    if (after !== undefined && after !== LF && after !== CR && after !== SPACE && after !== TAB) {
      throw errorAt(
        'IMAGE_MALFORMED',
        positionAt(file, line, lineStart, end),
        `record is longer than its byte count says (${count}): ${describeChar(after)} after the checksum`,
      );
    }
    // The checksum is the ones' complement of the low byte of the sum of count, address and data.
    const expected = ~sum & 0xff;
    if (found !== expected) {
      throw errorAt(
        'IMAGE_CHECKSUM',
        positionAt(file, line, lineStart, end - 2),
        `record checksum is ${formatHexByte(found)}, expected ${formatHexByte(expected)}`,
        { expected, found },
        'The file is corrupted: rebuild it or copy it again.',
      );
    }

    if (isData) {
      dataRecords++;
    } else if (type === 5 || type === 6) {
      // S5/S6 carry the number of S1-S3 records so far in the address field.
      if (dataLength !== 0 || address !== dataRecords) {
        throw errorAt(
          'IMAGE_MALFORMED',
          positionAt(file, line, lineStart, pos),
          `S${type} record counts ${address} data records, but ${dataRecords} came before it`,
          { expected: address, found: dataRecords },
          'Data records are missing or duplicated: rebuild the file or copy it again.',
        );
      }
    } else if (type >= 7) {
      // The address field "may optionally contain" the entry point and is zero when unused
      // (Motorola S-record format, S7-S9), so zero means none.
      entryPoint = address === 0 ? undefined : address;
      terminationLine = line;
    }
    pos = end;
  }

  if (terminationLine === 0) {
    throw errorAt(
      'IMAGE_TRUNCATED',
      positionAt(file, line, lineStart, n),
      'the file ends without a termination record (S7, S8 or S9)',
      {},
      'The file is incomplete: rebuild it or copy it again.',
    );
  }
  return entryPoint;
}

/** What the record's length field promised, for messages about records cut short. */
function lengthNote(count: number): string {
  return ` (its byte count says ${count})`;
}
