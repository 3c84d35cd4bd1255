import {
  type AddressRange,
  rangeLength,
  rangesOverlap,
  subtractRanges,
} from '../image/address-range.js';
import { FlashImage } from '../image/flash-image.js';
import type { FlashRegion } from '../plugin/types.js';

/**
 * The pure part of flashing: which sectors an image touches, which bytes of them must be
 * preserved, how the data splits into device calls. No hardware here, so it is tested alone
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
