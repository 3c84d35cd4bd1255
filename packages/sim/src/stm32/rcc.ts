import { RegisterBlock } from './register-block.js';

/** An oscillator or PLL whose ready flag the RM defines: the flag follows its enable bit. */
export interface ReadyPair {
  /** Register offset inside the RCC block. */
  readonly offset: number;
  /** Bit number of the enable bit (HSION, PLLON, ...). */
  readonly enable: number;
  /** Bit number of the read-only ready flag (HSIRDY, PLLRDY, ...). */
  readonly ready: number;
}

/** The system clock switch: SWS reports what SW selects. */
export interface ClockSwitch {
  /** Offset of RCC_CFGR. */
  readonly offset: number;
  /** Width of SW and SWS in bits (2 on most parts, 3 on G0/C0/U0/H7). */
  readonly width: number;
  /** SW at bit 0, SWS at this bit. */
  readonly swsShift: number;
}

/** One family's reset and clock control block, as little of it as debuggers touch. */
export interface RccSpec {
  /** RCC_BASE from the family's CMSIS device header. */
  readonly base: number;
  /** Reset values of the registers that do not reset to 0, by offset (ready flags included). */
  readonly resetValues: Readonly<Record<number, number>>;
  /** Bits a write leaves alone (status flags that keep their reset value), by offset. */
  readonly readOnly?: Readonly<Record<number, number>>;
  readonly ready: readonly ReadyPair[];
  readonly clockSwitch: ClockSwitch;
  /** Where the values come from. */
  readonly source: string;
}

/** Size of every RCC block on the bus (1 KiB in each family's memory map). */
export const RCC_BLOCK_BYTES = 0x400;

/**
 * A minimal RCC: every register holds what is written and resets (system or power reset)
 * to its reset value; a ready flag reads 1 exactly while its enable bit is set and SWS
 * mirrors SW at once. Nothing else: no clock tree, no timing, no interrupts, no reset flags
 * that change. It exists so that debugger scripts (OpenOCD's reset-init handlers) and host
 * code that polls HSIRDY/PLLRDY/SWS find the register block they expect.
 */
export class RccModel {
  readonly #registers: ClockControlRegisters;

  constructor(readonly spec: RccSpec) {
    this.#registers = new ClockControlRegisters(spec.resetValues, spec.readOnly ?? {}, spec.ready);
  }

  reset(): void {
    this.#registers.reset();
  }

  read(offset: number): number {
    let value = this.#registers.read(offset);
    const sw = this.spec.clockSwitch;
    if (offset === sw.offset) {
      const fieldMask = (1 << sw.width) - 1;
      value = (value & ~(fieldMask << sw.swsShift)) | ((value & fieldMask) << sw.swsShift);
    }
    return value >>> 0;
  }

  write(offset: number, value: number): void {
    const sw = this.spec.clockSwitch;
    const swsMask = offset === sw.offset ? ((1 << sw.width) - 1) << sw.swsShift : 0;
    this.#registers.write(offset, value, swsMask);
  }

  /** The block on the bus: word registers, sub-word writes merged (RegisterBlock). */
  region(name: string): RegisterBlock {
    const base = this.spec.base;
    return new RegisterBlock(name, base, base + RCC_BLOCK_BYTES, {
      read: (offset) => this.read(offset),
      write: (offset, value) => this.write(offset, value),
    });
  }
}

/**
 * The word registers of a minimal RCC or PWR: each resets to its reset value, a write leaves
 * the read-only bits alone, and a ready flag reads 1 exactly while its enable bit is set.
 */
export class ClockControlRegisters {
  readonly #words = new Map<number, number>();
  /** Ready-flag bits by offset: read-only, computed from their enable bits. */
  readonly #readyMasks = new Map<number, number>();

  constructor(
    readonly resetValues: Readonly<Record<number, number>>,
    readonly readOnly: Readonly<Record<number, number>>,
    readonly ready: readonly ReadyPair[],
  ) {
    for (const pair of ready) {
      const mask = this.#readyMasks.get(pair.offset) ?? 0;
      this.#readyMasks.set(pair.offset, (mask | (1 << pair.ready)) >>> 0);
    }
    this.reset();
  }

  reset(): void {
    this.#words.clear();
    for (const [offset, value] of Object.entries(this.resetValues)) {
      this.#words.set(Number(offset), value >>> 0);
    }
  }

  read(offset: number): number {
    let value = this.#words.get(offset) ?? 0;
    const readyMask = this.#readyMasks.get(offset);
    if (readyMask !== undefined) {
      value &= ~readyMask;
      for (const pair of this.ready) {
        if (pair.offset === offset && (value >>> pair.enable) & 1) value |= 1 << pair.ready;
      }
    }
    return value >>> 0;
  }

  /** Writes `value`, keeping the read-only and ready bits and those of `alsoKept`. */
  write(offset: number, value: number, alsoKept = 0): void {
    const kept = (this.#readyMasks.get(offset) ?? 0) | (this.readOnly[offset] ?? 0) | alsoKept;
    const current = this.#words.get(offset) ?? 0;
    this.#words.set(offset, ((value & ~kept) | (current & kept)) >>> 0);
  }
}
