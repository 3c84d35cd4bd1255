import type { Probe } from '@flashwright/core/plugin';

/**
 * Milliseconds on the target's clock. A virtual probe reports the virtual time its simulated
 * hardware has spent; timeouts must count that time, not the host's, or a simulated 30 s
 * mass erase that takes 50 ms of host time would never time out and a real-time budget
 * would be wrong in both directions. Real probes report nothing and the host clock is used.
 */
export type TargetClock = () => number;

export function targetClock(probe: Probe): TargetClock {
  const stats = probe.stats?.bind(probe);
  if (stats?.().virtualElapsedMs !== undefined) {
    return () => stats().virtualElapsedMs ?? performance.now();
  }
  return () => performance.now();
}
