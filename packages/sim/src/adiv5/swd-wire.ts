import type {
  DapTransfer,
  DapTransferResult,
  SwdAck,
  SwdWire,
  SwdWireLimits,
} from '@flashwright/core/plugin';
import type { SimBoard } from '../board.js';
import { DpRegister, type SwdResponse } from './debug-port.js';

export interface SimSwdWireOptions {
  /**
   * Defaults: those of a CMSIS-DAP v2 probe with 512-byte packets and 4 in flight (ARM
   * CMSIS-DAP DAP_Transfer: 3 + 5 bytes per write; DAP_TransferBlock: 5 + 4 per word).
   */
  readonly limits?: Partial<SwdWireLimits>;
  /** WAIT acknowledgements the wire retries by itself before it reports one (default 0). */
  readonly waitRetries?: number;
}

export const SIM_SWD_WIRE_LIMITS: SwdWireLimits = {
  maxTransfers: Math.floor((512 - 3) / 5),
  maxBlockWords: Math.floor((512 - 5) / 4),
  callsInFlight: 4,
};

/** Counts of what went over a sim wire, for tests. */
export interface SimSwdWireStats {
  calls: number;
  swjSequences: number;
  /** Most calls that were issued and not yet settled at once. */
  maxInFlight: number;
}

export interface SimSwdWire extends SwdWire {
  readonly stats: SimSwdWireStats;
}

/**
 * An ideal raw-DAP wire straight over a SimBoard's SW-DP: what a CMSIS-DAP probe offers
 * (SwdWire), with no USB in between. Each call runs at once, in call order, so calls that
 * overlap complete in order. Posted AP reads are resolved as a CMSIS-DAP probe does it,
 * here per read: the AP read, then RDBUFF (ARM CMSIS-DAP DAP.c DAP_SWD_Transfer reads RDBUFF
 * after the last AP read). WAIT is retried `waitRetries` times, then reported; a batch stops at
 * its first transaction that is not acknowledged OK.
 */
export function simSwdWire(board: SimBoard, options: SimSwdWireOptions = {}): SimSwdWire {
  const limits: SwdWireLimits = { ...SIM_SWD_WIRE_LIMITS, ...options.limits };
  const waitRetries = options.waitRetries ?? 0;
  const stats: SimSwdWireStats = { calls: 0, swjSequences: 0, maxInFlight: 0 };
  let inFlight = 0;
  const dp = board.dp;

  const retried = (access: () => SwdResponse): SwdResponse => {
    let response = access();
    for (let n = 0; response.ack === 'wait' && n < waitRetries; n++) response = access();
    return response;
  };

  const one = (transfer: DapTransfer): SwdResponse => {
    const { port, register, value } = transfer;
    const address = register & 0xc;
    if (port === 'dp') {
      return retried(() => (value === undefined ? dp.read(address) : dp.write(address, value)));
    }
    if (value !== undefined) return retried(() => dp.apWrite(address, value));
    const posted = retried(() => dp.apRead(address));
    if (posted.ack !== 'ok') return posted;
    return retried(() => dp.read(DpRegister.RDBUFF));
  };

  const run = (transfers: readonly DapTransfer[]): DapTransferResult => {
    const reads: number[] = [];
    let completed = 0;
    for (const transfer of transfers) {
      const response = one(transfer);
      if (response.ack !== 'ok') return { completed, ack: response.ack satisfies SwdAck, reads };
      if (transfer.value === undefined) reads.push(response.value >>> 0);
      completed++;
    }
    return { completed, ack: 'ok', reads };
  };

  const call = async <T>(work: () => T, signal: AbortSignal | undefined): Promise<T> => {
    signal?.throwIfAborted();
    stats.calls++;
    inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    try {
      const result = work();
      await Promise.resolve();
      return result;
    } finally {
      inFlight--;
    }
  };

  const check = (count: number, max: number, what: string): void => {
    if (!Number.isInteger(count) || count < 1 || count > max) {
      throw new RangeError(`${what}: ${count} (this wire takes 1 to ${max})`);
    }
  };

  return {
    limits,
    stats,
    swjSequence(bitCount, bits, signal) {
      return call(() => {
        stats.swjSequences++;
        dp.swjSequence(bitCount, bits);
      }, signal);
    },
    transfer(transfers, signal) {
      check(transfers.length, limits.maxTransfers, 'transfers in one call');
      return call(() => run(transfers), signal);
    },
    readBlock(port, register, count, signal) {
      check(count, limits.maxBlockWords, 'block words');
      return call(() => run(Array.from({ length: count }, () => ({ port, register }))), signal);
    },
    writeBlock(port, register, words, signal) {
      check(words.length, limits.maxBlockWords, 'block words');
      return call(() => run(Array.from(words, (value) => ({ port, register, value }))), signal);
    },
  };
}
