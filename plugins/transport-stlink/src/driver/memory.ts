import type { FlashwrightError } from '@flashwright/core';
import {
  partialWriteOf,
  withPartialWrite,
  type AccessWidth,
  type MemoryAccessOptions,
  type MemoryPort,
} from '@flashwright/core/plugin';
import { MAX_MEMORY_WORD_BYTES, maxMemory8Bytes } from '../protocol/version.js';
import type { StLinkDriver } from './stlink-driver.js';
import { planTransfers, type TransferLimits } from './transfer-plan.js';

/**
 * Core's MemoryPort over one MEM-AP of an ST-Link. Transfers are split at the firmware's
 * limits (planTransfers); each command is followed by one last-R/W-status query, which the
 * driver turns into TARGET_FAULT with the fault address.
 */
export class StLinkMemory implements MemoryPort {
  constructor(
    private readonly driver: StLinkDriver,
    readonly ap = 0,
  ) {}

  #limits(direction: 'read' | 'write'): TransferLimits {
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
    for (const piece of planTransfers(address, length, options.width, this.#limits('read'))) {
      const data = await this.driver.readMemory(
        piece.width,
        piece.address,
        piece.lengthBytes,
        this.ap,
        options.signal,
      );
      out.set(data, piece.offset);
    }
    return out;
  }

  /** A busy target cutting a command short is reported for the whole write (PartialWrite). */
  async write(address: number, data: Uint8Array, options: MemoryAccessOptions = {}): Promise<void> {
    for (const piece of planTransfers(address, data.length, options.width, this.#limits('write'))) {
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
