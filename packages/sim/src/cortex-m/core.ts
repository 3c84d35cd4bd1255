import type { BusRegion } from '../bus.js';
import { BusError } from '../bus.js';
import { componentIdWord } from './components.js';
import { RegisterStore, WordRegisterRegion, type WordRegisters } from './word-region.js';

/** SCS register offsets from 0xE000E000 (ARMv7-M/v6-M ARM; OpenOCD src/target/cortex_m.h). */
export const ScsOffset = {
  CPUID: 0xd00,
  ICSR: 0xd04,
  VTOR: 0xd08,
  AIRCR: 0xd0c,
  DFSR: 0xd30,
  DHCSR: 0xdf0,
  DCRSR: 0xdf4,
  DCRDR: 0xdf8,
  DEMCR: 0xdfc,
} as const;

export const SCS_BASE = 0xe000e000;

const DBGKEY = 0xa05f;
const VECTKEY = 0x05fa;

/** DHCSR bits. */
const C_DEBUGEN = 1 << 0;
const C_HALT = 1 << 1;
const C_STEP = 1 << 2;
const C_MASKINTS = 1 << 3;
const C_SNAPSTALL = 1 << 5;
const S_REGRDY = 1 << 16;
const S_HALT = 1 << 17;
const S_LOCKUP = 1 << 19;
const S_RETIRE_ST = 1 << 24;
const S_RESET_ST = 1 << 25;

/** DFSR bits. */
export const Dfsr = {
  HALTED: 1 << 0,
  BKPT: 1 << 1,
  DWTTRAP: 1 << 2,
  VCATCH: 1 << 3,
  EXTERNAL: 1 << 4,
};

const VC_CORERESET = 1 << 0;

/** DCRSR REGSEL numbers with a meaning in this model. */
export const RegSel = {
  SP: 13,
  LR: 14,
  PC: 15,
  XPSR: 16,
  MSP: 17,
  PSP: 18,
  SPECIAL: 0x14,
  FPSCR: 0x21,
  S0: 0x40,
  S31: 0x5f,
} as const;

export type CoreArchitecture = 'v6-m' | 'v7-m';

export interface CoreEnvironment {
  /** Word read for the reset vector fetch; throws BusError. */
  fetchWord(address: number): number;
  /** Where the vector table is at reset (the chip's boot memory alias). */
  bootAddress(): number;
  /** AIRCR.SYSRESETREQ: the board resets the whole system, this core included. */
  requestSystemReset(): void;
}

export interface CoreOptions {
  /** Has an FPU (FPSCR, S0-S31). Default: Cortex-M4/M7 CPUIDs. */
  readonly fpu?: boolean;
}

/**
 * A Cortex-M core as a debugger sees it: DHCSR halt/run/step (writes need DBGKEY), S_REGRDY
 * with DCRSR/DCRDR register transfers (only while halted), DEMCR vector catch, AIRCR
 * SYSRESETREQ/VECTRESET (writes need VECTKEY), DFSR, CPUID, and the sticky S_RESET_ST and
 * S_RETIRE_ST bits that clear when DHCSR is read. Reset loads MSP and PC from the boot
 * vector table. The core does not execute instructions: running leaves PC where it is and a
 * step retires nothing but reports that it did.
 */
export class CortexMCore implements WordRegisters {
  readonly architecture: CoreArchitecture;
  readonly hasFpu: boolean;
  readonly #registers = new Uint32Array(0x60);
  readonly #other = new RegisterStore();
  #debugEnabled = false;
  #haltRequested = false;
  #maskInts = false;
  #snapStall = false;
  #halted = false;
  #regReady = true;
  #resetSticky = false;
  #retireSticky = false;
  #lockup = false;
  #heldInReset = false;
  #dcrdr = 0;
  #demcr = 0;
  #dfsr = 0;
  #priGroup = 0;

  constructor(
    readonly cpuId: number,
    readonly env: CoreEnvironment,
    options: CoreOptions = {},
  ) {
    this.architecture = ((cpuId >>> 16) & 0xf) === 0xc ? 'v6-m' : 'v7-m';
    const partNo = (cpuId >>> 4) & 0xfff;
    this.hasFpu = options.fpu ?? (partNo === 0xc24 || partNo === 0xc27);
  }

  /** The SCS as a bus region (0xE000E000-0xE000EFFF). */
  region(): BusRegion {
    return new WordRegisterRegion('SCS', SCS_BASE, SCS_BASE + 0x1000, this);
  }

  get halted(): boolean {
    return this.#halted;
  }

  get debugEnabled(): boolean {
    return this.#debugEnabled;
  }

  get heldInReset(): boolean {
    return this.#heldInReset;
  }

  /** Reads a core register by REGSEL number (for tests and the probe's READALLREGS). */
  coreRegister(regSel: number): number {
    if (regSel === RegSel.SP) return this.#registers[this.#activeSp()] ?? 0;
    return this.#registers[regSel] ?? 0;
  }

  setCoreRegister(regSel: number, value: number): void {
    const index = regSel === RegSel.SP ? this.#activeSp() : regSel;
    if (index === RegSel.PC) value &= ~1;
    this.#registers[index] = value >>> 0;
  }

  /** Whether REGSEL names a register this core has. */
  validRegSel(regSel: number): boolean {
    if (regSel <= RegSel.PSP || regSel === RegSel.SPECIAL) return true;
    return (
      this.hasFpu && (regSel === RegSel.FPSCR || (regSel >= RegSel.S0 && regSel <= RegSel.S31))
    );
  }

  /**
   * Reset. `power`: everything, debug registers included. `system` (SYSRESETREQ, NRST): the
   * core and the system, but DHCSR control bits and DEMCR survive, so vector catch works.
   * `core` (VECTRESET, v7-M): the core only.
   */
  reset(kind: 'power' | 'system' | 'core'): void {
    if (kind === 'power') {
      this.#debugEnabled = false;
      this.#haltRequested = false;
      this.#maskInts = false;
      this.#snapStall = false;
      this.#demcr = 0;
      this.#dfsr = 0;
      this.#dcrdr = 0;
      this.#other.clear();
    }
    this.#priGroup = 0;
    this.#registers.fill(0);
    this.#registers[RegSel.LR] = 0xffffffff;
    this.#registers[RegSel.XPSR] = 0x01000000;
    this.#resetSticky = true;
    this.#regReady = true;
    this.#loadVectors();
    if (this.#heldInReset) {
      this.#halted = false;
      return;
    }
    this.#leaveReset();
  }

  /** NRST held low: the core stays in reset until released, then runs or halts. */
  holdInReset(held: boolean): void {
    if (held === this.#heldInReset) return;
    this.#heldInReset = held;
    if (held) {
      this.#halted = false;
      this.#resetSticky = true;
    } else {
      this.reset('system');
    }
  }

  readWord(offset: number): number {
    switch (offset) {
      case ScsOffset.CPUID:
        return this.cpuId >>> 0;
      case ScsOffset.AIRCR:
        // VECTKEYSTAT reads 0xFA05.
        return ((0xfa05 << 16) | (this.#priGroup << 8)) >>> 0;
      case ScsOffset.DFSR:
        return this.#dfsr;
      case ScsOffset.DHCSR:
        return this.#readDhcsr();
      case ScsOffset.DCRSR:
        return 0;
      case ScsOffset.DCRDR:
        return this.#dcrdr >>> 0;
      case ScsOffset.DEMCR:
        return this.#demcr >>> 0;
      default:
        return (
          componentIdWord(offset, this.architecture === 'v6-m' ? 0x008 : 0x000, 0xe) ??
          this.#other.get(offset)
        );
    }
  }

  writeWord(offset: number, value: number): void {
    switch (offset) {
      case ScsOffset.CPUID:
        return;
      case ScsOffset.AIRCR:
        this.#writeAircr(value);
        return;
      case ScsOffset.DFSR:
        this.#dfsr &= ~value & 0x1f;
        return;
      case ScsOffset.DHCSR:
        this.#writeDhcsr(value);
        return;
      case ScsOffset.DCRSR:
        this.#transfer(value);
        return;
      case ScsOffset.DCRDR:
        this.#dcrdr = value >>> 0;
        return;
      case ScsOffset.DEMCR:
        // v6-M has only DWTENA (24), VC_HARDERR (10) and VC_CORERESET (0).
        this.#demcr = (value & (this.architecture === 'v6-m' ? 0x01000401 : 0x010f07f1)) >>> 0;
        return;
      default:
        this.#other.set(offset, value);
    }
  }

  #readDhcsr(): number {
    let value =
      (this.#debugEnabled ? C_DEBUGEN : 0) |
      (this.#haltRequested ? C_HALT : 0) |
      (this.#maskInts ? C_MASKINTS : 0) |
      (this.#snapStall ? C_SNAPSTALL : 0) |
      (this.#regReady ? S_REGRDY : 0) |
      (this.#halted ? S_HALT : 0) |
      (this.#lockup ? S_LOCKUP : 0);
    // A running core retires instructions all the time.
    const running = !this.#halted && !this.#heldInReset;
    if (this.#retireSticky || running) value |= S_RETIRE_ST;
    if (this.#resetSticky) value |= S_RESET_ST;
    this.#retireSticky = false;
    // S_RESET_ST stays set while the core is held in reset.
    this.#resetSticky = this.#heldInReset;
    return value >>> 0;
  }

  #writeDhcsr(value: number): void {
    if (value >>> 16 !== DBGKEY) return;
    const debugEn = (value & C_DEBUGEN) !== 0;
    const halt = (value & C_HALT) !== 0;
    const step = (value & C_STEP) !== 0;
    // C_MASKINTS may only change while halted (ARMv7-M C1.6.3); elsewhere it keeps its value.
    if (this.#halted) this.#maskInts = (value & C_MASKINTS) !== 0;
    this.#snapStall = (value & C_SNAPSTALL) !== 0;
    this.#debugEnabled = debugEn;
    this.#haltRequested = debugEn && halt;
    if (!debugEn) {
      this.#halted = false;
      return;
    }
    if (this.#heldInReset) return;
    if (halt) {
      if (!this.#halted) this.#dfsr |= Dfsr.HALTED;
      this.#halted = true;
    } else if (this.#halted && step) {
      // One instruction "retires" and the core halts again (nothing is executed here).
      this.#retireSticky = true;
      this.#dfsr |= Dfsr.HALTED;
    } else {
      this.#halted = false;
    }
  }

  #transfer(dcrsr: number): void {
    const regSel = dcrsr & 0x7f;
    const write = (dcrsr & (1 << 16)) !== 0;
    // Transfers only happen in Debug state; otherwise S_REGRDY stays low (host must poll).
    if (!this.#halted) {
      this.#regReady = false;
      return;
    }
    if (this.validRegSel(regSel)) {
      if (write) this.setCoreRegister(regSel, this.#dcrdr);
      else this.#dcrdr = this.coreRegister(regSel);
    }
    this.#regReady = true;
  }

  #writeAircr(value: number): void {
    if (value >>> 16 !== VECTKEY) return;
    if (this.architecture === 'v7-m') this.#priGroup = (value >>> 8) & 0x7;
    if (value & (1 << 2)) {
      this.env.requestSystemReset();
      return;
    }
    // VECTRESET is ARMv7-M only; on v6-M the bit is reserved.
    if (value & 1 && this.architecture === 'v7-m') this.reset('core');
  }

  #activeSp(): number {
    const control = (this.#registers[RegSel.SPECIAL] ?? 0) >>> 24;
    const handlerMode = ((this.#registers[RegSel.XPSR] ?? 0) & 0x1ff) !== 0;
    return !handlerMode && (control & 0x2) !== 0 ? RegSel.PSP : RegSel.MSP;
  }

  #loadVectors(): void {
    const base = this.env.bootAddress();
    try {
      this.#registers[RegSel.MSP] = this.env.fetchWord(base) & ~3;
      this.#registers[RegSel.PC] = this.env.fetchWord(base + 4) & ~1;
      this.#lockup = false;
    } catch (error) {
      if (!(error instanceof BusError)) throw error;
      // A faulting vector fetch at reset locks the core up.
      this.#registers[RegSel.PC] = 0xfffffffe;
      this.#lockup = true;
    }
  }

  #leaveReset(): void {
    const vectorCatch = (this.#demcr & VC_CORERESET) !== 0;
    if (this.#debugEnabled && (vectorCatch || this.#haltRequested)) {
      this.#halted = true;
      this.#dfsr |= vectorCatch ? Dfsr.VCATCH : Dfsr.HALTED;
    } else {
      this.#halted = false;
    }
  }
}
