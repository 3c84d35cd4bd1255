import { FlashwrightError } from '@flashwright/core';
import { throwIfAborted, type Probe } from '@flashwright/core/plugin';

/**
 * Milliseconds on the target's clock: a virtual probe's virtual time (a simulated 169 ms
 * ERASEALL takes a few host milliseconds), the host clock on real probes.
 */
export type TargetClock = () => number;

export function targetClock(probe: Probe): TargetClock {
  const stats = probe.stats?.bind(probe);
  if (stats?.().virtualElapsedMs !== undefined) {
    return () => stats().virtualElapsedMs ?? performance.now();
  }
  return () => performance.now();
}

/** Host time allowed on top of the target-clock budget before giving up regardless. */
const HOST_GRACE_MS = 30_000;

/**
 * Polls until `done(value)`; each poll is one probe round trip, so no sleep is added (a poll
 * every 0.1-1 ms on a real probe). Times out after `timeoutMs` of target time.
 */
export async function pollUntil(
  poll: () => Promise<number>,
  done: (value: number) => boolean,
  options: {
    timeoutMs: number;
    clock: TargetClock;
    what: string;
    signal?: AbortSignal | undefined;
  },
): Promise<void> {
  const started = options.clock();
  const hostDeadline = performance.now() + options.timeoutMs + HOST_GRACE_MS;
  for (;;) {
    throwIfAborted(options.signal);
    if (done(await poll())) return;
    if (options.clock() - started > options.timeoutMs || performance.now() > hostDeadline) {
      throw new FlashwrightError(
        'FLASH_TIMEOUT',
        `${options.what} did not finish within ${Math.round(options.timeoutMs)} ms`,
        { hint: 'Check the target supply; then power-cycle the board and run again.' },
      );
    }
  }
}
