import { type AddressRange, type FlashImage, mergeRanges } from '@flashwright/core/image';

/** A contiguous stretch to program: aligned to write units and padded with the erased value. */
export interface ProgramRun {
  readonly address: number;
  readonly data: Uint8Array;
}

export interface ProgramPlanOptions {
  /** Write unit (2 on F1, 8 on L4, 32 on H7). */
  readonly unitBytes: number;
  /** The value of an erased byte (0xFF, or 0x00 on L0/L1). */
  readonly erasedValue: number;
  /**
   * Stretches of erased-value units at least this long are skipped; shorter ones are written
   * through, because starting another probe transfer costs more than programming them.
   */
  readonly minSkipBytes: number;
  /** Addresses a run must not cross (bank starts: banks have their own registers). */
  readonly boundaries?: readonly number[];
}

export interface ProgramPlan {
  readonly runs: readonly ProgramRun[];
  /** Bytes of the aligned image, skipped units included (what progress counts up to). */
  readonly totalBytes: number;
}

/**
 * Turns an image into the runs to program: each block widened to whole write units (the
 * padding is the erased value, so programming it changes nothing), runs split at bank
 * boundaries, and long stretches that equal the erased value left out.
 */
export function planProgramRuns(image: FlashImage, options: ProgramPlanOptions): ProgramPlan {
  const { unitBytes, erasedValue } = options;
  const aligned = mergeRanges(
    image.ranges().map((r) => ({
      start: Math.floor(r.start / unitBytes) * unitBytes,
      end: Math.ceil(r.end / unitBytes) * unitBytes,
    })),
  );
  const pieces = splitAt(aligned, options.boundaries ?? []);
  const runs: ProgramRun[] = [];
  let totalBytes = 0;
  for (const piece of pieces) {
    totalBytes += piece.end - piece.start;
    const data = image.read(piece.start, piece.end - piece.start, erasedValue);
    for (const span of nonErasedSpans(data, unitBytes, erasedValue, options.minSkipBytes)) {
      runs.push({ address: piece.start + span.start, data: data.subarray(span.start, span.end) });
    }
  }
  return { runs, totalBytes };
}

function splitAt(ranges: readonly AddressRange[], cuts: readonly number[]): AddressRange[] {
  const out: AddressRange[] = [];
  for (const range of ranges) {
    let start = range.start;
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      if (cut > start && cut < range.end) {
        out.push({ start, end: cut });
        start = cut;
      }
    }
    out.push({ start, end: range.end });
  }
  return out;
}

/** Offsets [start, end) of the units that hold data, joined across short erased gaps. */
export function nonErasedSpans(
  data: Uint8Array,
  unitBytes: number,
  erasedValue: number,
  minSkipBytes: number,
): AddressRange[] {
  const spans: AddressRange[] = [];
  let spanStart = -1;
  let lastDataEnd = -1;
  for (let offset = 0; offset < data.length; offset += unitBytes) {
    if (isErased(data, offset, unitBytes, erasedValue)) continue;
    if (spanStart >= 0 && offset - lastDataEnd >= minSkipBytes) {
      spans.push({ start: spanStart, end: lastDataEnd });
      spanStart = -1;
    }
    if (spanStart < 0) spanStart = offset;
    lastDataEnd = Math.min(offset + unitBytes, data.length);
  }
  if (spanStart >= 0) spans.push({ start: spanStart, end: lastDataEnd });
  return spans;
}

function isErased(data: Uint8Array, offset: number, length: number, erasedValue: number): boolean {
  const end = Math.min(offset + length, data.length);
  for (let i = offset; i < end; i++) if (data[i] !== erasedValue) return false;
  return true;
}

/** Splits [0, length) into chunks of at most `maxBytes`, cut on multiples of `alignBytes`. */
export function chunkOffsets(length: number, maxBytes: number, alignBytes: number): AddressRange[] {
  const step = Math.max(alignBytes, Math.floor(maxBytes / alignBytes) * alignBytes);
  const out: AddressRange[] = [];
  for (let start = 0; start < length; start += step) {
    out.push({ start, end: Math.min(length, start + step) });
  }
  return out;
}
