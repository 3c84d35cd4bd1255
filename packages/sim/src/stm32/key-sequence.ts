import type { BusSize } from '../bus.js';
import { wrongKeyError } from './controller.js';

/**
 * A two-key unlock sequence as every STM32 flash controller has them (KEYR, OPTKEYR,
 * PEKEYR, ...). The caller says whether a key is acceptable at all right now (the register
 * it unlocks is still locked, a prerequisite lock is open, no earlier failure); a wrong
 * key, a key out of order, a sub-word write or an unacceptable key throws the bus error of
 * a wrong sequence after `onWrong` has locked what the family locks until reset.
 */
export class KeySequence {
  #stage = 0;

  constructor(
    readonly keys: readonly [number, number],
    readonly register: string,
  ) {}

  /** Returns true when this write completed the sequence. */
  write(
    address: number,
    value: number,
    size: BusSize,
    acceptable: boolean,
    onWrong: () => void,
  ): boolean {
    if (!acceptable || size !== 4 || value >>> 0 !== this.keys[this.#stage]) {
      this.#stage = 0;
      onWrong();
      throw wrongKeyError(address, this.register);
    }
    if (this.#stage === 0) {
      this.#stage = 1;
      return false;
    }
    this.#stage = 0;
    return true;
  }

  reset(): void {
    this.#stage = 0;
  }
}
