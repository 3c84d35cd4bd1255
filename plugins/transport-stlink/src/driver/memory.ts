import type { FlashwrightError } from '@flashwright/core';
import {
  partialWriteOf,
  withPartialWrite,
  type AccessWidth,
  type MemoryAccessOptions,
  type MemoryPort,
  type MemoryPortLimits,
} from '@flashwright/core/plugin';
import { V2_DEFAULT_SWD_KHZ } from '../protocol/speed.js';
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
 * Bulk payload rates the read estimate assumes: about 80 % of the 19 64-byte transactions a
 * full-speed frame can carry (USB 2.0 §5.8.4, Table 5-9: 1.216 MB/s) and about 55 % of the 13
 * 512-byte ones of a high-speed microframe (53 MB/s). The simulator charges the same
 * (packages/sim/src/timing.ts, usbTiming).
 */
const PAYLOAD_BYTES_PER_SECOND = { full: 1_000_000, high: 30_000_000 } as const;
/**
 * SWD clocks of one 32-bit AP access: 8 request, 1 turnaround, 3 ACK, 1 turnaround, 32 data and
 * 1 parity (ARM IHI 0031 ADIv5.2, B4.2); the firmware reads DRW with address auto-increment.
 */
const SWD_CLOCKS_PER_WORD = 46;

/**
 * The port's limits: 16/32-bit transfers of up to the probe's 6144-byte buffer, and per
 * transfer two exchanges (the command with its data, then GETLASTRWSTATUS2). A long read
 * moves whole buffers, each costing its two exchanges, its USB payload and the SWD clocks of
 * its words at `swdKhz` (the firmware's own default where connect could not set one).
 */
function portLimits(packetBytes: number, swdKhz: number | undefined): MemoryPortLimits {
  const speed = packetBytes >= HIGH_SPEED_PACKET_BYTES ? 'high' : 'full';
  const transferStartUs = 2 * FRAME_US[speed];
  const bufferUs =
    transferStartUs +
    (MAX_MEMORY_WORD_BYTES * 1_000_000) / PAYLOAD_BYTES_PER_SECOND[speed] +
    ((MAX_MEMORY_WORD_BYTES / 4) * SWD_CLOCKS_PER_WORD * 1000) / (swdKhz ?? V2_DEFAULT_SWD_KHZ);
  return {
    maxTransferBytes: MAX_MEMORY_WORD_BYTES,
    alignBytes: 4,
    transferStartUs,
    readBytesPerSecond: (MAX_MEMORY_WORD_BYTES * 1_000_000) / bufferUs,
  };
}

/**
 * Core's MemoryPort over one MEM-AP of an ST-Link. Transfers are split at the firmware's
 * limits (planTransfers), which it declares (`limits`); each command is followed by one
 * last-R/W-status query, which the driver turns into TARGET_FAULT with the fault address.
 * `onProgress` hears of each command that finished.
 */
export class StLinkMemory implements MemoryPort {
  constructor(
    private readonly driver: StLinkDriver,
    readonly ap = 0,
  ) {}

  get limits(): MemoryPortLimits {
    return portLimits(this.driver.link.endpoints.packetBytes, this.driver.swdKhz);
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
