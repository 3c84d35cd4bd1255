import { FlashwrightError, isFlashwrightError } from '../errors/flashwright-error.js';

/** Bus access width in bits. Flash controllers care: F1 wants half-words, F4 the PSIZE width. */
export type AccessWidth = 8 | 16 | 32;

export interface MemoryAccessOptions {
  /**
   * Force every bus access to this width. Without it the port picks the fastest legal mix
   * (32-bit for the aligned middle, narrower at unaligned edges).
   */
  readonly width?: AccessWidth;
  /**
   * Writes only: sending any byte of this write more than once is harmless (RAM, or memory
   * that takes plain writes), so after the target was busy the port may send again bytes that
   * already arrived. Without it a port never sends a byte a second time that may have reached
   * the target: a write the busy target cut short throws with a PartialWrite, and the caller
   * decides where to go on (a flash algorithm at the start of a program unit, or nowhere).
   */
  readonly idempotent?: boolean;
  /**
   * Called as the port's transfers finish, with the bytes of this access done so far
   * (counted from its address, growing): a long access the port splits still shows progress.
   * Written bytes are on the bus, which says nothing yet about what a flash controller made
   * of them. An error it throws ends the access there and comes out of the call unchanged:
   * the bytes reported were done, none after them was sent (how a caller stops at a point
   * of its choosing, e.g. Ctrl-C between program units).
   */
  readonly onProgress?: (doneBytes: number) => void;
  readonly signal?: AbortSignal;
}

/**
 * What the port's transfers are like, for callers that plan (core's flash planner): the port
 * splits every access at these limits itself, so no caller needs to know them to be correct,
 * only to be fast.
 */
export interface MemoryPortLimits {
  /** Largest data phase of one transfer in bytes; longer accesses become several transfers. */
  readonly maxTransferBytes: number;
  /**
   * Address and length alignment at which the port moves data at its full width; the
   * unaligned edges of an access cost extra, narrower transfers (1: no such alignment).
   */
  readonly alignBytes: number;
  /**
   * What starting one more transfer costs, in microseconds (USB round trips, a packet's
   * reply), whatever its size: the price of cutting a long write in two.
   */
  readonly transferStartUs: number;
  /**
   * Estimated throughput of a long read at the current link settings (SWD clock, USB speed),
   * the starts of its transfers included, in bytes per second: what reading the flash back
   * costs, weighed against a checksum computed on the chip (verify and the incremental
   * compare, `auto`). Undefined where the port cannot tell.
   */
  readonly readBytesPerSecond?: number | undefined;
}

/**
 * How far a MemoryPort.write got when the target stayed busy past the port's retries (SWD
 * WAIT), carried by the error it throws (see partialWriteOf). Counting from `address`: the
 * first `writtenBytes` reached the target, the next `uncertainBytes` may or may not have (the
 * probe could not say where it stopped), and nothing after those was sent. An error without
 * it says nothing about progress: any byte of the write may have been written.
 */
export interface PartialWrite {
  readonly address: number;
  readonly lengthBytes: number;
  readonly writtenBytes: number;
  readonly uncertainBytes: number;
}

const DETAIL = 'partialWrite';

/** The same error, carrying how far the write got. */
export function withPartialWrite(error: FlashwrightError, partial: PartialWrite): FlashwrightError {
  return new FlashwrightError(error.code, error.message, {
    hint: error.hint,
    cause: error.cause,
    source: error.source,
    details: { ...error.details, [DETAIL]: partial },
  });
}

/**
 * The PartialWrite an error thrown by `write(address, <lengthBytes bytes>)` carries, or
 * undefined when it carries none (or one that belongs to another write, or is inconsistent).
 */
export function partialWriteOf(
  error: unknown,
  address: number,
  lengthBytes: number,
): PartialWrite | undefined {
  if (!isFlashwrightError(error)) return undefined;
  const value = error.details?.[DETAIL];
  if (typeof value !== 'object' || value === null) return undefined;
  const p = value as Partial<Record<keyof PartialWrite, unknown>>;
  const { writtenBytes, uncertainBytes } = p;
  if (p.address !== address || p.lengthBytes !== lengthBytes) return undefined;
  if (!Number.isInteger(writtenBytes) || !Number.isInteger(uncertainBytes)) return undefined;
  const written = writtenBytes as number;
  const uncertain = uncertainBytes as number;
  if (written < 0 || uncertain < 0 || written + uncertain > lengthBytes) return undefined;
  return { address, lengthBytes, writtenBytes: written, uncertainBytes: uncertain };
}

/**
 * Target memory as seen through a probe (MEM-AP on SWD, or a GDB server). Implementations
 * split transfers at their own size and alignment limits (and declare them: `limits`);
 * callers ask for what they need, in one call.
 * Reads may be retried freely; writes follow MemoryAccessOptions.idempotent.
 */
export interface MemoryPort {
  /** The port's transfer limits; undefined where the port cannot tell. */
  readonly limits?: MemoryPortLimits | undefined;
  read(address: number, length: number, options?: MemoryAccessOptions): Promise<Uint8Array>;
  write(address: number, data: Uint8Array, options?: MemoryAccessOptions): Promise<void>;
  read32(address: number, signal?: AbortSignal): Promise<number>;
  /** One 32-bit access: a busy target means it was not done, so the port may send it again. */
  write32(address: number, value: number, signal?: AbortSignal): Promise<void>;
}
