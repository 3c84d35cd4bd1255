import type { FlashwrightError } from '@flashwright/core';
import {
  partialWriteOf,
  withPartialWrite,
  type AccessWidth,
  type MemoryAccessOptions,
  type MemoryPort,
  type MemoryPortLimits,
} from '@flashwright/core/plugin';
import { MAX_MEMORY_WORD_BYTES, maxMemory8Bytes } from '../protocol/version.js';
import type { StLinkDriver } from './stlink-driver.js';
import { planTransfers, type TransferLimits } from './transfer-plan.js';

/**
 * A high-speed bulk endpoint has 512-byte packets, a full-speed one at most 64 (USB 2.0
 * §5.8.3), so the debug endpoint's packet size tells the speed the probe runs at: a V3 on a
 * full-speed port runs at full speed, with 64-byte packets.
 */
const HIGH_SPEED_PACKET_BYTES = 512;

/**
 * A full-speed bus runs in 1 ms frames, a high-speed one in 125 µs microframes (USB 2.0
 * §8.4.3.1); an exchange (a command and its reply) takes about one. The simulator charges
 * the same per exchange (packages/sim/src/timing.ts, usbTiming).
 */
const FRAME_US = { full: 1000, high: 125 } as const;

/**
 * The port's limits: 16/32-bit transfers of up to the probe's 6144-byte buffer, and per
 * transfer two exchanges (the command with its data, then GETLASTRWSTATUS2).
 */
function portLimits(packetBytes: number): MemoryPortLimits {
  const frameUs = packetBytes >= HIGH_SPEED_PACKET_BYTES ? FRAME_US.high : FRAME_US.full;
  return { maxTransferBytes: MAX_MEMORY_WORD_BYTES, alignBytes: 4, transferStartUs: 2 * frameUs };
}

/**
 * Core's MemoryPort over one MEM-AP of an ST-Link. Transfers are split at the firmware's
 * limits (planTransfers), which it declares (`limits`); each command is followed by one
 * last-R/W-status query, which the driver turns into TARGET_FAULT with the fault address.
 * `onProgress` hears of each command that finished.
 */
export class StLinkMemory implements MemoryPort {
  readonly limits: MemoryPortLimits;

  constructor(
    private readonly driver: StLinkDriver,
    readonly ap = 0,
  ) {
    this.limits = portLimits(driver.link.endpoints.packetBytes);
  }

  #commandLimits(direction: 'read' | 'write'): TransferLimits {
    return {
      max8Bytes: maxMemory8Bytes(this.driver.version, direction),
      maxWordBytes: MAX_MEMORY_WORD_BYTES,
    };
  }

  async read(
    address: number,
    length: number,
    options: MemoryAccessOptions = {},
  ): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    for (const piece of planTransfers(
      address,
      length,
      options.width,
      this.#commandLimits('read'),
    )) {
      const data = await this.driver.readMemory(
        piece.width,
        piece.address,
        piece.lengthBytes,
        this.ap,
        options.signal,
      );
      out.set(data, piece.offset);
      options.onProgress?.(piece.offset + piece.lengthBytes);
    }
    return out;
  }

  /** A busy target cutting a command short is reported for the whole write (PartialWrite). */
  async write(address: number, data: Uint8Array, options: MemoryAccessOptions = {}): Promise<void> {
    for (const piece of planTransfers(
      address,
      data.length,
      options.width,
      this.#commandLimits('write'),
    )) {
      try {
        await this.driver.writeMemory(
          piece.width,
          piece.address,
          data.subarray(piece.offset, piece.offset + piece.lengthBytes),
          this.ap,
          options.signal,
          options.idempotent,
        );
      } catch (error) {
        const partial = partialWriteOf(error, piece.address, piece.lengthBytes);
        if (partial === undefined) throw error;
        throw withPartialWrite(error as FlashwrightError, {
          address,
          lengthBytes: data.length,
          writtenBytes: piece.offset + partial.writtenBytes,
          uncertainBytes: partial.uncertainBytes,
        });
      }
      options.onProgress?.(piece.offset + piece.lengthBytes);
    }
  }

  /** On AP 0 a single READDEBUGREG: one round trip instead of read + status. */
  async read32(address: number, signal?: AbortSignal): Promise<number> {
    if (this.ap === 0 && address % 4 === 0) return this.driver.readDebugRegister(address, signal);
    const bytes = await this.read(address, 4, this.#options(32, signal));
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  }

  async write32(address: number, value: number, signal?: AbortSignal): Promise<void> {
    if (this.ap === 0 && address % 4 === 0) {
      await this.driver.writeDebugRegister(address, value, signal);
      return;
    }
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, value >>> 0, true);
    await this.write(address, bytes, this.#options(32, signal));
  }

  #options(width: AccessWidth, signal: AbortSignal | undefined): MemoryAccessOptions {
    return signal ? { width, signal } : { width };
  }
}
