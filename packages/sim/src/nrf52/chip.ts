import { BusError, RamRegion, type BusRegion, type SystemBus } from '../bus.js';
import type {
  ChipAccessPort,
  ChipEnvironment,
  ChipModel,
  ChipState,
  DebugAccess,
} from '../chip-model.js';
import type { FlashArrayState } from '../stm32/flash-array.js';
import { CtrlAp } from './ctrl-ap.js';
import { Nrf52Nvmc, UICR_BASE } from './nvmc.js';
import { NRF52_PAGE_BYTES, type Nrf52Part, type Nrf52Revision } from './parts.js';

export const FICR_BASE = 0x10000000;
export const RAM_BASE = 0x20000000;
/** UICR.APPROTECT offset and its PALL values (PS "UICR"): 0xFF Disabled, 0x00 Enabled, 0x5A HwDisabled. */
export const UICR_APPROTECT = 0x208;
export const APPROTECT_HW_DISABLED = 0x5a;
/**
 * APPROTECT peripheral (hardened silicon; nRF52840 PS v1.7, "APPROTECT - Access port
 * protection"): FORCEPROTECT at 0x40000550, DISABLE at 0x40000558 (SwDisable = 0x5A).
 */
export const APPROTECT_FORCEPROTECT = 0x40000550;
export const APPROTECT_DISABLE = 0x40000558;
const PERIPHERAL_BASE = 0x40000000;
/**
 * The watchdog (nRF52840 PS v1.7 section 6.36.9, WDT at 0x40010000): RR[0..7] at 0x600 take
 * the reload value 0x6E524635. Flash loaders write it on every loop whether or not the
 * watchdog runs (OpenOCD's contrib/loaders/flash/nrf5/nrf5.S), so the block must exist.
 */
export const WDT_BASE = 0x40010000;
/** Reset values of the WDT registers that are not 0: REQSTATUS, CRV, RREN, CONFIG. */
const WDT_RESET: ReadonlyMap<number, number> = new Map([
  [0x404, 0x1],
  [0x504, 0xffffffff],
  [0x508, 0x1],
  [0x50c, 0x1],
]);

export interface Nrf52ChipOptions {
  readonly part: Nrf52Part;
  readonly revision: Nrf52Revision;
  /**
   * Access port protection of a new chip (UICR.APPROTECT = Enabled). Default false, which on
   * hardened silicon means UICR.APPROTECT = HwDisabled: the port still opens only once the
   * firmware has written APPROTECT.DISABLE after a reset, so a blank hardened chip is locked.
   */
  readonly approtect?: boolean;
}

export interface Nrf52ChipState extends ChipState {
  readonly revision: Nrf52Revision;
  readonly flash: FlashArrayState;
  /** UICR words that are not erased, by byte offset in hex. */
  readonly uicr: Readonly<Record<string, number>>;
}

/**
 * One simulated nRF52: FICR, UICR, code flash and NVMC, RAM, the APPROTECT peripheral and
 * the CTRL-AP as AP 1. Access port protection blocks the AHB-AP (AP 0) while it is on:
 * - legacy silicon: on when UICR.APPROTECT.PALL, latched at reset, is not 0xFF;
 * - hardened silicon (IN-141): on after every reset unless UICR.APPROTECT.PALL is 0x5A
 *   (HwDisabled) and the firmware writes APPROTECT.DISABLE = 0x5A (SwDisable) at boot;
 * - both: CTRL-AP ERASEALL erases flash, UICR and RAM and opens the AHB-AP until the next reset.
 */
export class Nrf52Chip implements ChipModel {
  readonly partName: string;
  /** SW-DP of the Cortex-M4 (DPv1). */
  readonly dpidr = 0x2ba01477;
  readonly apIdr = 0x24770011;
  /** Cortex-M4 r0p1 (nRF52840 PS v1.7, "ARM Cortex-M4 processor"). */
  readonly cpuId = 0x410fc241;
  readonly nvmc: Nrf52Nvmc;
  readonly ram: RamRegion;
  readonly ctrlAp: CtrlAp;
  #revision: Nrf52Revision;
  #latchedPall = 0xff;
  #softDisabled = false;
  #forced = false;
  #openUntilReset = false;
  #env: ChipEnvironment | undefined;
  /** WDT registers written since the last reset (by offset). */
  readonly #wdt = new Map<number, number>();

  constructor(
    readonly part: Nrf52Part,
    options: Omit<Nrf52ChipOptions, 'part'>,
  ) {
    this.partName = part.name;
    this.#revision = options.revision;
    this.nvmc = new Nrf52Nvmc(part);
    this.ram = new RamRegion('RAM', RAM_BASE, part.ramKiB * 1024);
    const hardened = options.revision === 'hardened';
    const approtect = options.approtect ?? false;
    if (approtect) this.nvmc.uicr[UICR_APPROTECT / 4] = 0xffffff00;
    else if (hardened) this.nvmc.uicr[UICR_APPROTECT / 4] = 0xffffff00 | APPROTECT_HW_DISABLED;
    this.ctrlAp = new CtrlAp({
      protectedNow: () => this.protectedNow(),
      eraseAll: () => {
        this.nvmc.eraseAll();
        this.ram.bytes.fill(0);
        this.#openUntilReset = true;
      },
      eraseAllUs: part.eraseAllMs * 1000,
      busy: this.nvmc.busy,
      holdReset: (held) => this.#env?.holdReset?.(held),
    });
  }

  get revision(): Nrf52Revision {
    return this.#revision;
  }

  attach(bus: SystemBus, env: ChipEnvironment): void {
    this.#env = env;
    this.nvmc.attach(env);
    bus.map(this.nvmc.flashRegion());
    bus.map(this.#ficrRegion());
    bus.map(this.nvmc.uicrRegion());
    bus.map(this.ram);
    bus.map(this.#approtectRegion());
    bus.map(this.#wdtRegion());
    bus.map(this.nvmc.registerRegion());
  }

  accessPorts(): readonly ChipAccessPort[] {
    return [{ apsel: 1, port: this.ctrlAp }];
  }

  memoryApEnabled(): boolean {
    return !this.protectedNow();
  }

  /** Access port protection in force now. */
  protectedNow(): boolean {
    if (this.#openUntilReset) return false;
    if (this.#revision === 'legacy') return this.#latchedPall !== 0xff;
    return this.#forced || !(this.#latchedPall === APPROTECT_HW_DISABLED && this.#softDisabled);
  }

  debugAccess(): DebugAccess {
    return 'open';
  }

  bootAddress(): number {
    return 0;
  }

  reset(kind: 'system' | 'power'): void {
    if (kind === 'power') this.ram.bytes.fill(0);
    this.nvmc.reset();
    this.#wdt.clear();
    this.#openUntilReset = false;
    this.#forced = false;
    this.#latchedPall = this.nvmc.uicrWord(UICR_APPROTECT) & 0xff;
    // APPROTECT.DISABLE resets to Protected; the firmware writes SwDisable again at boot
    // (Nordic's MDK SystemInit does), which the core executes after the reset.
    this.#softDisabled = false;
  }

  saveState(): Nrf52ChipState {
    const uicr: Record<string, number> = {};
    this.nvmc.uicr.forEach((word, index) => {
      if (word !== 0xffffffff) uicr[(index * 4).toString(16)] = word;
    });
    return {
      part: this.partName,
      revision: this.#revision,
      flash: this.nvmc.flash.saveState(),
      uicr,
    };
  }

  loadState(state: ChipState): void {
    const saved = state as Partial<Nrf52ChipState>;
    if (!saved.flash || !saved.uicr || !saved.revision) {
      throw new TypeError('saved nRF52 state is incomplete');
    }
    this.#revision = saved.revision;
    this.nvmc.flash.loadState(saved.flash);
    this.nvmc.uicr.fill(0xffffffff);
    for (const [offsetHex, word] of Object.entries(saved.uicr)) {
      const index = Number.parseInt(offsetHex, 16) / 4;
      if (!Number.isInteger(index) || index < 0 || index >= this.nvmc.uicr.length) {
        throw new RangeError(`UICR state word at +0x${offsetHex} lies outside the UICR`);
      }
      this.nvmc.uicr[index] = word >>> 0;
    }
    this.reset('power');
  }

  /** FICR words (nRF52840 PS v1.7, "FICR"); the rest reads 0xFFFFFFFF. */
  ficrWord(offset: number): number {
    const p = this.part;
    switch (offset) {
      case 0x010:
        return NRF52_PAGE_BYTES;
      case 0x014:
        return (p.flashKiB * 1024) / NRF52_PAGE_BYTES;
      case 0x060:
        return 0x12345678;
      case 0x064:
        return 0x9abcdef0;
      case 0x100:
        return p.part;
      case 0x104:
        return ascii(p.variant[this.#revision]);
      case 0x108:
        return p.packageCode;
      case 0x10c:
        return p.ramKiB;
      case 0x110:
        return p.flashKiB;
      case 0x130:
        return p.hwPart;
      case 0x134:
        return p.hwRevision[this.#revision];
      default:
        return 0xffffffff;
    }
  }

  #ficrRegion(): BusRegion {
    return {
      name: 'FICR',
      start: FICR_BASE,
      end: FICR_BASE + 0x1000,
      read: (address, size) => {
        const word = this.ficrWord((address - FICR_BASE) & ~3);
        const shift = 8 * (address & 3);
        return size === 4 ? word : (word >>> shift) & (size === 1 ? 0xff : 0xffff);
      },
      write: (address) => {
        throw new BusError(address, 'FICR is read-only');
      },
    };
  }

  /** POWER/CLOCK block with the APPROTECT registers; other words hold what is written. */
  #approtectRegion(): BusRegion {
    const words = new Map<number, number>();
    return {
      name: 'POWER/APPROTECT',
      start: PERIPHERAL_BASE,
      end: PERIPHERAL_BASE + 0x1000,
      read: (address) => words.get(address & ~3) ?? 0,
      write: (address, size, value) => {
        if (size !== 4) throw new BusError(address, 'peripheral registers are 32-bit');
        if (address === APPROTECT_DISABLE && this.#revision === 'hardened') {
          if ((value & 0xff) === APPROTECT_HW_DISABLED) this.#softDisabled = true;
          return;
        }
        if (address === APPROTECT_FORCEPROTECT && this.#revision === 'hardened') {
          if ((value & 0xff) === 0) this.#forced = true;
          return;
        }
        words.set(address, value >>> 0);
      },
    };
  }

  /**
   * The WDT's registers as plain storage with their reset values. The watchdog never runs
   * here: TASKS_START is kept but no counter times out, and RR[n] (write-only) reads 0.
   */
  #wdtRegion(): BusRegion {
    const words = this.#wdt;
    return {
      name: 'WDT',
      start: WDT_BASE,
      end: WDT_BASE + 0x1000,
      read: (address) => {
        const offset = (address - WDT_BASE) & ~3;
        if (offset >= 0x600 && offset < 0x620) return 0;
        return words.get(offset) ?? WDT_RESET.get(offset) ?? 0;
      },
      write: (address, size, value) => {
        if (size !== 4) throw new BusError(address, 'peripheral registers are 32-bit');
        words.set((address - WDT_BASE) & ~3, value >>> 0);
      },
    };
  }
}

function ascii(text: string): number {
  let value = 0;
  for (const ch of text.slice(0, 4)) value = (value << 8) | ch.charCodeAt(0);
  return value >>> 0;
}

export { UICR_BASE };
