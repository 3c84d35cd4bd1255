import { crc32 } from 'node:zlib';
import { FlashwrightError } from '../errors/flashwright-error.js';
import {
  type AddressRange,
  formatAddress,
  mergeRanges,
  rangesOverlap,
  subtractRanges,
} from './address-range.js';

/** A named image, so that merge errors can say where overlapping bytes came from. */
export interface NamedImage {
  readonly source: string;
  readonly image: FlashImage;
}

/**
 * A sparse memory image: sorted, non-overlapping, non-touching blocks of bytes keyed by
 * start address. `blocks` is a plain Map, so it can be handed to nrf-intel-hex
 * (`new MemoryMap(image.blocks)`) and anything built from a MemoryMap can come back in
 * through `FlashImage.from(memoryMap)`.
 */
export class FlashImage {
  /** Optional program entry point (ELF e_entry, HEX start linear address, S-record S7-S9). */
  readonly entryPoint: number | undefined;
  readonly #blocks: Map<number, Uint8Array>;

  private constructor(sortedJoinedBlocks: Map<number, Uint8Array>, entryPoint?: number) {
    this.#blocks = sortedJoinedBlocks;
    this.entryPoint = entryPoint;
  }

  static empty(): FlashImage {
    return new FlashImage(new Map());
  }

  /**
   * Builds an image from (address, bytes) pairs in any order: a Map, a MemoryMap, or an array.
   * Overlapping input is an error; touching blocks are joined.
   */
  static from(
    blocks: Iterable<readonly [number, Uint8Array]>,
    options: { source?: string; entryPoint?: number | undefined } = {},
  ): FlashImage {
    const entries = [...blocks].filter(([, data]) => data.length > 0);
    entries.sort((a, b) => a[0] - b[0]);
    const joined = new Map<number, Uint8Array>();
    let pendingStart = -1;
    let pending: Uint8Array[] = [];
    let pendingEnd = -1;
    const flush = (): void => {
      if (pending.length === 0) return;
      joined.set(pendingStart, pending.length === 1 ? pending[0]! : concatBytes(pending));
      pending = [];
    };
    for (const [address, data] of entries) {
      if (!Number.isInteger(address) || address < 0 || address + data.length > 2 ** 32) {
        throw new FlashwrightError(
          'IMAGE_MALFORMED',
          `${options.source ?? 'image'}: block at ${address} lies outside the 32-bit address space`,
        );
      }
      if (pending.length > 0 && address < pendingEnd) {
        throw new FlashwrightError(
          'IMAGE_OVERLAP',
          `${options.source ?? 'image'}: data at ${formatAddress(address)} overlaps earlier data ending at ${formatAddress(pendingEnd - 1)}`,
          { details: { address } },
        );
      }
      if (pending.length > 0 && address === pendingEnd) {
        pending.push(data);
      } else {
        flush();
        pendingStart = address;
        pending = [data];
      }
      pendingEnd = address + data.length;
    }
    flush();
    return new FlashImage(joined, options.entryPoint);
  }

  /** Merges several images; any overlap is an error naming both sources and the address. */
  static merge(images: readonly NamedImage[]): FlashImage {
    const all: [number, Uint8Array][] = [];
    const owners: { source: string; range: AddressRange }[] = [];
    for (const { source, image } of images) {
      for (const range of image.ranges()) {
        const clash = owners.find((o) => rangesOverlap(o.range, range));
        if (clash !== undefined) {
          const address = Math.max(clash.range.start, range.start);
          throw new FlashwrightError(
            'IMAGE_OVERLAP',
            `${source} and ${clash.source} both have data at ${formatAddress(address)}`,
            {
              hint: 'Remove the duplicate data from one of the files, or check their link addresses.',
              details: { address, sources: [clash.source, source] },
            },
          );
        }
        owners.push({ source, range });
      }
      all.push(...image.blocks);
    }
    const entryPoint = images.find((i) => i.image.entryPoint !== undefined)?.image.entryPoint;
    return FlashImage.from(all, { entryPoint });
  }

  /** Blocks in address order. Do not mutate the arrays. */
  get blocks(): ReadonlyMap<number, Uint8Array> {
    return this.#blocks;
  }

  /** Number of data bytes (gaps not counted). */
  get size(): number {
    let total = 0;
    for (const data of this.#blocks.values()) total += data.length;
    return total;
  }

  get isEmpty(): boolean {
    return this.#blocks.size === 0;
  }

  ranges(): AddressRange[] {
    return [...this.#blocks].map(([start, data]) => ({ start, end: start + data.length }));
  }

  /** The span from the first to the last byte, or undefined when empty. */
  extent(): AddressRange | undefined {
    const ranges = this.ranges();
    const first = ranges[0];
    const last = ranges.at(-1);
    return first && last ? { start: first.start, end: last.end } : undefined;
  }

  /** The part of the image inside `range`. */
  slice(range: AddressRange): FlashImage {
    const out: [number, Uint8Array][] = [];
    for (const [start, data] of this.#blocks) {
      const end = start + data.length;
      if (end <= range.start || start >= range.end) continue;
      const from = Math.max(start, range.start);
      const to = Math.min(end, range.end);
      out.push([from, data.subarray(from - start, to - start)]);
    }
    return new FlashImage(new Map(out), this.entryPoint);
  }

  /**
   * This image with `patch` laid over it: where both have bytes, the patch's win (per-board
   * data such as a serial number written into a firmware's reserved field).
   */
  overlay(patch: FlashImage): FlashImage {
    const kept = subtractRanges(this.ranges(), patch.ranges()).flatMap((r) => [
      ...this.slice(r).blocks,
    ]);
    return FlashImage.from([...kept, ...patch.blocks], { entryPoint: this.entryPoint });
  }

  /** The ranges of `within` that hold no image data. */
  gaps(within: AddressRange[]): AddressRange[] {
    return subtractRanges(within, this.ranges());
  }

  /**
   * Returns an image that covers every range in `cover` completely (for example all the
   * pages the image touches), with gaps filled from `fill`: a byte value, or a function that
   * supplies existing contents (so partial pages keep what the flash already holds).
   */
  async fillGaps(
    cover: AddressRange[],
    fill: number | ((gap: AddressRange) => Promise<Uint8Array> | Uint8Array),
  ): Promise<FlashImage> {
    const blocks: [number, Uint8Array][] = [...this.#blocks];
    for (const gap of this.gaps(cover)) {
      const bytes =
        typeof fill === 'number' ? new Uint8Array(gap.end - gap.start).fill(fill) : await fill(gap);
      if (bytes.length !== gap.end - gap.start) {
        throw new RangeError(`fill for ${formatAddress(gap.start)} returned ${bytes.length} bytes`);
      }
      blocks.push([gap.start, bytes]);
    }
    return FlashImage.from(blocks, { entryPoint: this.entryPoint });
  }

  /** Reads `length` bytes at `address`; bytes outside the image come back as `fillByte`. */
  read(address: number, length: number, fillByte = 0xff): Uint8Array {
    const out = new Uint8Array(length).fill(fillByte);
    for (const [start, data] of this.slice({ start: address, end: address + length }).blocks) {
      out.set(data, start - address);
    }
    return out;
  }

  /** CRC-32 (IEEE 802.3, as zlib) over the data bytes in address order, gaps skipped. */
  crc32(): number {
    let crc = 0;
    for (const data of this.#blocks.values()) crc = crc32(data, crc);
    return crc >>> 0;
  }

  /**
   * True when both images hold the same bytes at the same addresses. `other` is read through
   * `blocks`: it may come from another copy of core (a plugin installed in the project).
   */
  equals(other: FlashImage): boolean {
    if (this.#blocks.size !== other.blocks.size) return false;
    const theirs = [...other.blocks];
    let i = 0;
    for (const [address, data] of this.#blocks) {
      const [otherAddress, otherData] = theirs[i++]!;
      if (address !== otherAddress || !bytesEqual(data, otherData)) return false;
    }
    return true;
  }

  /** Ranges covered by both images where the bytes differ. */
  differences(other: FlashImage): AddressRange[] {
    const diffs: AddressRange[] = [];
    for (const [start, data] of this.#blocks) {
      const theirs = other.read(start, data.length);
      let runStart = -1;
      for (let i = 0; i <= data.length; i++) {
        const differs = i < data.length && data[i] !== theirs[i];
        if (differs && runStart < 0) runStart = i;
        if (!differs && runStart >= 0) {
          diffs.push({ start: start + runStart, end: start + i });
          runStart = -1;
        }
      }
    }
    return mergeRanges(diffs);
  }
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(
    Buffer.from(b.buffer, b.byteOffset, b.length),
  );
}
