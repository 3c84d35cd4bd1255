/**
 * Something that acts while virtual time passes: the simulated processor executes its
 * instructions in the time the probe's transfers take.
 */
export interface ClockRunner {
  /**
   * Runs up to `untilUs`, advancing the clock as it goes (its own advances do not call it
   * again). It may stop early (halted, asleep) or end a little past `untilUs` (the last
   * instruction, a bus stall).
   */
  runUntil(untilUs: number): void;
}

/**
 * Virtual time for simulated hardware. Every simulated action advances it by what the
 * real thing would take (see timing.ts), so benchmarks can compare host code against the
 * physical floor without real hardware. Time is in microseconds, fractional allowed.
 *
 * A runner (the board's core) gets each advance first and runs through it, so work the
 * target does and work the probe does interleave in one deterministic order: whatever
 * advances the clock (a USB transfer, an SWD access) lets the core run up to the new
 * time before the caller goes on.
 */
export class VirtualClock {
  #nowUs = 0;
  #runner: ClockRunner | undefined;
  #running = false;

  get nowUs(): number {
    return this.#nowUs;
  }

  get nowMs(): number {
    return this.#nowUs / 1000;
  }

  /** Installs (or with undefined removes) the runner that acts while time passes. */
  setRunner(runner: ClockRunner | undefined): void {
    this.#runner = runner;
  }

  advanceUs(us: number): void {
    if (!(us >= 0)) throw new RangeError(`cannot advance the clock by ${us} µs`);
    this.#advance(this.#nowUs + us);
  }

  /** Waits (in virtual time) until `us`; no-op if that moment has passed. Models bus stalls. */
  advanceTo(us: number): void {
    if (us > this.#nowUs) this.#advance(us);
  }

  #advance(targetUs: number): void {
    const runner = this.#runner;
    if (runner && !this.#running) {
      this.#running = true;
      try {
        runner.runUntil(targetUs);
      } finally {
        this.#running = false;
      }
    }
    if (targetUs > this.#nowUs) this.#nowUs = targetUs;
  }
}
