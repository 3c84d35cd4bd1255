import type { FlashBankLayout } from '@flashwright/stm32-devices';
import { base64ToBytes, bytesToBase64 } from './base64.js';

/** One erase unit (page or sector) of the main flash. */
export interface FlashUnit {
  /** Position in the whole array, counting from 0 across banks. */
  readonly index: number;
  readonly bank: number;
  /** Position within its bank (what PNB/SNB fields count on most families). */
  readonly indexInBank: number;
  readonly start: number;
  readonly size: number;
}

/** How a program operation combines new data with the cells. */
export type ProgramRule =
  /** The cells take the new value (the controller has checked they were erased). */
  | 'replace'
  /** Programming can only clear bits (erased value 0xFF): the result is old AND new. */
  | 'and'
  /** Programming can only set bits (erased value 0x00, STM32L0/L1): old OR new. */
  | 'or';

/** Non-volatile contents, compact: only chunks that are not fully erased. */
export interface FlashArrayState {
  readonly chunkBytes: number;
  /** Chunk offset from the flash base (hex string) to its contents in base64. */
  readonly chunks: Readonly<Record<string, string>>;
}

/**
 * The cells of a main flash (or data EEPROM) array: what the silicon stores, without any
 * controller rules. The bank layout can change at run time (dual-bank option bits) while
 * the cells stay put, as on silicon.
 */
export class FlashArray {
  readonly bytes: Uint8Array;
  /** The same cells as host-order words, for fast erased checks (the value is 4 equal bytes). */
  readonly #words: Uint32Array;
  #banks: FlashBankLayout[] = [];
  #units: FlashUnit[] = [];
  #lastUnit: FlashUnit | undefined;

  constructor(
    readonly base: number,
    /** Bytes from the base to the end of the last bank (holes included). */
    readonly span: number,
    readonly erasedValue: number,
    banks: readonly FlashBankLayout[],
  ) {
    this.bytes = new Uint8Array(span).fill(erasedValue);
    this.#words = new Uint32Array(this.bytes.buffer, 0, span >>> 2);
    this.setBanks(banks);
  }

  get end(): number {
    return this.base + this.span;
  }

  get units(): readonly FlashUnit[] {
    return this.#units;
  }

  get banks(): readonly FlashBankLayout[] {
    return this.#banks;
  }

  setBanks(banks: readonly FlashBankLayout[]): void {
    this.#banks = [...banks];
    const units: FlashUnit[] = [];
    banks.forEach((bank, bankIndex) => {
      let start = bank.start;
      bank.sectorBytes.forEach((size, indexInBank) => {
        units.push({ index: units.length, bank: bankIndex, indexInBank, start, size });
        start += size;
      });
    });
    this.#units = units;
    this.#lastUnit = undefined;
  }

  /** The unit holding `address`, or undefined in a hole or outside the array. */
  unitAt(address: number): FlashUnit | undefined {
    // Programming and reads walk a unit word by word: try the last one found first.
    const last = this.#lastUnit;
    if (last !== undefined && address >= last.start && address < last.start + last.size) {
      return last;
    }
    for (const unit of this.#units) {
      if (address >= unit.start && address < unit.start + unit.size) {
        return (this.#lastUnit = unit);
      }
    }
    return undefined;
  }

  /** Units of one bank, in order. */
  bankUnits(bank: number): FlashUnit[] {
    return this.#units.filter((u) => u.bank === bank);
  }

  /** Whether every byte of [address, address + length) is backed by cells. */
  isMapped(address: number, length: number): boolean {
    const unit = this.unitAt(address);
    return unit !== undefined && address + length <= unit.start + unit.size;
  }

  read(address: number, size: number): number {
    const offset = address - this.base;
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = (value << 8) | (this.bytes[offset + i] ?? 0);
    return value >>> 0;
  }

  isErased(address: number, length: number): boolean {
    const offset = address - this.base;
    for (let i = 0; i < length; i++) {
      if (this.bytes[offset + i] !== this.erasedValue) return false;
    }
    return true;
  }

  /** Commits `data` at `address`; only the first `admitted` bytes (power loss cuts the rest). */
  program(address: number, data: Uint8Array, rule: ProgramRule, admitted = data.length): void {
    const offset = address - this.base;
    for (let i = 0; i < Math.min(admitted, data.length); i++) {
      const old = this.bytes[offset + i] ?? this.erasedValue;
      const value = data[i] ?? 0;
      this.bytes[offset + i] = rule === 'and' ? old & value : rule === 'or' ? old | value : value;
    }
  }

  erase(address: number, length: number): void {
    const offset = address - this.base;
    this.bytes.fill(this.erasedValue, offset, offset + length);
  }

  eraseUnit(unit: FlashUnit): void {
    this.erase(unit.start, unit.size);
  }

  eraseAll(): void {
    this.bytes.fill(this.erasedValue);
  }

  saveState(): FlashArrayState {
    // 256-byte chunks: small enough that a sparse image stays small, big enough that a
    // full 2 MiB array stays a few thousand entries.
    const chunkBytes = Math.min(256, ...this.#units.map((u) => u.size));
    const chunks: Record<string, string> = {};
    for (let offset = 0; offset < this.span; offset += chunkBytes) {
      if (!this.#erasedAt(offset, chunkBytes)) {
        chunks[offset.toString(16)] = bytesToBase64(
          this.bytes.subarray(offset, offset + chunkBytes),
        );
      }
    }
    return { chunkBytes, chunks };
  }

  /**
   * Whether the `length` bytes at `offset` all hold the erased value: a word at a time where
   * both are word-aligned (every chunk is), since a board's state is saved each session and
   * the array may be megabytes of mostly erased flash.
   */
  #erasedAt(offset: number, length: number): boolean {
    const end = Math.min(offset + length, this.span);
    if (offset % 4 === 0 && end % 4 === 0) {
      const words = this.#words;
      const erased = (this.erasedValue * 0x01010101) >>> 0;
      for (let i = offset / 4; i < end / 4; i++) if (words[i] !== erased) return false;
      return true;
    }
    for (let i = offset; i < end; i++) if (this.bytes[i] !== this.erasedValue) return false;
    return true;
  }

  loadState(state: FlashArrayState): void {
    this.eraseAll();
    for (const [offsetHex, data] of Object.entries(state.chunks)) {
      const offset = Number.parseInt(offsetHex, 16);
      const bytes = base64ToBytes(data);
      if (!(offset >= 0) || offset + bytes.length > this.span) {
        throw new RangeError(`flash state chunk at +0x${offsetHex} lies outside the array`);
      }
      this.bytes.set(bytes, offset);
    }
  }
}

/** Little-endian bytes of a bus write. */
export function leBytes(value: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (value >>> (8 * i)) & 0xff;
  return out;
}
