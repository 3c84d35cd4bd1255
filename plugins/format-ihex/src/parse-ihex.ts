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
  type TextPosition,
} from '@flashwright/text-records';

const COLON = 0x3a;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
/** DOS end-of-file mark, still appended by some old tools after the last record. */
const CTRL_Z = 0x1a;

/** Record types of Intel HEX (Intel, "Hexadecimal Object File Format Specification" rev A). */
export const IntelHexRecord = {
  data: 0x00,
  endOfFile: 0x01,
  extendedSegmentAddress: 0x02,
  startSegmentAddress: 0x03,
  extendedLinearAddress: 0x04,
  startLinearAddress: 0x05,
} as const;

/** Shortest record: ':' + count, address, type and checksum = 1 + 2 + 4 + 2 + 2 characters. */
const MIN_RECORD_CHARS = 11;

export interface IntelHexParseOptions {
  readonly fileName?: string | undefined;
}

/**
 * Parses Intel HEX (record types 00-05) from raw bytes. Works on the bytes directly, one
 * table lookup per character, because text decoding and per-record strings are what make
 * general-purpose parsers slow on multi-megabyte files.
 */
export function parseIntelHex(bytes: Uint8Array, options: IntelHexParseOptions = {}): FlashImage {
  const file = options.fileName ?? '<input>';
  const collector = new BlockCollector(bytes.length >>> 1);
  const entryPoint = walkIntelHex(bytes, file, collector);
  const overlap = collector.firstOverlap();
  if (overlap !== undefined)
    throw overlapErrorAt(file, overlap, (sink) => walkIntelHex(bytes, file, sink));
  return collector.toImage(file, entryPoint);
}

/** Walks every record, checks it and hands data bytes to `sink`. Returns the entry point. */
export function walkIntelHex(
  bytes: Uint8Array,
  file: string,
  sink: RecordSink,
): number | undefined {
  const n = bytes.length;
  const scratch = new Uint8Array(256);
  let pos = hasUtf8Bom(bytes) ? 3 : 0;
  let line = 1;
  let lineStart = pos;
  // Upper address bits from the last type 02 (segment << 4) or type 04 (upper 16 bits) record.
  let base = 0;
  let segmentMode = false;
  let entryPoint: number | undefined;
  let endOfFileLine = 0;

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
    if (c === SPACE || c === TAB || (c === CTRL_Z && endOfFileLine !== 0)) {
      pos++;
      continue;
    }
    if (endOfFileLine !== 0) {
      throw errorAt(
        'IMAGE_MALFORMED',
        positionAt(file, line, lineStart, pos),
        `data after the end-of-file record on line ${endOfFileLine}`,
      );
    }
    if (c !== COLON) {
      throw errorAt(
        'IMAGE_MALFORMED',
        positionAt(file, line, lineStart, pos),
        `expected ':' to start a record, found ${describeChar(c)}`,
      );
    }

    if (pos + MIN_RECORD_CHARS > n)
      throw shortRecordError(bytes, pos + 1, locator(file, line, lineStart));
    const h0 = HEX_VALUE[bytes[pos + 1]!]!;
    const h1 = HEX_VALUE[bytes[pos + 2]!]!;
    const h2 = HEX_VALUE[bytes[pos + 3]!]!;
    const h3 = HEX_VALUE[bytes[pos + 4]!]!;
    const h4 = HEX_VALUE[bytes[pos + 5]!]!;
    const h5 = HEX_VALUE[bytes[pos + 6]!]!;
    const h6 = HEX_VALUE[bytes[pos + 7]!]!;
    const h7 = HEX_VALUE[bytes[pos + 8]!]!;
    if ((h0 | h1 | h2 | h3 | h4 | h5 | h6 | h7) < 0)
      throw notHexDigitError(bytes, pos + 1, locator(file, line, lineStart));
    const count = (h0 << 4) | h1;
    const offset = (h2 << 12) | (h3 << 8) | (h4 << 4) | h5;
    const type = (h6 << 4) | h7;
    const end = pos + MIN_RECORD_CHARS + 2 * count;
    if (end > n)
      throw shortRecordError(bytes, pos + 9, locator(file, line, lineStart), lengthNote(count));

    // Data records go straight to the sink, except the rare segment-mode record whose
    // offset wraps past 0xFFFF: that one is split below.
    const direct = type === IntelHexRecord.data && !(segmentMode && offset + count > 0x10000);
    let target: Uint8Array = scratch;
    let w = 0;
    if (direct) {
      const address = base + offset;
      if (address + count > 0x1_0000_0000) {
        throw errorAt(
          'IMAGE_MALFORMED',
          positionAt(file, line, lineStart, pos),
          'data runs past the 32-bit address space',
        );
      }
      w = sink.claim(address, count, line);
      target = sink.arena;
    }
    let sum = count + (offset >> 8) + (offset & 0xff) + type;
    let p = pos + 9;
    for (let i = 0; i < count; i++) {
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
        `record is longer than its length field says (${count} data bytes): ${describeChar(after)} after the checksum`,
      );
    }
    if (((sum + found) & 0xff) !== 0) {
      const expected = -sum & 0xff;
      throw errorAt(
        'IMAGE_CHECKSUM',
        positionAt(file, line, lineStart, end - 2),
        `record checksum is ${formatHexByte(found)}, expected ${formatHexByte(expected)}`,
        { expected, found },
        'The file is corrupted: rebuild it or copy it again.',
      );
    }

    switch (type) {
      case IntelHexRecord.data:
        if (!direct) splitSegmentRecord(sink, scratch, count, base, offset, line);
        break;
      case IntelHexRecord.endOfFile:
        expectCount(count, 0, 'end-of-file', positionAt(file, line, lineStart, pos));
        endOfFileLine = line;
        break;
      case IntelHexRecord.extendedSegmentAddress:
        expectCount(count, 2, 'extended segment address', positionAt(file, line, lineStart, pos));
        base = ((scratch[0]! << 8) | scratch[1]!) * 16;
        segmentMode = true;
        break;
      case IntelHexRecord.startSegmentAddress:
        // CS:IP of an 8086; the linear entry point is CS * 16 + IP.
        expectCount(count, 4, 'start segment address', positionAt(file, line, lineStart, pos));
        entryPoint = ((scratch[0]! << 8) | scratch[1]!) * 16 + ((scratch[2]! << 8) | scratch[3]!);
        break;
      case IntelHexRecord.extendedLinearAddress:
        expectCount(count, 2, 'extended linear address', positionAt(file, line, lineStart, pos));
        base = ((scratch[0]! << 8) | scratch[1]!) * 0x10000;
        segmentMode = false;
        break;
      case IntelHexRecord.startLinearAddress:
        expectCount(count, 4, 'start linear address', positionAt(file, line, lineStart, pos));
        entryPoint = readUint32(scratch);
        break;
      default:
        throw errorAt(
          'IMAGE_MALFORMED',
          positionAt(file, line, lineStart, pos + 7),
          `unknown record type ${formatHexByte(type)} (Intel HEX has types 00 to 05)`,
        );
    }
    pos = end;
  }

  if (endOfFileLine === 0) {
    throw errorAt(
      'IMAGE_TRUNCATED',
      positionAt(file, line, lineStart, n),
      'the file ends without an end-of-file record (:00000001FF)',
      {},
      'The file is incomplete: rebuild it or copy it again.',
    );
  }
  return entryPoint;
}

/**
 * In segment mode (type 02) the 16-bit offset wraps within the 64 KiB segment, as on the
 * 8086 the format was made for: bytes past offset 0xFFFF land at the segment's start.
 */
function splitSegmentRecord(
  sink: RecordSink,
  data: Uint8Array,
  count: number,
  base: number,
  offset: number,
  line: number,
): void {
  const firstLength = 0x10000 - offset;
  const first = sink.claim(base + offset, firstLength, line);
  sink.arena.set(data.subarray(0, firstLength), first);
  const second = sink.claim(base, count - firstLength, line);
  sink.arena.set(data.subarray(firstLength, count), second);
}

function expectCount(count: number, expected: number, name: string, where: TextPosition): void {
  if (count !== expected) {
    throw errorAt(
      'IMAGE_MALFORMED',
      where,
      `${name} record has ${count} data bytes, expected ${expected}`,
    );
  }
}

function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

function readUint32(b: Uint8Array): number {
  return b[0]! * 0x1000000 + ((b[1]! << 16) | (b[2]! << 8) | b[3]!);
}

/** What the record's length field promised, for messages about records cut short. */
function lengthNote(count: number): string {
  return ` (its length field says ${count} data bytes)`;
}
