import type { VirtualClock } from './clock.js';

/** How far a realtime board may run ahead of the wall clock before a transfer sleeps. */
const REALTIME_SLACK_MS = 5;
/** Board time is caught up in steps this long, so that a catch-up can stop between two. */
const CATCH_UP_STEP_US = 1000;
/** Host time one catch-up may spend running the board before the board's time slips. */
const CATCH_UP_BUDGET_MS = 20;

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

  /**
   * Before a transfer: the board's clock catches up with the wall clock. A halted core makes
   * that cheap; a running one (a RAM loader polling for its next buffer at 16 MHz or more)
   * is interpreted cycle by cycle, which can be slower than real time. After
   * CATCH_UP_BUDGET_MS of host time the board's time slips behind the wall clock instead, so
   * the board runs as fast as the host can interpret it rather than never catching up.
   */
  catchUp(): void {
    if (!this.enabled) return;
    const startedMs = performance.now();
    this.#anchor ??= { us: this.clock.nowUs, ms: startedMs };
    const targetUs = this.#anchor.us + (startedMs - this.#anchor.ms) * 1000;
    while (this.clock.nowUs < targetUs) {
      this.clock.advanceTo(Math.min(targetUs, this.clock.nowUs + CATCH_UP_STEP_US));
      const nowMs = performance.now();
      if (nowMs - startedMs > CATCH_UP_BUDGET_MS) {
        this.#anchor = { us: this.clock.nowUs, ms: nowMs };
        return;
      }
    }
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
