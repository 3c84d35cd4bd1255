import type { VirtualClock } from '../clock.js';

/**
 * The busy state of a flash controller in virtual time. A started program or erase sets an
 * absolute busy-until time; BSY reads 1 until the clock gets there. The effect on the array
 * is applied when the operation starts (reads stall until it ends, so nothing can observe
 * the difference), while the end-of-operation bookkeeping (EOP, STRT clearing) runs the
 * first time the controller is looked at after the operation ended.
 */
export class FlashBusy {
  #untilUs = 0;
  #onDone: (() => void) | undefined;

  constructor(readonly clock: () => VirtualClock | undefined) {}

  /** Whether an operation is in progress now. Runs the completion of one that has ended. */
  get busy(): boolean {
    const clock = this.clock();
    if (clock && clock.nowUs < this.#untilUs) return true;
    this.#complete();
    return false;
  }

  get untilUs(): number {
    return this.#untilUs;
  }

  /**
   * Starts an operation of `durationUs`. One still in flight is waited for first (the bus
   * stalls), so operations never overlap. `onDone` runs when the new one has ended.
   */
  start(durationUs: number, onDone?: () => void): void {
    this.stall();
    this.#untilUs = (this.clock()?.nowUs ?? 0) + durationUs;
    this.#onDone = onDone;
  }

  /** A bus access that must wait for the operation: the AHB stalls until it is over. */
  stall(): void {
    const clock = this.clock();
    if (clock) clock.advanceTo(this.#untilUs);
    this.#complete();
  }

  /** Reset: an operation in flight is cut short (the RM: contents not guaranteed). */
  abort(): void {
    this.#untilUs = this.clock()?.nowUs ?? 0;
    this.#onDone = undefined;
  }

  #complete(): void {
    const done = this.#onDone;
    this.#onDone = undefined;
    done?.();
  }
}
