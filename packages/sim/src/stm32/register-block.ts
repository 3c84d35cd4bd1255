import type { BusRegion, BusSize } from '../bus.js';

/** A block of 32-bit peripheral registers, as a flash controller implements it. */
export interface RegisterFile {
  /** The word at `offset` (word-aligned, relative to the block start). */
  read(offset: number): number;
  /**
   * A write to the word at `offset`. `size` is the bus access size; sub-word writes arrive
   * merged into the value the register currently reads, with `byteMask` naming the lanes
   * written, so a key register sees a half-word write as a wrong key, as silicon does.
   */
  write(offset: number, value: number, size: BusSize, byteMask: number): void;
}

/** Maps a RegisterFile onto the bus. Unused offsets are the RegisterFile's business. */
export class RegisterBlock implements BusRegion {
  constructor(
    readonly name: string,
    readonly start: number,
    readonly end: number,
    readonly registers: RegisterFile,
  ) {}

  read(address: number, size: BusSize): number {
    const offset = address - this.start;
    const word = this.registers.read(offset & ~3) >>> 0;
    if (size === 4) return word;
    const shift = 8 * (offset & 3);
    return (word >>> shift) & (size === 1 ? 0xff : 0xffff);
  }

  write(address: number, size: BusSize, value: number): void {
    const offset = address - this.start;
    if (size === 4) {
      this.registers.write(offset & ~3, value >>> 0, 4, 0xf);
      return;
    }
    const shift = 8 * (offset & 3);
    const laneMask = ((size === 1 ? 0xff : 0xffff) << shift) >>> 0;
    const current = this.registers.read(offset & ~3);
    const merged = ((current & ~laneMask) | ((value << shift) & laneMask)) >>> 0;
    const byteMask = (size === 1 ? 0x1 : 0x3) << (offset & 3);
    this.registers.write(offset & ~3, merged, size, byteMask);
  }
}

/** Word storage for registers that only hold what is written (ACR, DBGMCU_CR, ...). */
export class PlainRegisters {
  readonly #words = new Map<number, number>();

  constructor(readonly resetValues: ReadonlyMap<number, number> = new Map()) {}

  get(offset: number): number {
    return this.#words.get(offset) ?? this.resetValues.get(offset) ?? 0;
  }

  set(offset: number, value: number): void {
    this.#words.set(offset, value >>> 0);
  }

  reset(): void {
    this.#words.clear();
  }
}
