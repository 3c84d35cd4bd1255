import type { VirtualClock } from './clock.js';

/** How far a realtime board may run ahead of the wall clock before a transfer sleeps. */
const REALTIME_SLACK_MS = 5;

/**
 * A virtual probe's `timing: 'realtime'`: board time and wall time keep pace from the first
 * transfer on. Wall time that passed (a slow host, such as a guest behind usbredir) has
 * passed on the board too, so a flash erase ends after its real duration however slowly the
 * host polls; board time that ran ahead (the modelled cost of a transfer, on a fast host) is
 * slept off after the transfer. With `timing: 'instant'` both calls do nothing.
 */
export class RealtimePace {
  #anchor: { readonly us: number; readonly ms: number } | undefined;

  constructor(
    readonly clock: VirtualClock,
    readonly enabled: boolean,
  ) {}

  /** Before a transfer: the board's clock catches up with the wall clock. */
  catchUp(): void {
    if (!this.enabled) return;
    const nowMs = performance.now();
    this.#anchor ??= { us: this.clock.nowUs, ms: nowMs };
    this.clock.advanceTo(this.#anchor.us + (nowMs - this.#anchor.ms) * 1000);
  }

  /** After a transfer: sleeps off a lead of the board over the wall clock. */
  async keepPace(): Promise<void> {
    const anchor = this.#anchor;
    if (!this.enabled || !anchor) return;
    const aheadMs = (this.clock.nowUs - anchor.us) / 1000 - (performance.now() - anchor.ms);
    // A lead shorter than REALTIME_SLACK_MS is kept: on a host slower than the probe every
    // transfer starts caught up and leads by its own modelled cost, and sleeping that off
    // would count the cost twice (timers under load also fire late).
    if (aheadMs >= REALTIME_SLACK_MS) await new Promise((resolve) => setTimeout(resolve, aheadMs));
  }
}
