import {
  type AddressRange,
  mergeRanges,
  rangeLength,
  rangesOverlap,
  subtractRanges,
} from '../image/address-range.js';
import { bytesEqual, FlashImage } from '../image/flash-image.js';
import type { FlashRegion } from '../plugin/types.js';

/**
 * The flash planner: pure functions from an image, the device's flash regions and the
 * probe's transfer cost to what a flash run does. No hardware, so it is tested on its own
 * and the same code plans `--dry-run`. It follows the idea of probe-rs's FlashBuilder
 * (probe-rs/src/flashing/builder.rs): sectors touched, the parts of them to keep, and the
 * program runs, in that order.
 *
 * 1. `planSectors`: which sectors the image touches and which of their bytes it does not
 *    cover (kept: read before the erase, written back after).
 * 2. `unchangedSectors`: given the sectors' current contents, those that already hold what
 *    they would hold after programming (incremental flashing skips them).
 * 3. `programRuns`: the runs to program once the sectors are erased: whole write units,
 *    never across a bank (region), with long erased stretches left out; `groupRuns` cuts
 *    them into device calls at sector boundaries (the pipeline's safe points).
 */

export interface SectorPlan {
  /** The sector, as the device's layout (or the probe's flash driver) has it. */
  readonly range: AddressRange;
  readonly region: FlashRegion;
  /** Parts of the sector the image does not cover. */
  readonly keep: readonly AddressRange[];
}

export interface SectorsPlan {
  /** The image's data ranges that lie in no flash region. */
  readonly outside: readonly AddressRange[];
  /** Every sector the image touches, in address order. */
  readonly sectors: readonly SectorPlan[];
  readonly eraseBytes: number;
  readonly keepBytes: number;
}

export function planSectors(image: FlashImage, flash: readonly FlashRegion[]): SectorsPlan {
  const ranges = image.ranges();
  const sectors: SectorPlan[] = [];
  for (const region of flash) {
    for (const sector of region.sectors) {
      if (!ranges.some((r) => rangesOverlap(r, sector))) continue;
      sectors.push({ range: sector, region, keep: subtractRanges([sector], ranges) });
    }
  }
  sectors.sort((a, b) => a.range.start - b.range.start);
  return {
    outside: subtractRanges(ranges, flash),
    sectors,
    eraseBytes: sum(sectors.map((s) => rangeLength(s.range))),
    keepBytes: sum(sectors.flatMap((s) => s.keep.map(rangeLength))),
  };
}

/**
 * The sectors whose current contents (`current`, covering at least each sector) already
 * equal the image where the image has data. Kept bytes are the current contents by
 * definition, so such a sector would be erased and programmed back to what it holds.
 */
export function unchangedSectors(
  sectors: readonly SectorPlan[],
  image: FlashImage,
  current: FlashImage,
): SectorPlan[] {
  return sectors.filter((sector) =>
    [...image.slice(sector.range).blocks].every(([address, data]) => {
      const have = current.slice({ start: address, end: address + data.length }).blocks;
      const bytes = have.get(address);
      return have.size === 1 && bytes !== undefined && bytesEqual(data, bytes);
    }),
  );
}

/** What the probe says a transfer costs, so that short erased gaps are written through. */
export interface TransferCost {
  /** Time to start one more transfer (USB round trips), in microseconds. */
  readonly startUs: number;
}

/** A contiguous stretch to program: whole write units inside one region (bank). */
export interface ProgramRun {
  readonly address: number;
  readonly data: Uint8Array;
}

export interface ProgramRunsOptions {
  /**
   * Leave out write units equal to the erased value (true on erased flash). False where
   * every unit must be written: plain memory writes, or flash that was not erased.
   */
  readonly skipErased: (region: FlashRegion) => boolean;
  /** The probe's cost per transfer; without it every erased unit is skipped. */
  readonly transfer?: TransferCost | undefined;
}

/**
 * The runs to program for `image` (in `erase: auto`, already filled with the kept bytes of
 * each sector): every block widened to whole write units (the padding is the erased value,
 * so programming it changes nothing), never crossing a region (bank) boundary, and
 * stretches of erased units left out where skipping them saves time: a gap shorter than
 * what the flash programs while the probe starts another transfer is written through.
 * In a region with program pages, runs are cut at page boundaries only.
 */
export function programRuns(
  image: FlashImage,
  flash: readonly FlashRegion[],
  options: ProgramRunsOptions,
): ProgramRun[] {
  const runs: ProgramRun[] = [];
  for (const region of flash) {
    const unit = Math.max(1, region.writeUnitBytes);
    const page = programPageOf(region);
    const skip = options.skipErased(region);
    const minGap = skip ? minSkipBytes(region, options.transfer) : Infinity;
    const aligned = mergeRanges(
      image
        .slice(region)
        .ranges()
        .map((r) => ({
          start: Math.max(region.start, Math.floor(r.start / unit) * unit),
          end: Math.min(region.end, Math.ceil(r.end / unit) * unit),
        })),
    );
    for (const range of aligned) {
      const data = image.read(range.start, range.end - range.start, region.erasedValue);
      const phase = range.start % page;
      for (const span of dataSpans(data, page, region.erasedValue, minGap, phase)) {
        runs.push({ address: range.start + span.start, data: data.subarray(span.start, span.end) });
      }
    }
  }
  return runs.sort((a, b) => a.address - b.address);
}

/**
 * Groups runs into device calls of at most `maxBytes`, cutting runs only at sector
 * boundaries. Call boundaries are the pipeline's safe points (Ctrl-C is honoured between
 * calls), so a sector is never left half-programmed by a stop.
 */
export function groupRuns(
  runs: readonly ProgramRun[],
  flash: readonly FlashRegion[],
  maxBytes: number,
): ProgramRun[][] {
  const pieces: ProgramRun[] = [];
  for (const run of runs) {
    let offset = 0;
    while (offset < run.data.length) {
      const address = run.address + offset;
      const sectorEnd = sectorAt(flash, address)?.end ?? run.address + run.data.length;
      const end = Math.min(run.data.length, sectorEnd - run.address);
      pieces.push({ address, data: run.data.subarray(offset, end) });
      offset = end;
    }
  }
  const groups: ProgramRun[][] = [];
  let current: ProgramRun[] = [];
  let bytes = 0;
  for (const piece of pieces) {
    if (current.length > 0 && bytes + piece.data.length > maxBytes) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(piece);
    bytes += piece.data.length;
  }
  if (current.length > 0) groups.push(current);
  return groups;
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

function sectorAt(flash: readonly FlashRegion[], address: number): AddressRange | undefined {
  const region = flash.find((r) => address >= r.start && address < r.end);
  return region?.sectors.find((s) => address >= s.start && address < s.end);
}

/**
 * What the planner skips or keeps as one: the region's program page (L0/L1 half-page), or
 * its write unit where it has none (or declares one that is not whole units).
 */
function programPageOf(region: FlashRegion): number {
  const unit = Math.max(1, region.writeUnitBytes);
  const page = region.programPageBytes;
  return page !== undefined && page > unit && page % unit === 0 ? page : unit;
}

/**
 * Erased stretches shorter than this are programmed rather than skipped: the flash
 * programs them in about the time one more transfer takes to start. Where the region has
 * a program page, only whole pages are ever skipped.
 */
export function minSkipBytes(region: FlashRegion, transfer: TransferCost | undefined): number {
  const unit = Math.max(1, region.writeUnitBytes);
  const page = programPageOf(region);
  const perUnitUs = region.programUsPerUnit;
  if (transfer === undefined || perUnitUs === undefined || perUnitUs <= 0) return page;
  const perPageUs = perUnitUs * (page / unit);
  return Math.max(page, Math.ceil(transfer.startUs / perPageUs) * page);
}

/**
 * Offsets [start, end) of the stretches that hold data, in cells of `cellBytes` (write
 * units, or program pages) whose first one is `phase` bytes short (data that starts
 * part-way into a page): spans start and end on cell boundaries or the data's ends.
 * Erased stretches of at least `minGap` bytes split spans; shorter ones stay inside
 * (Infinity: nothing is skipped).
 */
export function dataSpans(
  data: Uint8Array,
  cellBytes: number,
  erasedValue: number,
  minGap: number,
  phase = 0,
): AddressRange[] {
  if (minGap === Infinity) return data.length === 0 ? [] : [{ start: 0, end: data.length }];
  const spans: AddressRange[] = [];
  let spanStart = -1;
  let lastDataEnd = -1;
  for (let offset = 0; offset < data.length;) {
    const end = Math.min(offset + cellBytes - (offset === 0 ? phase : 0), data.length);
    const start = offset;
    offset = end;
    if (isAll(data, start, end, erasedValue)) continue;
    if (spanStart >= 0 && start - lastDataEnd >= minGap) {
      spans.push({ start: spanStart, end: lastDataEnd });
      spanStart = -1;
    }
    if (spanStart < 0) spanStart = start;
    lastDataEnd = end;
  }
  if (spanStart >= 0) spans.push({ start: spanStart, end: lastDataEnd });
  return spans;
}

function isAll(data: Uint8Array, from: number, to: number, value: number): boolean {
  for (let i = from; i < to; i++) if (data[i] !== value) return false;
  return true;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The runs as one image, for a device's `program`. */
export function runsImage(runs: readonly ProgramRun[], entryPoint?: number): FlashImage {
  return FlashImage.from(
    runs.map((r) => [r.address, r.data] as const),
    { entryPoint },
  );
}
