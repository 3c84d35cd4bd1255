import type { FlashBankLayout, Stm32DeviceData } from '@flashwright/stm32-devices';
import { BusError, type BusSize, type SystemBus } from '../bus.js';
import type { ChipEnvironment } from '../chip-model.js';
import type { FaultPlan } from '../faults.js';
import { eraseUnitMs, type FlashTiming } from '../timing.js';
import { FlashBusy } from './busy.js';
import type { FlashArray, ProgramRule } from './flash-array.js';
import { BootAliasRegion, FlashRegion, type FlashPort } from './regions.js';

export type RdpLevel = 0 | 1 | 2;

/** What every family model is built from. */
export interface Stm32Context {
  readonly device: Stm32DeviceData;
  /** Physical flash size of this part. */
  readonly flashKiB: number;
  /** Datasheet flash timings (timing.ts); undefined for parts modelled at data level only. */
  readonly timing: FlashTiming | undefined;
  /** RDP level of the option bytes of a new chip. */
  readonly initialRdp: RdpLevel;
}

/** A flash controller family model: the part of a chip that follows one reference manual. */
export interface FlashController extends FlashPort {
  readonly flash: FlashArray;
  attach(bus: SystemBus, env: ChipEnvironment): void;
  /** The RDP level in force (loaded from the option bytes at the last reset). */
  rdpLevel(): RdpLevel;
  bootAddress(): number;
  reset(kind: 'system' | 'power'): void;
  /** Non-volatile state besides the main flash: option bytes, EEPROM, OTP. */
  saveState(): Record<string, unknown>;
  loadState(state: Readonly<Record<string, unknown>>): void;
}

/** Start of main flash on every STM32 (stlink-org inc/stm32.h STM32_FLASH_BASE). */
export const FLASH_BASE = 0x08000000;

/**
 * Shared machinery of the family models: busy time, fault plan, read protection on flash
 * reads, committing programmed bytes through the power-loss budget.
 */
export abstract class ControllerBase implements FlashController {
  env: ChipEnvironment | undefined;
  readonly busy = new FlashBusy(() => this.env?.clock);
  abstract readonly flash: FlashArray;

  constructor(readonly ctx: Stm32Context) {}

  abstract rdpLevel(): RdpLevel;
  abstract reset(kind: 'system' | 'power'): void;
  abstract saveState(): Record<string, unknown>;
  abstract loadState(state: Readonly<Record<string, unknown>>): void;
  abstract flashWrite(address: number, size: BusSize, value: number): void;
  /** Maps the controller's registers and option areas. */
  protected abstract mapRegisters(bus: SystemBus): void;

  /** Whether 0x00000000 aliases the boot flash (not on F7/H7, whose boot address is an option). */
  protected get hasBootAlias(): boolean {
    return true;
  }

  attach(bus: SystemBus, env: ChipEnvironment): void {
    this.env = env;
    const flash = this.flash;
    const region = new FlashRegion('main flash', flash.base, flash.end, this, (a, n) =>
      flash.isMapped(a, n),
    );
    bus.map(region);
    if (this.hasBootAlias) bus.map(new BootAliasRegion(flash.span, region));
    this.mapRegisters(bus);
  }

  bootAddress(): number {
    return FLASH_BASE;
  }

  /**
   * A debug read of main flash. At RDP level 1 the flash interface answers any access made
   * while the debugger is connected with a bus error (RM0090 §3.7.3 "A bus error is
   * generated in case of read request"; RM0365/RM0440 likewise), which the MEM-AP turns into
   * a FAULT. The simulator is always debugged, so level 1 always blocks. While an operation
   * runs, a read stalls the bus until it ends (RM0090 §3.6, RM0440 §3.3.5).
   */
  flashRead(address: number, size: BusSize): number {
    if (this.rdpLevel() !== 0) {
      throw new BusError(address, 'flash read while read protection (RDP level 1) is active');
    }
    if (this.busy.busy) this.busy.stall();
    return this.flash.read(address, size);
  }

  protected get faults(): FaultPlan | undefined {
    return this.env?.faults;
  }

  /** Once power is gone (fault injection), nothing the controller does sticks. */
  protected get powered(): boolean {
    return this.faults?.powerLost !== true;
  }

  /** Whether an injected `flash-error` fault hits [start, start + length). */
  protected injectedFailure(start: number, length: number): boolean {
    return this.faults?.flashErrorIn(start, start + length) ?? false;
  }

  /** Writes programmed bytes to the cells, as far as the power-loss budget lets them. */
  protected commit(address: number, data: Uint8Array, rule: ProgramRule): void {
    if (!this.powered) return;
    const admitted = this.faults ? this.faults.admitFlashProgram(data.length) : data.length;
    this.flash.program(address, data, rule, admitted);
  }

  /** Typical busy time of one program operation of the given timing-table unit. */
  protected programUs(unitIndex = 0): number {
    return this.ctx.timing?.programUnits[unitIndex]?.us ?? 0;
  }

  protected eraseUs(bytes: number): number {
    return this.ctx.timing ? eraseUnitMs(this.ctx.timing, bytes) * 1000 : 0;
  }

  /** Whole-array erase; families without one (L0/L1) erase page by page internally. */
  protected massEraseUs(): number {
    const timing = this.ctx.timing;
    if (!timing) return 0;
    if (timing.massEraseMs !== undefined) return timing.massEraseMs * 1000;
    return this.flash.units.reduce((sum, u) => sum + this.eraseUs(u.size), 0);
  }
}

/** Bytes from the flash base to the end of the furthest bank of any of the given layouts. */
export function spanOf(...layouts: (readonly FlashBankLayout[])[]): number {
  let end = FLASH_BASE;
  for (const banks of layouts) {
    for (const bank of banks) {
      end = Math.max(end, bank.start + bank.sectorBytes.reduce((a, b) => a + b, 0));
    }
  }
  return end - FLASH_BASE;
}

/** Throws the bus error a wrong unlock sequence produces (and that locks until reset). */
export function wrongKeyError(address: number, register: string): BusError {
  return new BusError(address, `wrong key sequence on ${register}: locked until reset`);
}
