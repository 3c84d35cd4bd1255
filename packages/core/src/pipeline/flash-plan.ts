import {
  type AddressRange,
  mergeRanges,
  rangeLength,
  rangesOverlap,
  subtractRanges,
} from '../image/address-range.js';
import { FlashImage } from '../image/flash-image.js';
import type { FlashRegion } from '../plugin/types.js';

/**
 * The pure part of flashing: which sectors an image touches, which bytes of them must be
 * preserved, how the data splits into write units. No hardware here, so it is tested alone
 * and the same code plans `--dry-run`.
 */
export interface FlashPlan {
  /** The image's data ranges that lie in no flash region. */
  readonly outside: readonly AddressRange[];
  /** Every sector the image touches, in address order (not merged). */
  readonly sectors: readonly AddressRange[];
  /** Parts of touched sectors the image does not cover: read before erase, written back. */
  readonly preserve: readonly AddressRange[];
  readonly eraseBytes: number;
  readonly preserveBytes: number;
}

export function planFlash(image: FlashImage, flash: readonly FlashRegion[]): FlashPlan {
  const ranges = image.ranges();
  const inFlash = ranges.flatMap((r) =>
    flash.filter((region) => rangesOverlap(region, r)).map((region) => clip(r, region)),
  );
  const outside = subtractRanges(ranges, flash);
  const sectors: AddressRange[] = [];
  for (const region of flash) {
    for (const sector of region.sectors) {
      if (inFlash.some((r) => rangesOverlap(r, sector))) sectors.push(sector);
    }
  }
  sectors.sort((a, b) => a.start - b.start);
  const preserve = subtractRanges(sectors, ranges);
  return {
    outside,
    sectors,
    preserve,
    eraseBytes: sectors.reduce((sum, s) => sum + rangeLength(s), 0),
    preserveBytes: preserve.reduce((sum, s) => sum + rangeLength(s), 0),
  };
}

function clip(range: AddressRange, to: AddressRange): AddressRange {
  return { start: Math.max(range.start, to.start), end: Math.min(range.end, to.end) };
}

/** The region that holds `address`, if any. */
export function regionAt(flash: readonly FlashRegion[], address: number): FlashRegion | undefined {
  return flash.find((r) => address >= r.start && address < r.end);
}

/**
 * Extends every block to whole write units (aligned to `unitBytes`), padding with `fill`.
 * Blocks that share a unit are joined, never overlapped.
 */
export async function alignToUnits(
  image: FlashImage,
  unitBytes: number,
  fill: number,
): Promise<FlashImage> {
  if (unitBytes <= 1) return image;
  const cover = mergeRanges(
    image.ranges().map((r) => ({
      start: Math.floor(r.start / unitBytes) * unitBytes,
      end: Math.ceil(r.end / unitBytes) * unitBytes,
    })),
  );
  return image.fillGaps(cover, fill);
}

/**
 * Drops write units whose bytes all equal the erased value: programming them changes
 * nothing on erased flash, and skipping them saves time (padding, empty tables).
 * The image must already be aligned to `unitBytes`.
 */
export function dropErasedUnits(
  image: FlashImage,
  unitBytes: number,
  erasedValue: number,
): FlashImage {
  const unit = Math.max(1, unitBytes);
  const kept: [number, Uint8Array][] = [];
  for (const [start, data] of image.blocks) {
    let runStart = -1;
    for (let offset = 0; offset <= data.length; offset += unit) {
      const end = Math.min(offset + unit, data.length);
      const blank = offset < data.length && isAll(data, offset, end, erasedValue);
      const inData = offset < data.length && !blank;
      if (inData && runStart < 0) runStart = offset;
      if (!inData && runStart >= 0) {
        kept.push([start + runStart, data.subarray(runStart, offset)]);
        runStart = -1;
      }
    }
  }
  return FlashImage.from(kept, { entryPoint: image.entryPoint });
}

function isAll(data: Uint8Array, from: number, to: number, value: number): boolean {
  for (let i = from; i < to; i++) if (data[i] !== value) return false;
  return true;
}

/**
 * Groups address-ordered ranges into chunks of at most `maxBytes` (a range bigger than
 * that is a chunk of its own). Chunk boundaries are the pipeline's safe points: Ctrl-C is
 * honoured between chunks, never inside a sector.
 */
export function chunkRanges(ranges: readonly AddressRange[], maxBytes: number): AddressRange[][] {
  const chunks: AddressRange[][] = [];
  let current: AddressRange[] = [];
  let bytes = 0;
  for (const range of ranges) {
    const length = rangeLength(range);
    if (current.length > 0 && bytes + length > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(range);
    bytes += length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Splits an image's data into pieces of at most `maxBytes`, cutting only at sector
 * boundaries when the flash layout is known (so a sector is never half-programmed when
 * the pipeline stops at a safe point).
 */
export function splitForProgramming(
  image: FlashImage,
  flash: readonly FlashRegion[],
  maxBytes: number,
): FlashImage[] {
  const units: AddressRange[] = [];
  for (const range of image.ranges()) {
    let start = range.start;
    while (start < range.end) {
      const sector = regionAt(flash, start)?.sectors.find((s) => start >= s.start && start < s.end);
      const end = Math.min(range.end, sector?.end ?? range.end);
      units.push({ start, end });
      start = end;
    }
  }
  return chunkRanges(units, maxBytes).map((chunk) =>
    FlashImage.from(
      chunk.flatMap((r) => [...image.slice(r).blocks]),
      { entryPoint: image.entryPoint },
    ),
  );
}
