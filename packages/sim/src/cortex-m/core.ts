import type { BusRegion, BusSize } from '../bus.js';
import { BusError } from '../bus.js';
import type { VirtualClock } from '../clock.js';
import { componentIdWord } from './components.js';
import { Reg, StepEnd, ThumbCpu } from './thumb/cpu.js';
import { Cfsr, Exception, SystemControl } from './thumb/system-control.js';
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

/** DEMCR vector catch enables (ARMv7-M C1.6.5; ARMv6-M C1.6.5 has VC_HARDERR only). */
const Vc = {
  MMERR: 1 << 4,
  NOCPERR: 1 << 5,
  CHKERR: 1 << 6,
  STATERR: 1 << 7,
  BUSERR: 1 << 8,
  HARDERR: 1 << 10,
} as const;

/** Core clock when the chip model says nothing: the 8 MHz HSI most STM32s reset to. */
export const DEFAULT_CORE_CLOCK_HZ = 8_000_000;

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
  /** The processor's own access on the system bus (vector fetch, instructions, data); throws BusError. */
  read(address: number, size: BusSize): number;
  write(address: number, size: BusSize, value: number): void;
  /** Virtual time the core runs in; without it the core never executes. */
  readonly clock?: VirtualClock;
  /** Core clock frequency now (the chip's clock tree at reset, or a default). */
  coreClockHz?(): number;
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
 * A Cortex-M core: DHCSR halt/run/step (writes need DBGKEY), S_REGRDY with DCRSR/DCRDR
 * register transfers (only while halted), DEMCR vector catch, AIRCR SYSRESETREQ/VECTRESET
 * (writes need VECTKEY), DFSR, CPUID, the sticky S_RESET_ST and S_RETIRE_ST bits that clear
 * when DHCSR is read, and the System Control Block registers exceptions use. Reset loads
 * MSP and PC from the boot vector table.
 *
 * Execution (thumb/cpu.ts): the core is the clock's runner. While it runs (not halted, not
 * held in reset, not locked up, not asleep), every advance of the virtual clock first lets
 * it execute instructions up to the new time, each costing its cycles at the core clock.
 * The probe charges an SWD access or a USB transfer to the clock before it makes the
 * access, so the core has caught up to the moment of every debug access; the order of
 * events is fixed by the sequence of probe operations alone, so runs are deterministic.
 * A branch to itself (`b .`) spins: the core skips to the end of the advance. The core
 * halts on BKPT (DFSR.BKPT), on a debug halt request (between instructions) and on vector
 * catch; an access to flash while the controller is busy stalls the core (the controller
 * advances the clock to the end of its operation).
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
  readonly #scb: SystemControl;
  readonly #cpu: ThumbCpu;
  /** How far the core has executed in virtual time (µs); see #runUntil. */
  #coreUs = 0;

  constructor(
    readonly cpuId: number,
    readonly env: CoreEnvironment,
    options: CoreOptions = {},
  ) {
    this.architecture = ((cpuId >>> 16) & 0xf) === 0xc ? 'v6-m' : 'v7-m';
    const partNo = (cpuId >>> 4) & 0xfff;
    this.hasFpu = options.fpu ?? (partNo === 0xc24 || partNo === 0xc27);
    const v6 = this.architecture === 'v6-m';
    // CCR.STKALIGN resets to 1 from Cortex-M3 r2p0 on (Cortex-M3 TRM DDI 0337G 4.3.8);
    // ARMv6-M has STKALIGN and UNALIGN_TRP fixed at 1 (DDI 0419E B3.2.8).
    const oldM3 = partNo === 0xc23 && ((cpuId >>> 20) & 0xf) < 2;
    const ccrReset = v6 ? 0x208 : oldM3 ? 0 : 0x200;
    // STM32 Cortex-M3/M4/M7 implement 4 priority bits (PM0056 4.3, PM0214 4.3); v6-M has 2.
    this.#scb = new SystemControl(this.architecture, ccrReset, v6 ? 2 : 4);
    this.#cpu = new ThumbCpu(this.architecture, this.#registers, this.#scb, {
      read: (address, size) => env.read(address, size),
      write: (address, size, value) => env.write(address, size, value),
      breakpoint: () => this.#breakpoint(),
      vectorCatch: (exception, cfsrBit) => this.#vectorCatch(exception, cfsrBit),
    });
    env.clock?.setRunner({ runUntil: (untilUs) => this.#runUntil(untilUs) });
  }

  /** Whether the core executes now. */
  get running(): boolean {
    return (
      !this.#halted &&
      !this.#heldInReset &&
      !this.#lockup &&
      !this.#cpu.lockup &&
      !this.#cpu.sleeping
    );
  }

  /** The core asleep in WFI/WFE (no interrupt source in the simulator wakes it). */
  get sleeping(): boolean {
    return this.#cpu.sleeping;
  }

  get lockedUp(): boolean {
    return this.#lockup || this.#cpu.lockup;
  }

  /** Core clock period in µs. */
  #usPerCycle(): number {
    return 1e6 / (this.env.coreClockHz?.() ?? DEFAULT_CORE_CLOCK_HZ);
  }

  /**
   * Runs the core through an advance of the clock to `untilUs`. The core keeps its own
   * time: each instruction starts with the clock set to its start time (so a flash
   * controller sees the access when it happens, and a stall moves the clock), and the part
   * of the last instruction that reaches past `untilUs` stays with the core rather than
   * delaying the probe; the next advance continues from there.
   */
  #runUntil(untilUs: number): void {
    const clock = this.env.clock;
    if (!clock) return;
    this.#coreUs = Math.max(this.#coreUs, clock.nowUs);
    // A halted core (while a probe programs the flash) is the common case: the clock
    // period, which reads the RCC, is worked out only when there are instructions to time.
    if (!this.running) return;
    const usPerCycle = this.#usPerCycle();
    while (this.running && this.#coreUs < untilUs) {
      clock.advanceTo(this.#coreUs);
      this.#execute(clock, usPerCycle);
      if (this.#cpu.selfBranch) {
        // `b .`: nothing changes until something outside the core does.
        this.#coreUs = Math.max(this.#coreUs, untilUs);
        return;
      }
    }
  }

  #execute(clock: VirtualClock, usPerCycle: number): void {
    const end = this.#cpu.step();
    // A bus stall during the instruction moved the clock past the core's time.
    this.#coreUs = Math.max(this.#coreUs, clock.nowUs) + this.#cpu.cycles * usPerCycle;
    if (end === StepEnd.VECTOR_CATCH) this.#haltFor(Dfsr.VCATCH);
  }

  /** BKPT: halts when halting debug is enabled (ARMv7-M C1.5.1); otherwise HardFault. */
  #breakpoint(): boolean {
    if (!this.#debugEnabled) return false;
    this.#haltFor(Dfsr.BKPT);
    return true;
  }

  #vectorCatch(exception: number, cfsrBit: number): boolean {
    if (!this.#debugEnabled) return false;
    let enable: number;
    if (exception === Exception.HARD_FAULT) enable = Vc.HARDERR;
    else if (this.architecture === 'v6-m') return false;
    else if (exception === Exception.BUS_FAULT) enable = Vc.BUSERR;
    else if (exception === Exception.MEM_MANAGE) enable = Vc.MMERR;
    else if (exception !== Exception.USAGE_FAULT) return false;
    else if (cfsrBit & Cfsr.NOCP) enable = Vc.NOCPERR;
    else if (cfsrBit & (Cfsr.UNALIGNED | Cfsr.DIVBYZERO)) enable = Vc.CHKERR;
    else enable = Vc.STATERR;
    return (this.#demcr & enable) !== 0;
  }

  /**
   * Entering Debug state also ends sleep and lockup (ARMv7-M B1.5.15, C1.5) and sets C_HALT:
   * a read giving C_HALT and S_HALT both 1 after the debugger cleared C_HALT means a new debug
   * event halted the core (ARMv7-M C1.6.3, DHCSR). st-flash 1.7 waits for its RAM loader's
   * BKPT by polling C_HALT (stlink usb.c, _stlink_usb_status_v2).
   */
  #haltFor(reason: number): void {
    this.#halted = true;
    this.#haltRequested = true;
    this.#cpu.sleeping = false;
    this.#cpu.lockup = false;
    this.#lockup = false;
    this.#dfsr |= reason;
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
    this.#scb.reset();
    this.#cpu.reset();
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
          this.#scb.read(offset) ??
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
        if (!this.#scb.write(offset, value)) this.#other.set(offset, value);
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
      (this.lockedUp ? S_LOCKUP : 0);
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
      if (!this.#halted) this.#haltFor(Dfsr.HALTED);
    } else if (this.#halted && step) {
      this.#step();
    } else {
      this.#halted = false;
    }
  }

  /**
   * C_STEP with C_HALT clear: one instruction executes (or its exception is taken) and the
   * core halts again (ARMv7-M C1.6.2). BKPT halts in place; a locked-up core stays put.
   */
  #step(): void {
    this.#halted = false;
    const clock = this.env.clock;
    if (this.running && clock) {
      this.#coreUs = Math.max(this.#coreUs, clock.nowUs);
      this.#execute(clock, this.#usPerCycle());
      this.#retireSticky = true;
    }
    this.#cpu.sleeping = false;
    this.#halted = true;
    this.#dfsr |= Dfsr.HALTED;
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
      this.#registers[RegSel.MSP] = this.env.read(base, 4) & ~3;
      const pc = this.env.read(base + 4, 4);
      this.#registers[RegSel.PC] = pc & ~1;
      // EPSR.T comes from bit 0 of the reset vector (B1.5.5); 0 faults at the first fetch.
      this.#registers[Reg.XPSR] = pc & 1 ? 0x01000000 : 0;
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
      this.#haltRequested = true;
      this.#dfsr |= vectorCatch ? Dfsr.VCATCH : Dfsr.HALTED;
    } else {
      this.#halted = false;
    }
  }
}
