import { crc32 } from 'node:zlib';
import type { SectorPlan } from '../../flash/planner.js';
import type { AddressRange } from '../../image/address-range.js';
import { FlashImage } from '../../image/flash-image.js';
import type { Device } from '../../plugin/types.js';

/**
 * The unchanged-sector check by CRC-32 on the chip. A touched sector is unchanged iff the
 * image's bytes inside it equal the flash there, so what is compared are the image's pieces
 * (its data cut at sector boundaries); the kept rest of a sector plays no part.
 *
 * A call of the routine has a fixed cost (loading and starting it), so adjacent pieces are
 * checked together: first in chunks large enough that the fixed cost is a small part of each
 * (one chunk for a whole image on the parts measured), then, where a chunk's CRC differs,
 * halved at a piece boundary until the differing sectors are found. When the left half
 * matches, the right one must differ and is halved without its own CRC. With `readbackMs`
 * (mode `auto`), a differing chunk is read back instead of halved once reading it is
 * estimated cheaper than its halves' CRCs would be (about twice its own CRC to find a change).
 */

/** Chunks are grown until the fixed cost of a call is at most this part of a chunk's cost. */
const FIXED_COST_SHARE = 0.1;

export interface CrcCompareInput {
  readonly device: Device;
  readonly sectors: readonly SectorPlan[];
  readonly image: FlashImage;
  /** Mode `auto`: estimated ms of reading `bytes` back; a differing run may be read instead. */
  readonly readbackMs?: ((bytes: number) => number | undefined) | undefined;
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
  const { device, sectors, image } = input;
  const pieces: Piece[] = [];
  sectors.forEach((s, sector) => {
    for (const [start, data] of image.slice(s.range).blocks)
      pieces.push({ range: { start, end: start + data.length }, data, sector });
  });
  const totalBytes = pieces.reduce((sum, p) => sum + p.data.length, 0);
  const changed = new Set<number>();
  const read: [number, Uint8Array][] = [];
  let crcBytes = 0;
  let readBytes = 0;
  let doneBytes = 0;
  let unavailable = false;

  const extent = (run: readonly Piece[]): AddressRange => ({
    start: run[0]!.range.start,
    end: run[run.length - 1]!.range.end,
  });
  const decided = (run: readonly Piece[]): void => {
    doneBytes += run.reduce((sum, p) => sum + p.data.length, 0);
    input.progress(extent(run), doneBytes, totalBytes);
  };
  const costMs = (run: readonly Piece[]): number | undefined =>
    device.checksumCostMs?.(extent(run));

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
    const readMs = input.readbackMs?.(range.end - range.start);
    const ownMs = costMs(run);
    if (readMs !== undefined && (ownMs === undefined || readMs <= 2 * ownMs)) {
      input.checkpoint();
      const bytes = await input.read(range);
      readBytes += bytes.length;
      read.push([range.start, bytes]);
      for (const p of run) {
        const have = bytes.subarray(p.range.start - range.start, p.range.end - range.start);
        if (!equal(have, p.data)) changed.add(p.sector);
      }
      decided(run);
      return 'differs';
    }
    const [left, right] = halves(run);
    const first = await check(left, undefined);
    await check(right, first === 'match' ? 'differs' : undefined);
    return 'differs';
  };

  for (const chunk of chunks(pieces, chunkBytes(device, pieces))) {
    await check(chunk, undefined);
    if (unavailable) return undefined;
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

/**
 * The chunk size at which a call's fixed cost (a call over nothing) is FIXED_COST_SHARE of
 * the call, from the device's estimate; without one, no limit (one call per run).
 */
function chunkBytes(device: Device, pieces: readonly Piece[]): number {
  const at = pieces[0]?.range.start ?? 0;
  const probeBytes = 1024 * 1024;
  const fixedMs = device.checksumCostMs?.({ start: at, end: at });
  const fullMs = device.checksumCostMs?.({ start: at, end: at + probeBytes });
  if (fixedMs === undefined || fullMs === undefined || !(fullMs > fixedMs)) return Infinity;
  const msPerByte = (fullMs - fixedMs) / probeBytes;
  return (fixedMs * (1 - FIXED_COST_SHARE)) / FIXED_COST_SHARE / msPerByte;
}

/** Runs of adjacent pieces (no gap between them), each cut once it holds `maxBytes`. */
function chunks(pieces: readonly Piece[], maxBytes: number): Piece[][] {
  const out: Piece[][] = [];
  let current: Piece[] = [];
  let bytes = 0;
  for (const piece of pieces) {
    const last = current[current.length - 1];
    if (last !== undefined && (last.range.end !== piece.range.start || bytes >= maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(piece);
    bytes += piece.data.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Two runs of about half the bytes each, cut at a piece boundary (both non-empty). */
function halves(run: readonly Piece[]): [Piece[], Piece[]] {
  const total = run.reduce((sum, p) => sum + p.data.length, 0);
  let bytes = 0;
  let cut = 0;
  while (cut < run.length - 1 && bytes + run[cut]!.data.length / 2 < total / 2) {
    bytes += run[cut]!.data.length;
    cut++;
  }
  cut = Math.max(1, cut);
  return [run.slice(0, cut), run.slice(cut)];
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
