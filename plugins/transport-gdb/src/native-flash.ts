import { FlashwrightError } from '@flashwright/core';
import { formatAddress, formatRange, type AddressRange } from '@flashwright/core/image';
import type { MemoryMapRegion, NativeFlashPort } from '@flashwright/core/plugin';
import { parseStatusReply } from './commands/reply.js';
import {
  FLASH_DONE,
  encodeFlashErase,
  encodeFlashWrite,
  flashWriteHeaderBytes,
  isMemoryTypeError,
} from './commands/vflash.js';
import { bytesFittingEscaped } from './rsp/escape.js';
import type { RspClient } from './rsp-client.js';
import type { TransferLimits } from './transfer-limits.js';

interface FlashRegion {
  readonly start: number;
  readonly end: number;
  readonly blockSize: number;
}

function isStatus(text: string): boolean {
  return parseStatusReply(text).kind !== 'other';
}

/**
 * Flash through the server's own flash driver (vFlashErase / vFlashWrite / vFlashDone,
 * GDB manual "Packets"), offered when the server's memory map has flash regions. The
 * server may buffer writes until vFlashDone, so only done() says the data is programmed.
 */
export class GdbNativeFlash implements NativeFlashPort {
  readonly regions: readonly FlashRegion[];
  readonly #client: RspClient;
  readonly #limits: TransferLimits;
  readonly #timeoutMs: number;
  readonly #ensureHalted: (signal: AbortSignal | undefined) => Promise<void>;

  constructor(options: {
    client: RspClient;
    limits: TransferLimits;
    regions: readonly MemoryMapRegion[];
    timeoutMs: number;
    ensureHalted: (signal: AbortSignal | undefined) => Promise<void>;
  }) {
    this.#client = options.client;
    this.#limits = options.limits;
    this.#timeoutMs = options.timeoutMs;
    this.#ensureHalted = options.ensureHalted;
    this.regions = options.regions
      .filter((r) => r.kind === 'flash' && r.blockSize !== undefined)
      .map((r) => ({ start: r.start, end: r.end, blockSize: r.blockSize! }));
  }

  async erase(range: AddressRange, signal?: AbortSignal): Promise<void> {
    const region = this.regions.find((r) => range.start >= r.start && range.end <= r.end);
    if (region === undefined) {
      throw new FlashwrightError(
        'FLASH_ERASE_FAILED',
        `${formatRange(range)} is not inside one flash region of the GDB server’s memory map`,
        {
          details: { range },
        },
      );
    }
    if (
      (range.start - region.start) % region.blockSize !== 0 ||
      (range.end - region.start) % region.blockSize !== 0
    ) {
      throw new FlashwrightError(
        'INTERNAL',
        `Erase range ${formatRange(range)} is not aligned to the ${region.blockSize}-byte flash blocks`,
      );
    }
    await this.#ensureHalted(signal);
    const reply = parseStatusReply(
      await this.#client.requestText(encodeFlashErase(range.start, range.end - range.start), {
        signal,
        timeoutMs: this.#timeoutMs,
        accept: isStatus,
      }),
    );
    if (reply.kind === 'ok') return;
    throw new FlashwrightError(
      'FLASH_ERASE_FAILED',
      reply.kind === 'unsupported'
        ? 'The GDB server announces flash in its memory map but does not support vFlashErase'
        : `The GDB server could not erase ${formatRange(range)} (${reply.kind === 'error' ? `error ${reply.code}` : 'unexpected reply'})`,
      {
        details: { range },
        hint: 'See the GDB server’s log for the reason (protection, a locked flash controller, no flash driver for this chip).',
      },
    );
  }

  async write(address: number, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.#ensureHalted(signal);
    let offset = 0;
    while (offset < data.length) {
      const at = address + offset;
      const rest = data.subarray(
        offset,
        offset + Math.min(data.length - offset, this.#limits.writeCapBytes),
      );
      const size = Math.max(
        1,
        bytesFittingEscaped(rest, this.#limits.maxPayloadBytes - flashWriteHeaderBytes(at)),
      );
      const text = await this.#client.requestText(encodeFlashWrite(at, rest.subarray(0, size)), {
        signal,
        timeoutMs: this.#timeoutMs,
        accept: isStatus,
      });
      const reply = parseStatusReply(text);
      if (reply.kind !== 'ok') {
        throw new FlashwrightError(
          'FLASH_PROGRAM_FAILED',
          isMemoryTypeError(text)
            ? `${formatAddress(at)} is not flash according to the GDB server’s memory map`
            : `The GDB server could not program ${size} byte(s) at ${formatAddress(at)} (${reply.kind === 'error' ? `error ${reply.code}` : reply.kind})`,
          { details: { address: at, length: size } },
        );
      }
      offset += size;
    }
  }

  async done(signal?: AbortSignal): Promise<void> {
    await this.#ensureHalted(signal);
    const reply = parseStatusReply(
      await this.#client.requestText(FLASH_DONE, {
        signal,
        timeoutMs: this.#timeoutMs,
        accept: isStatus,
      }),
    );
    if (reply.kind === 'ok') return;
    throw new FlashwrightError(
      'FLASH_PROGRAM_FAILED',
      `The GDB server could not finish programming (vFlashDone: ${reply.kind === 'error' ? `error ${reply.code}` : reply.kind})`,
      {
        hint: 'See the GDB server’s log; the written ranges are in an unknown state, so erase and write again.',
      },
    );
  }
}
