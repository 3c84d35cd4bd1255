import type {
  DapTransfer,
  DapTransferResult,
  SwdWire,
  SwdWireLimits,
} from '@flashwright/core/plugin';
import { swjSequence } from '../protocol/general.js';
import {
  MAX_BLOCK_COUNT,
  MAX_TRANSFER_COUNT,
  transfer,
  transferBlock,
  type TransferResponse,
} from '../protocol/transfer.js';
import type { DapDriver } from './dap-driver.js';

/** DAP_SWJ_Sequence carries at most 256 bits. */
const MAX_SEQUENCE_BITS = 256;

/**
 * The SWD wire of a CMSIS-DAP probe (core's SwdWire): DAP_SWJ_Sequence, DAP_Transfer and
 * DAP_TransferBlock through the pipelining driver. Limits follow from the packet size:
 * a DAP_Transfer request is 3 bytes plus 5 per write (its response 3 plus 4 per read), so
 * any mix of `maxTransfers` fits one packet; a DAP_TransferBlock request is 5 bytes plus 4
 * per written word, its response 4 plus 4 per read word.
 */
export class CmsisDapWire implements SwdWire {
  constructor(readonly driver: DapDriver) {}

  get limits(): SwdWireLimits {
    const bytes = this.driver.packetBytes;
    return {
      maxTransfers: Math.min(MAX_TRANSFER_COUNT, Math.floor((bytes - 3) / 5)),
      maxBlockWords: Math.min(MAX_BLOCK_COUNT, Math.floor((bytes - 5) / 4)),
      callsInFlight: this.driver.packetCount,
    };
  }

  async swjSequence(bitCount: number, bits: Uint8Array, signal?: AbortSignal): Promise<void> {
    if (!Number.isInteger(bitCount) || bitCount < 1 || bits.length * 8 < bitCount) {
      throw new RangeError(`swjSequence needs 1..${bits.length * 8} bits, got ${bitCount}`);
    }
    const sent: Promise<void>[] = [];
    for (let start = 0; start < bitCount; start += MAX_SEQUENCE_BITS) {
      const count = Math.min(MAX_SEQUENCE_BITS, bitCount - start);
      // Chunks start on byte boundaries (256 bits = 32 bytes).
      const chunk = bits.subarray(start / 8, start / 8 + Math.ceil(count / 8));
      sent.push(this.driver.send(swjSequence(count, chunk), signal));
    }
    await Promise.all(sent);
  }

  async transfer(
    transfers: readonly DapTransfer[],
    signal?: AbortSignal,
  ): Promise<DapTransferResult> {
    if (transfers.length === 0) return { completed: 0, ack: 'ok', reads: [] };
    const max = this.limits.maxTransfers;
    if (transfers.length > max) {
      throw new RangeError(`${transfers.length} transfers exceed this probe's ${max} per call`);
    }
    return result(await this.driver.send(transfer(transfers), signal));
  }

  async readBlock(
    port: 'dp' | 'ap',
    register: number,
    count: number,
    signal?: AbortSignal,
  ): Promise<DapTransferResult> {
    this.#checkBlock(count);
    return result(await this.driver.send(transferBlock(port, register, { read: count }), signal));
  }

  async writeBlock(
    port: 'dp' | 'ap',
    register: number,
    words: Uint32Array,
    signal?: AbortSignal,
  ): Promise<DapTransferResult> {
    this.#checkBlock(words.length);
    return result(await this.driver.send(transferBlock(port, register, { write: words }), signal));
  }

  #checkBlock(count: number): void {
    const max = this.limits.maxBlockWords;
    if (!Number.isInteger(count) || count < 1 || count > max) {
      throw new RangeError(`a block of ${count} words exceeds this probe's 1..${max} per call`);
    }
  }
}

function result(response: TransferResponse): DapTransferResult {
  return { completed: response.completed, ack: response.ack, reads: response.reads };
}
