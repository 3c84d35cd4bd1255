// Kept in step with plugins/format-ihex/src/block-collector.ts: plugins share code only through core.
import { FlashImage } from '@flashwright/core';

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
