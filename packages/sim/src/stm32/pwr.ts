import type { Stm32DeviceData } from '@flashwright/stm32-devices';
import type { BusRegion } from '../bus.js';
import { ClockControlRegisters, type RccModel, type ReadyPair } from './rcc.js';
import { RegisterBlock } from './register-block.js';

/** One line's power controller, as little of it as debugger scripts touch. */
export interface PwrSpec {
  readonly base: number;
  /** Registers that do not reset to 0, by offset (ready flags that read 1 included). */
  readonly resetValues: Readonly<Record<number, number>>;
  /** Status bits a write leaves alone, by offset. */
  readonly readOnly: Readonly<Record<number, number>>;
  /** Flags that follow an enable bit at once (U5 BOOSTEN -> BOOSTRDY). */
  readonly ready: readonly ReadyPair[];
  /** The RCC enable bit of the PWR interface clock: writes are ignored while it is clear. */
  readonly clockEnable: { readonly offset: number; readonly bit: number };
  readonly source: string;
}

const SPECS: Readonly<Record<string, PwrSpec>> = {
  // PWR_CR1 (+0x00) VOS [10:9], reset 0x400 = range 2; PWR_SR2 (+0x14) VOSF (bit 10) is set
  // while the regulator changes level and reads 0 here, where the change is instant
  // (RM0438 PWR chapter; CMSIS-L5 stm32l552xx.h PWR_BASE_NS, PWR_CR1_VOS, PWR_SR2_VOSF).
  // Interface clock RCC_APB1ENR1.PWREN (+0x58, bit 28).
  STM32L5: {
    base: 0x40007000,
    resetValues: { 0x00: 0x400 },
    readOnly: { 0x14: 0xffffffff },
    ready: [],
    clockEnable: { offset: 0x58, bit: 28 },
    source: 'RM0438 PWR; CMSIS stm32l552xx.h',
  },
  // PWR_VOSR (+0x0C): VOS [17:16] (reset 00 = range 4), VOSRDY (bit 15) reads 1 once the
  // regulator has reached VOS, which here is at once; BOOSTEN (bit 18) enables the EPOD
  // booster and BOOSTRDY (bit 14) follows it (RM0456 PWR chapter; CMSIS-U5 stm32u575xx.h
  // PWR_BASE_NS, PWR_VOSR_*). Interface clock RCC_AHB3ENR.PWREN (+0x94, bit 2).
  STM32U5: {
    base: 0x46020800,
    resetValues: { 0x0c: 1 << 15 },
    readOnly: { 0x0c: (1 << 15) | (1 << 14) },
    ready: [{ offset: 0x0c, enable: 18, ready: 14 }],
    clockEnable: { offset: 0x94, bit: 2 },
    source: 'RM0456 PWR; CMSIS stm32u575xx.h',
  },
};

/**
 * A minimal PWR: registers hold what is written while the interface clock is on (RM0438 and
 * RM0456 "the peripheral clock must be enabled" before PWR is accessed: writes without it
 * are lost, reads give the registers), status flags report the regulator ready at once. Only
 * a power-on reset restores it: PWR is not reset by a system reset.
 */
export class PwrModel {
  readonly #registers: ClockControlRegisters;

  constructor(
    readonly spec: PwrSpec,
    readonly rcc: RccModel,
  ) {
    this.#registers = new ClockControlRegisters(spec.resetValues, spec.readOnly, spec.ready);
  }

  reset(): void {
    this.#registers.reset();
  }

  read(offset: number): number {
    return this.#registers.read(offset);
  }

  write(offset: number, value: number): void {
    const enable = this.spec.clockEnable;
    if (!((this.rcc.read(enable.offset) >>> enable.bit) & 1)) return;
    this.#registers.write(offset, value);
  }

  region(): BusRegion {
    const base = this.spec.base;
    return new RegisterBlock('PWR', base, base + 0x400, {
      read: (offset) => this.read(offset),
      write: (offset, value) => this.write(offset, value),
    });
  }
}

export function pwrSpecFor(device: Stm32DeviceData): PwrSpec | undefined {
  return SPECS[device.line];
}
