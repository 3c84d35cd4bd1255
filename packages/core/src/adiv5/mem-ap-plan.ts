import { FlashwrightError } from '../errors/flashwright-error.js';
import type { AccessWidth } from '../ports/memory-port.js';
import { TAR_INCREMENT_BLOCK_BYTES } from './registers.js';

/** CSW.Size in bytes. */
export type AccessSize = 1 | 2 | 4;

/**
 * DRW accesses of one CSW setting over consecutive addresses. `packed` 8- or 16-bit accesses
 * (CSW.AddrInc = packed) move 4 bytes per DRW access, as 32-bit ones do; single 8- or 16-bit
 * ones move `size` bytes on the byte lanes of their address (ADIv5.2, MEM-AP "Byte lanes"
 * and "Packed transfers").
 */
export interface AccessRun {
  /** Bus address of the first access. */
  readonly address: number;
  /** Offset of the first access into the caller's buffer. */
  readonly offset: number;
  readonly size: AccessSize;
  readonly packed: boolean;
  /** DRW accesses. */
  readonly count: number;
}

/** Bytes one DRW access of the run moves. */
export function bytesPerAccess(run: Pick<AccessRun, 'size' | 'packed'>): number {
  return run.size === 4 || run.packed ? 4 : run.size;
}

export function runBytes(run: AccessRun): number {
  return run.count * bytesPerAccess(run);
}

const ADDRESS_SPACE = 2 ** 32;

export function checkRange(address: number, lengthBytes: number): void {
  if (
    !Number.isInteger(address) ||
    !Number.isInteger(lengthBytes) ||
    address < 0 ||
    lengthBytes < 0 ||
    address + lengthBytes > ADDRESS_SPACE
  ) {
    throw new RangeError(`bad memory range: address ${address}, length ${lengthBytes}`);
  }
}

function checkAlignment(width: AccessWidth, address: number, lengthBytes: number): void {
  const unit = width / 8;
  if (address % unit !== 0 || lengthBytes % unit !== 0) {
    throw new FlashwrightError(
      'INTERNAL',
      `A ${width}-bit access needs an address and length that are multiples of ${unit} (got 0x${address.toString(16)}, ${lengthBytes} bytes)`,
      { hint: 'This is a bug in the caller of the memory port. Re-run with -v and report it.' },
    );
  }
}

function run(
  runs: AccessRun[],
  address: number,
  offset: number,
  lengthBytes: number,
  size: AccessSize,
  packed: boolean,
): void {
  if (lengthBytes <= 0) return;
  const per = bytesPerAccess({ size, packed });
  runs.push({ address, offset, size, packed, count: lengthBytes / per });
}

/**
 * The DRW access runs of a transfer. With a forced width every bus access has that width
 * (flash controllers care): 8- and 16-bit ones go packed over the word-aligned middle where
 * the AP packs, single at the edges. Without, the aligned middle goes as 32-bit and the
 * unaligned edges as single 8-bit accesses, as the ST-Link port plans its commands
 * (plugins/transport-stlink transfer-plan.ts).
 */
export function planRuns(
  address: number,
  lengthBytes: number,
  width: AccessWidth | undefined,
  packing: boolean,
): AccessRun[] {
  checkRange(address, lengthBytes);
  const runs: AccessRun[] = [];
  if (lengthBytes === 0) return runs;
  const end = address + lengthBytes;
  if (width !== undefined) checkAlignment(width, address, lengthBytes);
  if (width === 32) {
    run(runs, address, 0, lengthBytes, 4, false);
    return runs;
  }
  const size: AccessSize = width === 16 ? 2 : 1;
  const middleStart = Math.min(end, address + ((4 - (address % 4)) % 4));
  const middleEnd = Math.max(middleStart, end - (end % 4));
  const middle: AccessSize | 'packed' | undefined =
    width === undefined ? 4 : packing ? 'packed' : undefined;
  if (middle === undefined) {
    run(runs, address, 0, lengthBytes, size, false);
    return runs;
  }
  run(runs, address, 0, middleStart - address, size, false);
  if (middle === 'packed')
    run(runs, middleStart, middleStart - address, middleEnd - middleStart, size, true);
  else run(runs, middleStart, middleStart - address, middleEnd - middleStart, 4, false);
  run(runs, middleEnd, middleEnd - address, end - middleEnd, size, false);
  return runs;
}

/** A stretch of a run inside one TAR auto-increment block: one TAR write, then DRW accesses. */
export interface BlockSpan {
  readonly run: AccessRun;
  /** Index of the span's first access in the run. */
  readonly first: number;
  readonly count: number;
}

/** Splits a run where TAR crosses a 1 KB boundary (TAR_INCREMENT_BLOCK_BYTES). */
export function* blockSpans(runItem: AccessRun): Generator<BlockSpan> {
  const per = bytesPerAccess(runItem);
  let first = 0;
  while (first < runItem.count) {
    const address = runItem.address + first * per;
    const blockEnd =
      (Math.floor(address / TAR_INCREMENT_BLOCK_BYTES) + 1) * TAR_INCREMENT_BLOCK_BYTES;
    const count = Math.min(runItem.count - first, Math.ceil((blockEnd - address) / per));
    yield { run: runItem, first, count };
    first += count;
  }
}

/** The DRW word of write access `index` of `run`, from the caller's data. */
export function drwWord(runItem: AccessRun, index: number, data: Uint8Array): number {
  const per = bytesPerAccess(runItem);
  const at = runItem.offset + index * per;
  if (per === 4) {
    return (
      ((data[at] ?? 0) |
        ((data[at + 1] ?? 0) << 8) |
        ((data[at + 2] ?? 0) << 16) |
        ((data[at + 3] ?? 0) << 24)) >>>
      0
    );
  }
  const value = per === 1 ? (data[at] ?? 0) : (data[at] ?? 0) | ((data[at + 1] ?? 0) << 8);
  const lane = 8 * ((runItem.address + index * per) & 3);
  return (value << lane) >>> 0;
}

/** Stores the DRW word of read access `index` of `run` into the caller's buffer. */
export function storeDrwWord(
  runItem: AccessRun,
  index: number,
  word: number,
  out: Uint8Array,
): void {
  const per = bytesPerAccess(runItem);
  const at = runItem.offset + index * per;
  const lane = per === 4 ? 0 : 8 * ((runItem.address + index * per) & 3);
  const value = word >>> lane;
  for (let i = 0; i < per; i++) out[at + i] = (value >>> (8 * i)) & 0xff;
}
