import { FlashwrightError } from '@flashwright/core';
import { bytesEqual, formatAddress } from '@flashwright/core/image';
import type {
  Logger,
  MemoryAccessOptions,
  MemoryPort,
  MemoryPortLimits,
} from '@flashwright/core/plugin';
import {
  encodeReadMemory,
  encodeWriteMemoryBinary,
  encodeWriteMemoryHex,
  parseReadMemoryReply,
  writeHexHeaderBytes,
} from './commands/memory.js';
import { parseStatusReply, type StatusReply } from './commands/reply.js';
import { bytesFittingEscaped } from './rsp/escape.js';
import { latin1Text } from './rsp/bytes.js';
import type { RspClient } from './rsp-client.js';
import type { TransferLimits } from './transfer-limits.js';

/** Writes at least this big are read back once per new size, to catch silent truncation. */
export const VERIFY_NEW_WRITE_SIZE_FROM_BYTES = 64;

/** What one more packet costs (see GdbMemoryPort.limits). */
const PACKET_START_US = 2000;
/**
 * Until the session has read this much, the read estimate is an assumption: the server's
 * probe a full-speed one at 1 MB/s of payload and a 4 MHz SWD clock (46 clocks a word,
 * ARM IHI 0031 ADIv5.2 B4.2), the packet start as above. After it, what reads measured.
 */
const MEASURED_FROM_BYTES = 16 * 1024;
const ASSUMED_US_PER_BYTE = 1 + 46 / 4 / 4;

export interface GdbMemoryPortOptions {
  readonly client: RspClient;
  readonly limits: TransferLimits;
  /** Whether to try "X" (binary) before "M" (hex) writes. */
  readonly binaryWrites: boolean;
  /** Stops a running target first: a stub reads memory only while it is halted. */
  readonly ensureHalted: (signal: AbortSignal | undefined) => Promise<void>;
  readonly log?: Logger | undefined;
}

function checkRange(address: number, length: number): void {
  if (!Number.isInteger(address) || !Number.isInteger(length) || address < 0 || length < 0) {
    throw new FlashwrightError('INTERNAL', `Bad memory range: ${address} (+${length})`);
  }
  if (address + length > 2 ** 32) {
    throw new FlashwrightError(
      'INTERNAL',
      `Memory range ${formatAddress(address)} (+${length}) passes the end of the 32-bit address space`,
    );
  }
}

function isStatusReply(text: string): boolean {
  return parseStatusReply(text).kind !== 'other';
}

function isReadReply(text: string): boolean {
  return parseReadMemoryReply(text) !== undefined;
}

function faultError(
  operation: 'read' | 'write',
  address: number,
  length: number,
  detail: string,
): FlashwrightError {
  return new FlashwrightError(
    'TARGET_FAULT',
    `The GDB server could not ${operation} ${length} byte(s) at ${formatAddress(address)}: ${detail}`,
    {
      hint: 'Check that the address is mapped on this target and that the target is halted and not read-protected.',
      details: { address, length, operation },
    },
  );
}

/**
 * Target memory through a GDB server: "m" reads, "X" or "M" writes, split at the
 * server's packet size and at whatever smaller size it turns out to accept. `onProgress`
 * hears of each packet that finished.
 */
export class GdbMemoryPort implements MemoryPort {
  readonly #client: RspClient;
  readonly #limits: TransferLimits;
  readonly #ensureHalted: GdbMemoryPortOptions['ensureHalted'];
  readonly #log: Logger | undefined;
  #binaryWrites: boolean;
  /** Bytes and host milliseconds of the reads so far, for the read estimate. */
  #readBytes = 0;
  #readMs = 0;

  constructor(options: GdbMemoryPortOptions) {
    this.#client = options.client;
    this.#limits = options.limits;
    this.#binaryWrites = options.binaryWrites;
    this.#ensureHalted = options.ensureHalted;
    this.#log = options.log;
  }

  /**
   * The largest write one packet carries now (the server's packet size, less what failed;
   * "X" data may need escapes, "M" takes two characters a byte). The server picks its own
   * access widths, so the port asks no alignment. A packet is a round trip to the server and
   * whatever its own probe does with it: assumed to be a full-speed USB probe's two 1 ms
   * frames (USB 2.0 §8.4.3.1), as the ST-Link port counts.
   */
  get limits(): MemoryPortLimits {
    const header = writeHexHeaderBytes(0xffffffff, this.#limits.maxPayloadBytes);
    const room = this.#limits.maxPayloadBytes - header;
    const perPacket = this.#binaryWrites ? room : Math.floor(room / 2);
    const readChunk = this.#limits.readChunkBytes(Number.MAX_SAFE_INTEGER);
    return {
      maxTransferBytes: Math.max(1, Math.min(this.#limits.writeCapBytes, perPacket)),
      alignBytes: 1,
      transferStartUs: PACKET_START_US,
      readBytesPerSecond:
        this.#readBytes >= MEASURED_FROM_BYTES && this.#readMs > 0
          ? (this.#readBytes * 1000) / this.#readMs
          : (readChunk * 1_000_000) / (PACKET_START_US + readChunk * ASSUMED_US_PER_BYTE),
    };
  }

  /** Whether writes currently use "X"; falls back to "M" when the server refuses X. */
  get binaryWrites(): boolean {
    return this.#binaryWrites;
  }

  async read(
    address: number,
    length: number,
    options: MemoryAccessOptions = {},
  ): Promise<Uint8Array> {
    checkRange(address, length);
    await this.#ensureHalted(options.signal);
    const out = new Uint8Array(length);
    const unit = options.width === undefined ? undefined : options.width / 8;
    let offset = 0;
    while (offset < length) {
      const wanted = unit ?? this.#limits.readChunkBytes(length - offset);
      const bytes = await this.#readOnce(
        address + offset,
        Math.min(wanted, length - offset),
        unit !== undefined,
        options.signal,
      );
      out.set(bytes, offset);
      offset += bytes.length;
      options.onProgress?.(offset);
    }
    return out;
  }

  async write(address: number, data: Uint8Array, options: MemoryAccessOptions = {}): Promise<void> {
    checkRange(address, data.length);
    await this.#ensureHalted(options.signal);
    const unit = options.width === undefined ? undefined : options.width / 8;
    let offset = 0;
    while (offset < data.length) {
      const rest = data.subarray(offset);
      const size = unit ?? this.#writeChunkBytes(address + offset, rest);
      const done = await this.#writeOnce(
        address + offset,
        rest.subarray(0, size),
        unit !== undefined,
        options.signal,
      );
      offset += done;
      if (done > 0) options.onProgress?.(offset);
    }
  }

  async read32(address: number, signal?: AbortSignal): Promise<number> {
    const bytes = await this.read(address, 4, { width: 32, ...(signal ? { signal } : {}) });
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  }

  async write32(address: number, value: number, signal?: AbortSignal): Promise<void> {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, value >>> 0, true);
    await this.write(address, bytes, { width: 32, ...(signal ? { signal } : {}) });
  }

  // -------------------------------------------------------------------------------------

  /** Reads up to `length` bytes in one packet; returns what the server gave (at least 1). */
  async #readOnce(
    address: number,
    length: number,
    exact: boolean,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    for (;;) {
      let failure: string;
      try {
        const startMs = performance.now();
        const text = latin1Text(
          await this.#client.request(encodeReadMemory(address, length), {
            signal,
            accept: isReadReply,
          }),
        );
        const reply = parseReadMemoryReply(text)!;
        if (reply.kind === 'data' && reply.bytes.length > 0) {
          this.#readMs += performance.now() - startMs;
          this.#readBytes += reply.bytes.length;
          this.#limits.confirmRead(reply.bytes.length);
          return reply.bytes.subarray(0, length);
        }
        failure = reply.kind === 'error' ? `error ${reply.code}` : 'empty reply';
      } catch (error) {
        if (!(error instanceof FlashwrightError) || error.code !== 'PROBE_TIMEOUT') throw error;
        failure = 'no reply';
      }
      const smaller = exact ? undefined : this.#limits.shrinkRead(length);
      if (smaller === undefined) throw faultError('read', address, length, failure);
      this.#log?.info(
        `gdb: ${length}-byte read failed (${failure}); trying ${smaller}-byte packets`,
      );
      length = smaller;
    }
  }

  #writeChunkBytes(address: number, rest: Uint8Array): number {
    const cap = Math.min(rest.length, this.#limits.writeCapBytes);
    const budget = this.#limits.maxPayloadBytes - writeHexHeaderBytes(address, cap);
    const fitting = this.#binaryWrites
      ? bytesFittingEscaped(rest.subarray(0, cap), budget)
      : Math.floor(budget / 2);
    return Math.max(1, Math.min(cap, fitting));
  }

  /** Writes one packet's worth; returns how many bytes were written (may be fewer than asked). */
  async #writeOnce(
    address: number,
    chunk: Uint8Array,
    exact: boolean,
    signal?: AbortSignal,
  ): Promise<number> {
    let failure: string;
    try {
      const status = await this.#sendWrite(address, chunk, signal);
      if (status === 'switched-to-hex') return 0; // sized for X; the caller re-sizes for M
      if (status.kind === 'ok') {
        if (exact || !(await this.#readBackDiffers(address, chunk, signal))) return chunk.length;
        failure = 'read-back differs';
      } else {
        failure =
          status.kind === 'error'
            ? `error ${status.code}`
            : `reply "${status.kind === 'other' ? status.text : ''}"`;
      }
    } catch (error) {
      if (!(error instanceof FlashwrightError) || error.code !== 'PROBE_TIMEOUT') throw error;
      failure = 'no reply (packet dropped?)';
    }
    const smaller = exact ? undefined : this.#limits.shrinkWrite(chunk.length);
    if (smaller === undefined) throw faultError('write', address, chunk.length, failure);
    this.#log?.info(
      `gdb: ${chunk.length}-byte write failed (${failure}); trying ${smaller}-byte packets`,
    );
    return 0;
  }

  async #sendWrite(
    address: number,
    chunk: Uint8Array,
    signal?: AbortSignal,
  ): Promise<StatusReply | 'switched-to-hex'> {
    if (this.#binaryWrites) {
      const text = latin1Text(
        await this.#client.request(encodeWriteMemoryBinary(address, chunk), {
          signal,
          accept: isStatusReply,
        }),
      );
      const status = parseStatusReply(text);
      if (status.kind !== 'unsupported') return status;
      // An empty reply means "X not supported": use M from now on.
      this.#log?.debug('gdb: server does not support X packets; writing with M');
      this.#binaryWrites = false;
      return 'switched-to-hex';
    }
    const text = latin1Text(
      await this.#client.request(encodeWriteMemoryHex(address, chunk), {
        signal,
        accept: isStatusReply,
      }),
    );
    return parseStatusReply(text);
  }

  /**
   * The first write of each new, larger size is read back: a server that truncates or
   * mangles big packets without saying so is caught here, not at verify time. Returns
   * true when the read-back differs.
   */
  async #readBackDiffers(
    address: number,
    chunk: Uint8Array,
    signal?: AbortSignal,
  ): Promise<boolean> {
    if (chunk.length < VERIFY_NEW_WRITE_SIZE_FROM_BYTES) return false;
    if (chunk.length <= this.#limits.confirmedWriteBytes) return false;
    const back = await this.read(address, chunk.length, signal ? { signal } : {});
    if (!bytesEqual(back, chunk)) return true;
    this.#limits.confirmWrite(chunk.length);
    return false;
  }
}
