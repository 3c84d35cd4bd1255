import type { VirtualClock } from './clock.js';

/** How far a realtime board may run ahead of the wall clock before a transfer sleeps. */
const REALTIME_SLACK_MS = 5;
/** Board time is caught up in steps this long, so that a catch-up can stop between two. */
const CATCH_UP_STEP_US = 1000;
/** Host time one catch-up may spend running the board before the board's time slips. */
const CATCH_UP_BUDGET_MS = 20;
/**
 * Host time the realtime boards of this process may keep the event loop before a transfer
 * returns through it. A transfer that needs no sleep completes in a microtask, so a host
 * driving a board that runs behind the wall clock (every catch-up interpreting its core)
 * never let the loop turn: four F411 boards running RAM loaders on a loaded host held it
 * for 1 to 5 s, and every timer of the process (the other boards' sleeps, the transports'
 * transfer timeouts) fired that late. A real USB transfer always completes through the
 * loop. Returning through it after every transfer made those boards twice as slow (each one
 * then ran its core through the others' time), so it happens once per this much.
 */
const MAX_LOOP_HOLD_MS = 100;
/** When a realtime board's transfer last returned through the event loop (any board's). */
let loopTurnedMs = performance.now();

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

  /**
   * After a transfer: sleeps off a lead of the board over the wall clock, or returns through
   * the event loop when the realtime boards have kept it for MAX_LOOP_HOLD_MS.
   */
  async keepPace(): Promise<void> {
    const anchor = this.#anchor;
    if (!this.enabled || !anchor) return;
    const nowMs = performance.now();
    const aheadMs = (this.clock.nowUs - anchor.us) / 1000 - (nowMs - anchor.ms);
    // A lead shorter than REALTIME_SLACK_MS is kept: on a host slower than the probe every
    // transfer starts caught up and leads by its own modelled cost, and sleeping that off
    // would count the cost twice (timers under load also fire late).
    if (aheadMs >= REALTIME_SLACK_MS) {
      await new Promise((resolve) => setTimeout(resolve, aheadMs));
    } else if (nowMs - loopTurnedMs >= MAX_LOOP_HOLD_MS) {
      await new Promise((resolve) => setImmediate(resolve));
    } else {
      return;
    }
    loopTurnedMs = performance.now();
  }
}
