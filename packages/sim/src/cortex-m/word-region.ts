import type { BusRegion, BusSize } from '../bus.js';

/** Word-wide registers: what a peripheral implements to become a bus region. */
export interface WordRegisters {
  /** Reads the aligned word at `offset` from the region start. */
  readWord(offset: number): number;
  /**
   * Writes the aligned word at `offset`. `byteMask` has one bit per byte lane written
   * (0xf for a word); sub-word writes arrive merged into the current value.
   */
  writeWord(offset: number, value: number, byteMask: number): void;
}

/**
 * A bus region made of 32-bit registers. Byte and half-word accesses read the word and
 * pick their lanes; sub-word writes are merged into the word the register reads back, so
 * a register that needs a key in its upper half (DHCSR, AIRCR) ignores them, as on silicon.
 */
export class WordRegisterRegion implements BusRegion {
  constructor(
    readonly name: string,
    readonly start: number,
    readonly end: number,
    readonly registers: WordRegisters,
  ) {}

  read(address: number, size: BusSize): number {
    const offset = address - this.start;
    const word = this.registers.readWord(offset & ~3);
    if (size === 4) return word >>> 0;
    const shift = 8 * (offset & 3);
    return (word >>> shift) & (size === 1 ? 0xff : 0xffff);
  }

  write(address: number, size: BusSize, value: number): void {
    const offset = address - this.start;
    if (size === 4) {
      this.registers.writeWord(offset & ~3, value >>> 0, 0xf);
      return;
    }
    const shift = 8 * (offset & 3);
    const laneMask = (size === 1 ? 0xff : 0xffff) << shift;
    const current = this.registers.readWord(offset & ~3);
    const merged = (current & ~laneMask) | ((value << shift) & laneMask);
    const byteMask = (size === 1 ? 0x1 : 0x3) << (offset & 3);
    this.registers.writeWord(offset & ~3, merged >>> 0, byteMask);
  }
}

/** Plain storage for registers a model does not give meaning to (read back what was written). */
export class RegisterStore {
  readonly #words = new Map<number, number>();

  get(offset: number): number {
    return this.#words.get(offset) ?? 0;
  }

  set(offset: number, value: number): void {
    this.#words.set(offset, value >>> 0);
  }

  clear(): void {
    this.#words.clear();
  }
}
