import type { BusSize } from '../../bus.js';
import { leBytes } from '../flash-array.js';

/** What a write into the half-page latches leads to. */
export type HalfPageStep =
  /** The write was latched; more words are expected. */
  | { readonly kind: 'latched' }
  /** The last word arrived: program `data` at `base`. */
  | { readonly kind: 'complete'; readonly base: number; readonly data: Uint8Array }
  /** The sequence broke: nothing is programmed. */
  | { readonly kind: 'broken'; readonly reason: 'size' | 'address' };

/**
 * The STM32L0/L1 half-page latches (FPRG|PROG): 32 (L1) or 16 (L0) words of one
 * half-page, each a 32-bit write to a distinct word of it; programming starts when the
 * last one arrives (PM0062, HAL HAL_FLASHEx_HalfPageProgram). A sub-word write breaks the
 * sequence as a size error, a write outside the half-page or to a word already latched as
 * an address error.
 */
export class HalfPageLatches {
  #base: number | undefined;
  #data: Uint8Array;
  #written = new Set<number>();

  constructor(readonly bytes: number) {
    this.#data = new Uint8Array(bytes);
  }

  get pending(): boolean {
    return this.#base !== undefined;
  }

  write(address: number, size: BusSize, value: number): HalfPageStep {
    const base = this.#base ?? address & ~(this.bytes - 1);
    if (size !== 4) return this.#break('size');
    const misplaced = address & 3 || address < base || address >= base + this.bytes;
    if (misplaced || this.#written.has(address)) return this.#break('address');
    this.#base = base;
    this.#written.add(address);
    this.#data.set(leBytes(value, 4), address - base);
    if (this.#written.size < this.bytes / 4) return { kind: 'latched' };
    const data = this.#data;
    this.clear();
    return { kind: 'complete', base, data };
  }

  clear(): void {
    this.#base = undefined;
    this.#data = new Uint8Array(this.bytes);
    this.#written = new Set();
  }

  #break(reason: 'size' | 'address'): HalfPageStep {
    this.clear();
    return { kind: 'broken', reason };
  }
}
