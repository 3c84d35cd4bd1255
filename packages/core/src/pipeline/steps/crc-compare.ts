import { crc32 } from 'node:zlib';
import type { SectorPlan } from '../../flash/planner.js';
import type { AddressRange } from '../../image/address-range.js';
import { bytesEqual, FlashImage } from '../../image/flash-image.js';
import type { Device } from '../../plugin/types.js';

/**
 * The unchanged-sector check by CRC-32 on the chip. A touched sector is unchanged iff the
 * image's bytes inside it equal the flash there, so what is compared are the image's pieces
 * (its data cut at sector boundaries); the kept rest of a sector plays no part.
 *
 * A call of the routine has a fixed cost F (loading and starting it), so adjacent pieces are
 * checked together, in chunks. One chunk per run of adjacent pieces is cheapest when nothing
 * changed; but a chunk whose CRC differs must then be resolved, by reading it back or by
 * halving it (about twice its own CRC), at a cost D per chunk that falls with the chunk
 * count n. n F + D / n is least at n = sqrt(D / F), where D is that cost for the whole run:
 * so a run is cut into that many chunks (at sector boundaries). A differing chunk is halved
 * until the differing sectors are found; when the left half matches, the right one must
 * differ and is halved without its own CRC. With `readBack` (mode `auto`) a differing chunk
 * is read back instead once that is estimated cheaper than halving it, and after a chunk
 * most of whose sectors differ the next chunk is read back straight away.
 */

export interface CrcCompareInput {
  readonly device: Device;
  readonly sectors: readonly SectorPlan[];
  readonly image: FlashImage;
  /** Estimated ms of reading `bytes` back through the probe, where known. */
  readonly readbackMs: (bytes: number) => number | undefined;
  /** Mode `auto`: a differing chunk may be read back instead of halved. */
  readonly readBack: boolean;
  /** Reads `range` back through the flash routes (counted by the caller). */
  readonly read: (range: AddressRange) => Promise<Uint8Array>;
  /** Between device calls: the pipeline's safe point (Ctrl-C). */
  readonly checkpoint: () => void;
  /** Image bytes decided so far, of `totalBytes` (every piece). */
  readonly progress: (range: AddressRange, doneBytes: number, totalBytes: number) => void;
  readonly signal?: AbortSignal | undefined;
}

export interface CrcCompareResult {
  readonly unchanged: SectorPlan[];
  /** What was read back of the pieces (auto: runs cheaper to read than to halve). */
  readonly current: FlashImage;
  /** Bytes the chip checksummed (a byte in several calls counts each time). */
  readonly crcBytes: number;
  readonly readBytes: number;
}

interface Piece {
  readonly range: AddressRange;
  readonly data: Uint8Array;
  /** Index of its sector in `sectors`. */
  readonly sector: number;
}

type Verdict = 'match' | 'differs' | 'skipped';

/** Undefined when the chip cannot compute the CRC here (the device said why): read back then. */
export async function compareByCrc(input: CrcCompareInput): Promise<CrcCompareResult | undefined> {
  const { device, sectors } = input;
  const chunks = planChunks(input);
  const pieces = chunks.flat();
  const totalBytes = pieces.reduce((sum, p) => sum + p.data.length, 0);
  const changed = new Set<number>();
  const read: [number, Uint8Array][] = [];
  let crcBytes = 0;
  let readBytes = 0;
  let doneBytes = 0;
  let unavailable = false;

  const decided = (run: readonly Piece[]): void => {
    doneBytes += run.reduce((sum, p) => sum + p.data.length, 0);
    input.progress(extent(run), doneBytes, totalBytes);
  };
  const costMs = (run: readonly Piece[]): number | undefined =>
    device.checksumCostMs?.(extent(run));

  const readAndCompare = async (run: readonly Piece[]): Promise<void> => {
    const range = extent(run);
    input.checkpoint();
    const bytes = await input.read(range);
    readBytes += bytes.length;
    read.push([range.start, bytes]);
    for (const p of run) {
      const have = bytes.subarray(p.range.start - range.start, p.range.end - range.start);
      if (!bytesEqual(have, p.data)) changed.add(p.sector);
    }
    decided(run);
  };

  const check = async (run: readonly Piece[], known: 'differs' | undefined): Promise<Verdict> => {
    if (unavailable) return 'skipped';
    if (run.every((p) => changed.has(p.sector))) {
      decided(run);
      return 'skipped';
    }
    const range = extent(run);
    if (known === undefined) {
      input.checkpoint();
      const onChip = await device.checksum!(range, input.signal);
      if (onChip === undefined) {
        unavailable = true;
        return 'skipped';
      }
      crcBytes += range.end - range.start;
      if (onChip >>> 0 === crcOf(run) >>> 0) {
        decided(run);
        return 'match';
      }
    }
    if (run.length === 1) {
      changed.add(run[0]!.sector);
      decided(run);
      return 'differs';
    }
    const readMs = input.readBack ? input.readbackMs(range.end - range.start) : undefined;
    const ownMs = costMs(run);
    if (readMs !== undefined && (ownMs === undefined || readMs <= 2 * ownMs)) {
      await readAndCompare(run);
      return 'differs';
    }
    const [left, right] = halves(run);
    const first = await check(left, undefined);
    await check(right, first === 'match' ? 'differs' : undefined);
    return 'differs';
  };

  /** Reading `run` back against its CRC and, when that differs, what resolving it costs. */
  const readingIsCheaper = (run: readonly Piece[]): boolean => {
    const range = extent(run);
    const readMs = input.readbackMs(range.end - range.start);
    const ownMs = costMs(run);
    if (readMs === undefined || ownMs === undefined) return false;
    return readMs < ownMs + (run.length > 1 ? Math.min(readMs, 2 * ownMs) : 0);
  };
  // Auto: after a chunk most of whose sectors changed (a new image, a blank chip), the next
  // one is read back without a CRC that would most likely differ too, where reading it costs
  // less than the CRC and resolving its difference.
  let widespread = false;
  for (const chunk of chunks) {
    if (widespread && readingIsCheaper(chunk)) await readAndCompare(chunk);
    else await check(chunk, undefined);
    if (unavailable) return undefined;
    const own = new Set(chunk.map((p) => p.sector));
    const differing = [...own].filter((sector) => changed.has(sector)).length;
    widespread = input.readBack && 2 * differing > own.size;
  }
  return {
    unchanged: sectors.filter((_, i) => !changed.has(i)),
    current: FlashImage.from(read),
    crcBytes,
    readBytes,
  };
}

/** zlib's CRC-32 of a run of adjacent pieces, as the routine computes it over their extent. */
function crcOf(run: readonly Piece[]): number {
  let crc = 0;
  for (const p of run) crc = crc32(p.data, crc);
  return crc;
}

/** The ranges checksummed when nothing changed: one call per chunk (for `auto`'s estimate). */
export function crcCallRanges(
  input: Pick<CrcCompareInput, 'device' | 'sectors' | 'image' | 'readbackMs' | 'readBack'>,
): AddressRange[] {
  return planChunks(input).map(extent);
}

/** From the first piece of a run to the end of its last. */
function extent(run: readonly Piece[]): AddressRange {
  return { start: run[0]!.range.start, end: run[run.length - 1]!.range.end };
}

/** The image's pieces in chunks: runs of adjacent pieces, each cut into sqrt(D / F) chunks. */
function planChunks(
  input: Pick<CrcCompareInput, 'device' | 'sectors' | 'image' | 'readbackMs' | 'readBack'>,
): Piece[][] {
  const runs: Piece[][] = [];
  input.sectors.forEach((s, sector) => {
    for (const [start, data] of input.image.slice(s.range).blocks) {
      const piece = { range: { start, end: start + data.length }, data, sector };
      const run = runs[runs.length - 1];
      if (run !== undefined && run[run.length - 1]!.range.end === start) run.push(piece);
      else runs.push([piece]);
    }
  });
  return runs.flatMap((run) => cut(run, chunkCount(input, run)));
}

function chunkCount(
  input: Pick<CrcCompareInput, 'device' | 'readbackMs' | 'readBack'>,
  run: readonly Piece[],
): number {
  const { start, end } = extent(run);
  const fixedMs = input.device.checksumCostMs?.({ start, end: start });
  const fullMs = input.device.checksumCostMs?.({ start, end });
  if (fixedMs === undefined || fullMs === undefined || !(fixedMs > 0)) return 1;
  const readMs = input.readBack ? input.readbackMs(end - start) : undefined;
  const resolveMs = Math.min(2 * (fullMs - fixedMs), readMs ?? Infinity);
  return Math.max(1, Math.min(run.length, Math.round(Math.sqrt(resolveMs / fixedMs))));
}

/** `run` cut at piece boundaries into `count` chunks of about equal bytes. */
function cut(run: readonly Piece[], count: number): Piece[][] {
  const total = run.reduce((sum, p) => sum + p.data.length, 0);
  const out: Piece[][] = [[]];
  let bytes = 0;
  for (const piece of run) {
    const current = out[out.length - 1]!;
    if (current.length > 0 && bytes + piece.data.length / 2 > (out.length * total) / count)
      out.push([piece]);
    else current.push(piece);
    bytes += piece.data.length;
  }
  return out;
}

/** Two runs of about half the bytes each, cut at a piece boundary (both non-empty). */
function halves(run: readonly Piece[]): [Piece[], Piece[]] {
  const total = run.reduce((sum, p) => sum + p.data.length, 0);
  let bytes = 0;
  let at = 0;
  while (at < run.length - 1 && bytes + run[at]!.data.length / 2 < total / 2) {
    bytes += run[at]!.data.length;
    at++;
  }
  at = Math.max(1, at);
  return [run.slice(0, at), run.slice(at)];
}
