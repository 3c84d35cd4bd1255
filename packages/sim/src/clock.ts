/**
 * Virtual time for simulated hardware. Every simulated action advances it by what the
 * real thing would take (see timing.ts), so benchmarks can compare host code against the
 * physical floor without real hardware. Time is in microseconds, fractional allowed.
 */
export class VirtualClock {
  #nowUs = 0;

  get nowUs(): number {
    return this.#nowUs;
  }

  get nowMs(): number {
    return this.#nowUs / 1000;
  }

  advanceUs(us: number): void {
    if (!(us >= 0)) throw new RangeError(`cannot advance the clock by ${us} µs`);
    this.#nowUs += us;
  }

  /** Waits (in virtual time) until `us`; no-op if that moment has passed. Models bus stalls. */
  advanceTo(us: number): void {
    if (us > this.#nowUs) this.#nowUs = us;
  }
}
