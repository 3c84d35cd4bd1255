import { BusError, type BusSize } from '../../bus.js';
import type { CoreArchitecture } from '../core.js';
import { addWithCarry, conditionPassed, type AluResult } from './alu.js';
import { enterFault, exceptionReturn, takeSvc } from './exceptions.js';
import { Ccr, Cfsr, type SystemControl } from './system-control.js';
import { execute16 } from './thumb16.js';
import { execute32 } from './thumb32.js';

/** Indexes of the register file, which uses the DCRSR REGSEL numbering (ARMv7-M C1.6.3). */
export const Reg = { SP: 13, LR: 14, PC: 15, XPSR: 16, MSP: 17, PSP: 18, SPECIAL: 0x14 } as const;

/** xPSR bits (B1.4.2). */
export const Psr = { N: 1 << 31, Z: 1 << 30, C: 1 << 29, V: 1 << 28, Q: 1 << 27, T: 1 << 24 };

/** What the processor reaches through its bus and debug logic. */
export interface CpuHost {
  /** A data or instruction access on the system bus; throws BusError. */
  read(address: number, size: BusSize): number;
  write(address: number, size: BusSize, value: number): void;
  /** BKPT executed: true when halting debug is enabled and the core halted (C1.5). */
  breakpoint(): boolean;
  /** After the entry to `exception`: true when DEMCR vector catch halts the core (C1.6.5). */
  vectorCatch(exception: number, cfsrBit: number): boolean;
}

/**
 * A synchronous fault raised by an instruction: the kind names the exception it asks for
 * before priority escalation (B1.5.14), `cfsrBit` the status bit it sets, `address` the
 * faulting data address for BFAR/MMFAR.
 */
export class CpuFault extends Error {
  override readonly name = 'CpuFault';
  constructor(
    readonly kind: 'usage' | 'bus' | 'memmanage' | 'hard',
    readonly cfsrBit: number,
    readonly address?: number,
  ) {
    super(`${kind} fault`);
  }
}

/** How a step ended, besides executing. */
export const StepEnd = { DONE: 0, BREAKPOINT: 1, VECTOR_CATCH: 2 } as const;

/**
 * A Thumb processor (ARMv6-M or ARMv7-M) working on a register file it shares with the
 * debug logic. `step` executes one instruction: fetch, IT-block condition (A7.3.3),
 * decode and execute (thumb16.ts, thumb32*.ts), then the synchronous exception it raised,
 * if any (exceptions.ts). `cycles` counts the processor clocks the step took: one per
 * instruction plus the extra cycles of loads, stores, taken branches, divides and
 * exception entry as the Cortex-M0/M3/M4 TRMs list them (an approximation: no wait
 * states, no pipeline refill detail).
 */
export class ThumbCpu {
  readonly v7: boolean;
  /** Clock cycles of the last step. */
  cycles = 0;
  /** Address of the instruction being executed. */
  pc = 0;
  /** Where execution continues after it. */
  next = 0;
  /** ITSTATE after this instruction (A7.3.3). */
  itAfter = 0;
  /** WFI/WFE without an event to wake it: sleeps until a debugger intervenes. */
  sleeping = false;
  /** Lockup (B1.5.15): a fault the processor cannot take. Nothing executes. */
  lockup = false;
  /** Local exclusive monitor: the address LDREX marked, or undefined (A3.4). */
  exclusive: number | undefined;
  /** Exceptions active, by number (only system exceptions occur here). */
  readonly active = new Uint8Array(16);
  /** The last step was a B to itself (`b .`): the core spins until something else acts. */
  selfBranch = false;
  #pendingReturn: number | undefined;
  #end: number = StepEnd.DONE;

  constructor(
    readonly architecture: CoreArchitecture,
    readonly regs: Uint32Array,
    readonly scb: SystemControl,
    readonly host: CpuHost,
  ) {
    this.v7 = architecture === 'v7-m';
  }

  reset(): void {
    this.active.fill(0);
    this.sleeping = false;
    this.lockup = false;
    this.exclusive = undefined;
  }

  // --- registers -------------------------------------------------------------------

  get xpsr(): number {
    return this.regs[Reg.XPSR]!;
  }

  set xpsr(value: number) {
    this.regs[Reg.XPSR] = value >>> 0;
  }

  get ipsr(): number {
    return this.regs[Reg.XPSR]! & 0x1ff;
  }

  get handlerMode(): boolean {
    return this.ipsr !== 0;
  }

  get special(): number {
    return this.regs[Reg.SPECIAL]!;
  }

  get primask(): number {
    return this.special & 1;
  }

  get basepri(): number {
    return (this.special >>> 8) & 0xff;
  }

  get faultmask(): number {
    return (this.special >>> 16) & 1;
  }

  get control(): number {
    return (this.special >>> 24) & 0xff;
  }

  setSpecial(control: number, faultmask: number, basepri: number, primask: number): void {
    this.regs[Reg.SPECIAL] =
      ((control & 0xff) << 24) | ((faultmask & 1) << 16) | ((basepri & 0xff) << 8) | (primask & 1);
  }

  /** Privileged unless thread mode with CONTROL.nPRIV (B1.4.4; v6-M is always privileged). */
  get privileged(): boolean {
    return !this.v7 || this.handlerMode || (this.control & 1) === 0;
  }

  /** The register behind SP now (B1.4.1). */
  activeSp(): number {
    return !this.handlerMode && (this.control & 2) !== 0 ? Reg.PSP : Reg.MSP;
  }

  /** R[n] as an instruction reads it: PC reads as the instruction address + 4. */
  r(n: number): number {
    if (n < 13) return this.regs[n]!;
    if (n === 13) return this.regs[this.activeSp()]!;
    if (n === 15) return (this.pc + 4) >>> 0;
    return this.regs[14]!;
  }

  /** R[n] = value; SP keeps bits [1:0] zero; PC is an ALU branch (BranchWritePC, A2.3.1). */
  w(n: number, value: number): void {
    if (n < 13 || n === 14) this.regs[n] = value >>> 0;
    else if (n === 13) this.regs[this.activeSp()] = value & ~3;
    else this.branch(value);
  }

  /** BranchWritePC / BranchTo: bit 0 ignored. */
  branch(address: number): void {
    this.next = address & ~1;
  }

  /** B (immediate): a branch to itself is noted so the core can skip its spinning. */
  jump(address: number): void {
    this.next = address & ~1;
    this.selfBranch = this.next >>> 0 === this.pc;
  }

  /**
   * BXWritePC / LoadWritePC (A2.3.1): an EXC_RETURN value in handler mode returns from
   * the exception once the instruction has completed (B1.5.8); otherwise bit 0 is the
   * new T bit, and 0 makes the next instruction fault with INVSTATE.
   */
  bxWritePc(address: number): void {
    address >>>= 0;
    if (this.handlerMode && address >>> 28 === 0xf) {
      this.#pendingReturn = address;
      return;
    }
    if ((address & 1) === 0) this.xpsr = this.xpsr & ~Psr.T;
    this.next = address & ~1;
  }

  // --- flags -------------------------------------------------------------------------

  get carry(): number {
    return (this.regs[Reg.XPSR]! >>> 29) & 1;
  }

  /** Inside an IT block (flag-setting 16-bit forms do not set flags there). */
  get inIt(): boolean {
    return (this.itState() & 0xf) !== 0;
  }

  /** Last instruction of an IT block, or outside one (where a branch may be). */
  get lastInItOrOutside(): boolean {
    const it = this.itState();
    return (it & 0xf) === 0 || (it & 0xf) === 0x8;
  }

  setNZ(value: number): void {
    const flags = (value & 0x80000000 ? Psr.N : 0) | (value >>> 0 === 0 ? Psr.Z : 0);
    this.xpsr = (this.xpsr & ~(Psr.N | Psr.Z)) | flags;
  }

  setNZC(value: number, carry: number): void {
    this.setNZ(value);
    this.xpsr = (this.xpsr & ~Psr.C) | (carry ? Psr.C : 0);
  }

  setNZCV(result: AluResult): void {
    this.setNZC(result.value, result.carry);
    this.xpsr = (this.xpsr & ~Psr.V) | (result.overflow ? Psr.V : 0);
  }

  setQ(): void {
    this.xpsr = this.xpsr | Psr.Q;
  }

  /** AddWithCarry with the current carry flag. */
  adc(x: number, y: number): AluResult {
    return addWithCarry(x, y, this.carry);
  }

  itState(): number {
    const xpsr = this.regs[Reg.XPSR]!;
    return ((xpsr >>> 25) & 3) | ((xpsr >>> 8) & 0xfc);
  }

  #writeItState(it: number): void {
    this.xpsr = (this.xpsr & ~0x0600fc00) | ((it & 3) << 25) | ((it & 0xfc) << 8);
  }

  // --- memory ------------------------------------------------------------------------

  /**
   * A data read. `strict`: the instruction needs natural alignment on every architecture
   * (LDM, LDRD, LDREX, A3.2.1); otherwise v7-M allows unaligned words and halfwords unless
   * CCR.UNALIGN_TRP. ARMv6-M faults on every unaligned access (HardFault).
   */
  read(address: number, size: BusSize, strict = false): number {
    address >>>= 0;
    if (address & (size - 1)) {
      this.#checkUnaligned(strict);
      let value = 0;
      for (let i = size - 1; i >= 0; i--) value = (value << 8) | this.#busRead(address + i, 1);
      return value >>> 0;
    }
    return this.#busRead(address, size);
  }

  write(address: number, size: BusSize, value: number, strict = false): void {
    address >>>= 0;
    if (address & (size - 1)) {
      this.#checkUnaligned(strict);
      for (let i = 0; i < size; i++) this.#busWrite(address + i, 1, value >>> (8 * i));
      return;
    }
    this.#busWrite(address, size, value);
  }

  #checkUnaligned(strict: boolean): void {
    if (!this.v7 || strict || this.scb.ccr & Ccr.UNALIGN_TRP) {
      throw new CpuFault('usage', Cfsr.UNALIGNED);
    }
  }

  /**
   * Bus errors on data accesses are precise BusFaults with BFAR (B3.2.15). Cortex-M3/M4
   * may report a buffered store's error as imprecise; QEMU and this model make it precise.
   */
  #busRead(address: number, size: BusSize): number {
    this.cycles += 1;
    try {
      return this.host.read(address >>> 0, size);
    } catch (error) {
      throw busFault(error, address);
    }
  }

  #busWrite(address: number, size: BusSize, value: number): void {
    this.cycles += 1;
    try {
      this.host.write(address >>> 0, size, value >>> 0);
    } catch (error) {
      throw busFault(error, address);
    }
  }

  // --- instructions needing the step -------------------------------------------------

  /** UNDEFINED (A5.1): UsageFault UNDEFINSTR (HardFault on ARMv6-M). */
  undefined(): never {
    throw new CpuFault('usage', Cfsr.UNDEFINSTR);
  }

  /** An ARMv7-M-only encoding: on ARMv6-M it is UNDEFINED. */
  requireV7(): void {
    if (!this.v7) this.undefined();
  }

  bkpt(): void {
    this.#end = StepEnd.BREAKPOINT;
  }

  svc(): void {
    this.#end = -1;
  }

  setItAfter(it: number): void {
    this.itAfter = it;
  }

  // --- the step ------------------------------------------------------------------------

  /** Executes one instruction (or takes the exception it raises). */
  step(): number {
    this.cycles = 0;
    this.selfBranch = false;
    this.#pendingReturn = undefined;
    this.#end = StepEnd.DONE;
    const pc = this.regs[Reg.PC]! & ~1;
    this.pc = pc;
    const it = this.itState();
    this.itAfter = (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
    try {
      if ((this.xpsr & Psr.T) === 0) throw new CpuFault('usage', Cfsr.INVSTATE);
      const hw1 = this.#fetch(pc);
      const wide = hw1 >>> 11 >= 0x1d;
      const hw2 = wide ? this.#fetch(pc + 2) : 0;
      this.next = (pc + (wide ? 4 : 2)) >>> 0;
      this.cycles = 1;
      if ((it & 0xf) === 0 || conditionPassed(it >>> 4, this.xpsr)) {
        if (wide) execute32(this, hw1, hw2);
        else execute16(this, hw1);
      }
    } catch (error) {
      if (!(error instanceof CpuFault)) throw error;
      return this.#fault(error);
    }
    if (this.#end === StepEnd.BREAKPOINT) {
      // BKPT halts before it executes: PC stays on it (C1.5.1).
      if (this.host.breakpoint()) return StepEnd.BREAKPOINT;
      return this.#fault(new CpuFault('hard', 0));
    }
    this.regs[Reg.PC] = this.next;
    this.#writeItState(this.itAfter);
    if (this.#end === -1) return takeSvc(this);
    if (this.#pendingReturn !== undefined) exceptionReturn(this, this.#pendingReturn);
    return StepEnd.DONE;
  }

  #fault(fault: CpuFault): number {
    // The faulting instruction has not executed: PC and ITSTATE stay as they were.
    this.regs[Reg.PC] = this.pc;
    return enterFault(this, fault, this.pc);
  }

  #fetch(address: number): number {
    // The system region (0xE0000000 up) is Execute Never (B3.1.1): MemManage IACCVIOL.
    if (address >>> 0 >= 0xe0000000) throw new CpuFault('memmanage', Cfsr.IACCVIOL);
    try {
      return this.host.read(address >>> 0, 2);
    } catch (error) {
      if (!(error instanceof BusError)) throw error;
      throw new CpuFault('bus', Cfsr.IBUSERR);
    }
  }
}

function busFault(error: unknown, address: number): unknown {
  if (!(error instanceof BusError)) return error;
  return new CpuFault('bus', Cfsr.PRECISERR | Cfsr.BFARVALID, address >>> 0);
}
