import { FlashwrightError, type ErrorCode } from '@flashwright/core';
import { FlashImage, formatAddress } from '@flashwright/core/image';

/*
 * Building blocks for parsers and writers of line-based text image formats (Intel HEX,
 * S-record): hex digit tables, positions for errors, and the collector that turns records
 * into image blocks without copying.
 */

// ---------------------------------------------------------------------------------------
// Hex digits
/**
 * ASCII hex digit values: HEX_VALUE[charCode] is 0..15 for 0-9, A-F and a-f, and -1 for
 * anything else. A table lookup per character is what makes the record parser fast
 * (no string decoding, no parseInt).
 */
export const HEX_VALUE: Int8Array = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let digit = 0; digit < 10; digit++) table[0x30 + digit] = digit;
  for (let digit = 0; digit < 6; digit++) {
    table[0x41 + digit] = 10 + digit;
    table[0x61 + digit] = 10 + digit;
  }
  return table;
})();

/** Upper-case hex digits by value, for writers. */
export const HEX_DIGIT: Uint8Array = new TextEncoder().encode('0123456789ABCDEF');

export function formatHexByte(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------
// Positions in a text file, for errors

/** A place in a text image file; lines and columns count from 1. */
export interface TextPosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** An error that points at a character of a text image file, as compilers do: `file:line:column`. */
export function errorAt(
  code: ErrorCode,
  where: TextPosition,
  message: string,
  details: Readonly<Record<string, unknown>> = {},
  hint?: string,
): FlashwrightError {
  return new FlashwrightError(code, `${where.file}:${where.line}:${where.column}: ${message}`, {
    hint,
    details: { file: where.file, line: where.line, column: where.column, ...details },
  });
}

/** Finds the position of a byte index, for the record whose line starts at `lineStart`. */
export type Locate = (index: number) => TextPosition;

// Module-level rather than closures inside a parser's walker: a closure over the walker's
// line counters would move them out of registers and slow the hot loop down.
export function positionAt(
  file: string,
  line: number,
  lineStart: number,
  index: number,
): TextPosition {
  return { file, line, column: index - lineStart + 1 };
}

export function locator(file: string, line: number, lineStart: number): Locate {
  return (index) => positionAt(file, line, lineStart, index);
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The record from `from` on has a character that is not a hex digit: says which and where.
 * `lengthNote` adds what the record's own length field promised, in the format's words.
 */
export function notHexDigitError(
  bytes: Uint8Array,
  from: number,
  at: Locate,
  lengthNote = '',
): FlashwrightError {
  let q = from;
  while (q < bytes.length && HEX_VALUE[bytes[q]!]! >= 0) q++;
  const c = bytes[q];
  if (c === undefined || c === LF || c === CR) return shortRecordError(bytes, from, at, lengthNote);
  return errorAt('IMAGE_MALFORMED', at(q), `expected a hex digit, found ${describeChar(c)}`);
}

/** The line or the file ends before the record does. */
export function shortRecordError(
  bytes: Uint8Array,
  from: number,
  at: Locate,
  lengthNote = '',
): FlashwrightError {
  let q = from;
  while (q < bytes.length && bytes[q] !== LF && bytes[q] !== CR) {
    if (HEX_VALUE[bytes[q]!]! < 0) {
      return errorAt(
        'IMAGE_MALFORMED',
        at(q),
        `expected a hex digit, found ${describeChar(bytes[q])}`,
      );
    }
    q++;
  }
  if (q >= bytes.length) {
    return errorAt(
      'IMAGE_TRUNCATED',
      at(q),
      `the file ends inside a record${lengthNote}`,
      {},
      'The file is incomplete: rebuild it or copy it again.',
    );
  }
  return errorAt('IMAGE_MALFORMED', at(q), `the line ends inside a record${lengthNote}`);
}

/** Describes a byte for a message: a printable character in quotes, otherwise its code. */
export function describeChar(code: number | undefined): string {
  if (code === undefined) return 'the end of the file';
  if (code === 0x0a || code === 0x0d) return 'the end of the line';
  if (code >= 0x21 && code <= 0x7e) return `'${String.fromCharCode(code)}'`;
  return `byte 0x${code.toString(16).toUpperCase().padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------
// Records into blocks

/**
 * Where a record walker puts decoded data bytes. `claim` says where `length` bytes loaded at
 * `address` go: the walker then decodes them straight into `arena` at the returned offset,
 * so data is never copied twice.
 */
export interface RecordSink {
  readonly arena: Uint8Array;
  claim(address: number, length: number, line: number): number;
}

interface Block {
  readonly address: number;
  readonly offset: number;
  length: number;
}

/**
 * Collects records into blocks over one arena. Consecutive records that continue each other
 * (the normal case) just extend the current block, so a 4 MB file becomes one block with no
 * copying. The arena is sized from the file: text holds at most one data byte per two
 * characters.
 */
export class BlockCollector implements RecordSink {
  arena: Uint8Array;
  readonly #blocks: Block[] = [];
  #current: Block | undefined;
  #currentEnd = -1;
  #used = 0;

  constructor(capacityBytes: number) {
    this.arena = new Uint8Array(capacityBytes);
  }

  claim(address: number, length: number): number {
    const offset = this.#used;
    if (offset + length > this.arena.length) this.#grow(offset + length);
    if (this.#current !== undefined && address === this.#currentEnd) {
      this.#current.length += length;
    } else {
      this.#current = { address, offset, length };
      this.#blocks.push(this.#current);
    }
    this.#used = offset + length;
    this.#currentEnd = address + length;
    return offset;
  }

  /** The first address written twice, or undefined when no two records overlap. */
  firstOverlap(): number | undefined {
    const sorted = [...this.#blocks].sort((a, b) => a.address - b.address);
    let maxEnd = -1;
    for (const block of sorted) {
      if (block.length === 0) continue;
      if (block.address < maxEnd) return block.address;
      maxEnd = Math.max(maxEnd, block.address + block.length);
    }
    return undefined;
  }

  toImage(source: string, entryPoint: number | undefined): FlashImage {
    return FlashImage.from(
      this.#blocks.map((b) => [b.address, this.arena.subarray(b.offset, b.offset + b.length)]),
      { source, entryPoint },
    );
  }

  #grow(needed: number): void {
    const bigger = new Uint8Array(Math.max(needed, this.arena.length * 2));
    bigger.set(this.arena.subarray(0, this.#used));
    this.arena = bigger;
  }
}

/**
 * A sink for a second pass after an overlap was found: it notes the lines of the records
 * that cover one address, so the error can name both places.
 */
export class CoverFinder implements RecordSink {
  readonly arena = new Uint8Array(0x10000);
  readonly lines: number[] = [];
  readonly #address: number;

  constructor(address: number) {
    this.#address = address;
  }

  claim(address: number, length: number, line: number): number {
    if (address <= this.#address && this.#address < address + length) this.lines.push(line);
    return 0;
  }
}

/**
 * The error for two records covering `address`: walks the file again with a CoverFinder
 * (only on this error path) so the message can name both lines.
 */
export function overlapErrorAt(
  file: string,
  address: number,
  walk: (sink: RecordSink) => void,
): FlashwrightError {
  const finder = new CoverFinder(address);
  walk(finder);
  const [first, second] = finder.lines;
  return new FlashwrightError(
    'IMAGE_OVERLAP',
    `${file}: line ${second ?? '?'} writes ${formatAddress(address)}, which line ${first ?? '?'} already wrote`,
    {
      hint: 'Two records of the file cover the same address; regenerate the file or remove one of them.',
      details: { file, address, lines: [first, second] },
    },
  );
}
