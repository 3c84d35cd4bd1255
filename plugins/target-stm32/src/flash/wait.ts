import { FlashwrightError } from '@flashwright/core';
import type { MemoryPort } from '@flashwright/core/plugin';
import type { TargetClock } from './flash-clock.js';

export interface WaitOptions {
  readonly memory: MemoryPort;
  /** Status register to poll. */
  readonly statusAddress: number;
  /** Bits that mean "operation in progress". */
  readonly busyMask: number;
  readonly timeoutMs: number;
  readonly clock: TargetClock;
  /** For the timeout message, e.g. "sector erase at 0x08020000". */
  readonly what: string;
}

/** Host time allowed on top of the target-clock budget before we give up regardless. */
const HOST_GRACE_MS = 30_000;

/**
 * Polls a status register until the busy bits clear and returns its last value (which holds
 * the error flags). Each poll is one probe round trip, so no sleep is added: on a real probe
 * that is a poll every 0.1-1 ms, as OpenOCD does. No AbortSignal on purpose: a started erase
 * or program cannot be cancelled, and Ctrl-C must wait for it before relocking the controller.
 */
export async function waitNotBusy(options: WaitOptions): Promise<number> {
  const { memory, statusAddress, busyMask, timeoutMs, clock, what } = options;
  const started = clock();
  const hostDeadline = performance.now() + timeoutMs + HOST_GRACE_MS;
  for (;;) {
    const status = await memory.read32(statusAddress);
    if ((status & busyMask) === 0) return status;
    if (clock() - started > timeoutMs || performance.now() > hostDeadline) {
      throw new FlashwrightError(
        'FLASH_TIMEOUT',
        `${what} did not finish within ${timeoutMs} ms (status 0x${hex(status)})`,
        {
          hint: 'Check the target supply; then reset the target and run the recipe again.',
          details: { statusAddress, status },
        },
      );
    }
  }
}

export function hex(value: number, digits = 8): string {
  return (value >>> 0).toString(16).toUpperCase().padStart(digits, '0');
}
