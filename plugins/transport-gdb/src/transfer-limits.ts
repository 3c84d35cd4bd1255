import { FRAME_OVERHEAD_BYTES } from './rsp/frame.js';

/** Below this a transfer is not split further: a failure there is a real fault. */
export const MIN_TRANSFER_BYTES = 4;

/**
 * Packet size used when the server does not send PacketSize in qSupported. GDB then
 * guesses from the "g" reply; 400 bytes is small enough for every stub we know of.
 */
export const DEFAULT_PACKET_SIZE_BYTES = 400;

/**
 * How big memory transfers may be. The first guess comes from the server's PacketSize
 * (which, as GDB reads it, counts '$', '#' and the checksum: GDB manual, qSupported);
 * a server may still drop or refuse smaller packets, so every failure above the largest
 * size already seen to work halves the size, and the size that works is remembered.
 */
export class TransferLimits {
  /** Largest payload (between '$' and '#') the server accepts. */
  readonly maxPayloadBytes: number;
  #readCapBytes = Number.POSITIVE_INFINITY;
  #writeCapBytes = Number.POSITIVE_INFINITY;
  #confirmedReadBytes = 0;
  #confirmedWriteBytes = 0;

  constructor(packetSizeBytes: number = DEFAULT_PACKET_SIZE_BYTES) {
    this.maxPayloadBytes = Math.max(64, packetSizeBytes - FRAME_OVERHEAD_BYTES);
  }

  /** Bytes to read in one "m": the hex reply must fit in a packet too. */
  readChunkBytes(remaining: number): number {
    return Math.max(
      1,
      Math.min(remaining, this.#readCapBytes, Math.floor(this.maxPayloadBytes / 2)),
    );
  }

  /** Extra cap for writes; the packet encoding applies its own limit on top. */
  get writeCapBytes(): number {
    return this.#writeCapBytes;
  }

  get confirmedWriteBytes(): number {
    return this.#confirmedWriteBytes;
  }

  get confirmedReadBytes(): number {
    return this.#confirmedReadBytes;
  }

  confirmRead(bytes: number): void {
    this.#confirmedReadBytes = Math.max(this.#confirmedReadBytes, bytes);
  }

  confirmWrite(bytes: number): void {
    this.#confirmedWriteBytes = Math.max(this.#confirmedWriteBytes, bytes);
  }

  /**
   * A read of `failedBytes` failed. Returns the new cap, or undefined when the failure
   * cannot be blamed on size (at or below a size that worked, or already minimal).
   */
  shrinkRead(failedBytes: number): number | undefined {
    const next = this.#shrunk(failedBytes, this.#confirmedReadBytes);
    if (next !== undefined) this.#readCapBytes = next;
    return next;
  }

  shrinkWrite(failedBytes: number): number | undefined {
    const next = this.#shrunk(failedBytes, this.#confirmedWriteBytes);
    if (next !== undefined) this.#writeCapBytes = next;
    return next;
  }

  #shrunk(failedBytes: number, confirmedBytes: number): number | undefined {
    if (failedBytes <= confirmedBytes || failedBytes <= MIN_TRANSFER_BYTES) return undefined;
    return Math.max(MIN_TRANSFER_BYTES, confirmedBytes, Math.floor(failedBytes / 2));
  }
}
