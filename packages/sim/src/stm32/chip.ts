import { resetCoreClockHz, type Stm32DeviceData } from '@flashwright/stm32-devices';
import { RamRegion, type SystemBus } from '../bus.js';
import type { ChipEnvironment, ChipModel, ChipState, DebugAccess } from '../chip-model.js';
import type { FlashController } from './controller.js';
import { coreIds } from './core-ids.js';
import { factoryInfoRegions, type FactoryInfo } from './factory-info.js';
import type { FlashArrayState } from './flash-array.js';
import { bytesToHex, hexToBytes } from './families/hex.js';
import { PwrModel, pwrSpecFor } from './pwr.js';
import { quietBlocks } from './quiet-blocks.js';
import { RccModel } from './rcc.js';
import { rccSpecFor } from './rcc-families.js';
import { rccCoreClockHz } from './sysclk.js';
import { dbgmcuRegion } from './regions.js';
import { blueNrgSyscfgRegion } from './families/bluenrg-lp.js';

/** Main SRAM base on every STM32 (stlink-org inc/stm32.h STM32_SRAM_BASE). */
export const SRAM_BASE = 0x20000000;

/** What a saved STM32 chip looks like (JSON). */
export interface Stm32ChipState extends ChipState {
  readonly devId: number;
  readonly flashKiB: number;
  readonly flashSizeRaw: number;
  readonly revId: number;
  readonly uid: string;
  readonly flash: FlashArrayState;
  readonly controller: Readonly<Record<string, unknown>>;
}

/** One simulated STM32: identity, SRAM, DBGMCU and the family's flash controller. */
export class Stm32Chip implements ChipModel {
  readonly dpidr: number;
  readonly apIdr: number;
  readonly cpuId: number;
  #sram: RamRegion;
  #info: FactoryInfo;
  /** Minimal RCC (src/stm32/rcc.ts); undefined for lines modelled at data level only. */
  readonly rcc: RccModel | undefined;
  /** Minimal PWR (src/stm32/pwr.ts) where debugger scripts set the voltage scaling (L5, U5). */
  readonly pwr: PwrModel | undefined;

  constructor(
    readonly partName: string,
    readonly device: Stm32DeviceData,
    readonly flashKiB: number,
    readonly ramBytes: number,
    readonly controller: FlashController,
    info: FactoryInfo,
  ) {
    const ids = coreIds(device);
    this.dpidr = ids.dpidr;
    this.apIdr = ids.apIdr;
    this.cpuId = ids.cpuId;
    this.#info = info;
    this.#sram = new RamRegion('SRAM', SRAM_BASE, ramBytes);
    const rccSpec = rccSpecFor(device);
    this.rcc = rccSpec ? new RccModel(rccSpec) : undefined;
    const pwrSpec = pwrSpecFor(device);
    this.pwr = pwrSpec && this.rcc ? new PwrModel(pwrSpec, this.rcc) : undefined;
  }

  get info(): FactoryInfo {
    return this.#info;
  }

  /** DBGMCU_IDCODE: REV_ID in [31:16], DEV_ID in [11:0]. */
  get idcode(): number {
    return ((this.#info.revId << 16) | this.device.devId) >>> 0;
  }

  attach(bus: SystemBus, env: ChipEnvironment): void {
    bus.map(this.#sram);
    // STM32WB0x/WL3x have no DBGMCU: SYSCFG JTAG_ID names the die (families/bluenrg-lp.ts).
    bus.map(
      this.device.controller.kind === 'bluenrg-lp'
        ? blueNrgSyscfgRegion(this.device.devId, () => this.#info.revId)
        : dbgmcuRegion(this.device.idcodeAddress, () => this.idcode),
    );
    for (const rom of factoryInfoRegions(this.device, () => this.#info)) bus.map(rom);
    if (this.rcc) bus.map(this.rcc.region('RCC'));
    if (this.pwr) bus.map(this.pwr.region());
    for (const block of quietBlocks(this.device)) bus.map(block);
    this.controller.attach(bus, env);
  }

  debugAccess(): DebugAccess {
    // RDP level 2: "JTAG, SWV, ETM and boundary scan are disabled" (RM0090 §3.7.3).
    return this.controller.rdpLevel() === 2 ? 'disabled' : 'open';
  }

  bootAddress(): number {
    return this.controller.bootAddress();
  }

  /**
   * HCLK as the RCC registers select it (src/stm32/sysclk.ts: e.g. the PLL or HSI that
   * OpenOCD's reset-init handlers switch to), else the reset system clock of the line
   * (@flashwright/stm32-devices resetCoreClockHz); the board's default otherwise.
   */
  coreClockHz(): number | undefined {
    const rcc = this.rcc;
    const selected = rcc && rccCoreClockHz(this.device.line, (offset) => rcc.read(offset));
    return selected ?? resetCoreClockHz(this.device.line);
  }

  reset(kind: 'system' | 'power'): void {
    // SRAM keeps its contents over a system reset; a power cycle loses them.
    if (kind === 'power') this.#sram.bytes.fill(0);
    // Clock control returns to its reset values on every reset (system and power).
    this.rcc?.reset();
    if (kind === 'power') this.pwr?.reset();
    this.controller.reset(kind);
  }

  saveState(): Stm32ChipState {
    return {
      part: this.partName,
      devId: this.device.devId,
      flashKiB: this.flashKiB,
      flashSizeRaw: this.#info.flashSizeRaw,
      revId: this.#info.revId,
      uid: bytesToHex(this.#info.uid),
      flash: this.controller.flash.saveState(),
      controller: this.controller.saveState(),
    };
  }

  /** Restores a saved chip as a power-on would find it (option bytes loaded afresh). */
  loadState(state: ChipState): void {
    const saved = state as Partial<Stm32ChipState>;
    if (saved.devId !== this.device.devId || saved.flashKiB !== this.flashKiB) {
      throw new RangeError(
        `saved state is for ${state.part} (DEV_ID 0x${(saved.devId ?? 0).toString(16)}, ` +
          `${saved.flashKiB} KiB), not ${this.partName}`,
      );
    }
    if (!saved.flash || !saved.controller) throw new TypeError('saved STM32 state is incomplete');
    this.controller.flash.loadState(saved.flash);
    this.controller.loadState(saved.controller);
    this.#info = {
      flashSizeRaw: saved.flashSizeRaw ?? this.#info.flashSizeRaw,
      revId: saved.revId ?? this.#info.revId,
      uid: typeof saved.uid === 'string' ? hexToBytes(saved.uid) : this.#info.uid,
    };
    this.reset('power');
  }
}
