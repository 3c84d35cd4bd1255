import { FlashwrightError } from '@flashwright/core';
import type { MemoryPort } from '@flashwright/core/plugin';
import type { TargetClock } from './flash-clock.js';

interface WaitTarget {
  readonly memory: MemoryPort;
  /** Status register to poll. */
  readonly statusAddress: number;
  /** Its name in the timeout message (default "status"). */
  readonly statusName?: string;
  readonly timeoutMs: number;
  readonly clock: TargetClock;
  /** For the timeout message, e.g. "sector erase at 0x08020000". */
  readonly what: string;
}

/**
 * What ends the wait: the busy bits clearing, or (on a controller that raises a flag when a
 * command ends instead, as the BlueNRG-LP FLASH_CTRL IRQRAW.CMDDONE) any of the done bits set.
 */
export type WaitOptions = WaitTarget &
  ({ readonly busyMask: number } | { readonly doneMask: number });

/** Host time allowed on top of the target-clock budget before we give up regardless. */
const HOST_GRACE_MS = 30_000;

/**
 * Polls a status register until the busy bits clear (or a done bit is set) and returns its
 * last value (which holds the error flags). Each poll is one probe round trip, so no sleep is added: on a real probe
 * that is a poll every 0.1-1 ms, as OpenOCD does. No AbortSignal on purpose: a started erase
 * or program cannot be cancelled, and Ctrl-C must wait for it before relocking the controller.
 */
export async function waitNotBusy(options: WaitOptions): Promise<number> {
  const { memory, statusAddress, timeoutMs, clock, what } = options;
  const ended =
    'doneMask' in options
      ? (status: number) => (status & options.doneMask) !== 0
      : (status: number) => (status & options.busyMask) === 0;
  const started = clock();
  const hostDeadline = performance.now() + timeoutMs + HOST_GRACE_MS;
  for (;;) {
    const status = await memory.read32(statusAddress);
    if (ended(status)) return status;
    if (clock() - started > timeoutMs || performance.now() > hostDeadline) {
      throw new FlashwrightError(
        'FLASH_TIMEOUT',
        `${what} did not finish within ${timeoutMs} ms (${options.statusName ?? 'status'} 0x${hex(status)})`,
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
