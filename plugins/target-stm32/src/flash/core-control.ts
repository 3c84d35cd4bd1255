import type { MemoryPort } from '@flashwright/core/plugin';
import type { TargetClock } from './flash-clock.js';

/**
 * Why code flashwright runs on the target (a RAM flash loader, an on-chip routine) could not
 * do its work: RAM too small, the code faulted or stopped, a timeout, a probe that cannot
 * run code. `programmedBytes` from the start were confirmed programmed by a loader before it
 * failed; of the bytes after them, up to `handedBytes` from the start, the loader may have
 * programmed some (it had them but had not confirmed them).
 */
export class LoaderFailure extends Error {
  override readonly name = 'LoaderFailure';
  readonly handedBytes: number;
  constructor(
    readonly reason: string,
    readonly programmedBytes: number,
    handedBytes?: number,
  ) {
    super(reason);
    this.handedBytes = Math.max(programmedBytes, handedBytes ?? programmedBytes);
  }
}

// Cortex-M debug registers (ARMv7-M ARM C1.6; ARMv6-M ARM C1.6).
export const DHCSR = 0xe000edf0;
const DCRSR = 0xe000edf4;
const DCRDR = 0xe000edf8;
const DEMCR = 0xe000edfc;
const DFSR = 0xe000ed30;
const DBGKEY = 0xa05f0000;
const C_DEBUGEN = 1 << 0;
const C_HALT = 1 << 1;
const S_REGRDY = 1 << 16;
export const S_HALT = 1 << 17;
const S_LOCKUP = 1 << 19;
const DFSR_BKPT = 1 << 1;
const DFSR_VCATCH = 1 << 3;
const DEMCR_VC_HARDERR = 1 << 10;
/** DCRSR.REGSEL of the special registers (ARMv7-M ARM C1.6.3, Table C1-9). */
const REGSEL_PC = 15;
const REGSEL_XPSR = 16;
const REGSEL_MSP = 17;
/** EPSR.T: the core runs Thumb code only. */
const XPSR_THUMB = 0x01000000;

/** What to run: code already in RAM, its entry, its stack and r0.. r12 arguments. */
export interface CodeStart {
  readonly entry: number;
  readonly stackTop: number;
  /** r0, r1, ... in order. */
  readonly registers: readonly number[];
}

/**
 * Runs code on the core through its debug registers: halts it, sets vector catch on HardFault
 * (a fault halts the core instead of running a handler), and tells a BKPT end from a fault.
 * `restore()` leaves the core halted and DEMCR as it was, as far as the link still allows.
 */
export class CoreControl {
  private demcr: number | undefined;

  constructor(
    private readonly memory: MemoryPort,
    private readonly clock: TargetClock,
    private readonly signal?: AbortSignal,
  ) {}

  /** Halts the core and sets the HardFault vector catch (remembering DEMCR for restore). */
  async prepare(): Promise<void> {
    await this.halt();
    const demcr = await this.memory.read32(DEMCR, this.signal);
    this.demcr = demcr;
    await this.memory.write32(DEMCR, demcr | DEMCR_VC_HARDERR, this.signal);
  }

  /**
   * Sets the registers, PC, MSP and xPSR, clears DFSR and lets the core run. S_REGRDY is
   * checked once, after the last register: a transfer takes the core a few cycles, less than
   * one probe access (OpenOCD's cortex_m_fast_read_all_regs relies on the same), and one
   * check per register cost a round trip each (9 ms of every loader start behind a V2).
   */
  async start(run: CodeStart): Promise<void> {
    const writes: [number, number][] = [
      ...run.registers.map((value, reg): [number, number] => [reg, value]),
      [REGSEL_MSP, run.stackTop],
      [REGSEL_XPSR, XPSR_THUMB],
      [REGSEL_PC, run.entry],
    ];
    for (const [regsel, value] of writes) {
      await this.memory.write32(DCRDR, value >>> 0, this.signal);
      await this.memory.write32(DCRSR, regsel | (1 << 16), this.signal);
    }
    if (!((await this.memory.read32(DHCSR, this.signal)) & S_REGRDY)) {
      throw new LoaderFailure('the core did not accept a register write', 0);
    }
    await this.memory.write32(DFSR, 0x1f, this.signal);
    await this.memory.write32(DHCSR, DBGKEY | C_DEBUGEN, this.signal);
  }

  /**
   * Whether the core has stopped: halted (a BKPT, a caught fault) or locked up (a fault it
   * could not take, e.g. its vector fetch failed: ARMv7-M B1.5.15), which no halt ends.
   */
  async halted(): Promise<boolean> {
    return ((await this.memory.read32(DHCSR, this.signal)) & (S_HALT | S_LOCKUP)) !== 0;
  }

  /**
   * After the core halted: returns when it stopped on a BKPT (the code's end), else throws a
   * LoaderFailure saying how it stopped (`programmedBytes` and `handedBytes` for it). A
   * fault halts the core on the handler's first instruction (vector catch), with the
   * faulting instruction's address in the exception frame at MSP + 24 (ARMv7-M ARM B1.5.6,
   * ARMv6-M ARM B1.5.6).
   */
  async checkBreakpoint(programmedBytes: number, handedBytes?: number): Promise<void> {
    const failure = (reason: string): LoaderFailure =>
      new LoaderFailure(reason, programmedBytes, handedBytes);
    const dhcsr = await this.memory.read32(DHCSR, this.signal);
    if (dhcsr & S_LOCKUP) throw failure('the loader locked the core up');
    const dfsr = await this.memory.read32(DFSR, this.signal);
    if (dfsr & DFSR_BKPT) return;
    if (dfsr & DFSR_VCATCH) {
      const msp = await this.readRegister(REGSEL_MSP);
      const pc = await this.memory.read32(msp + 24, this.signal).catch(() => undefined);
      const at = pc === undefined ? '' : ` at 0x${pc.toString(16)}`;
      throw failure(`the loader faulted${at} (HardFault, DFSR 0x${dfsr.toString(16)})`);
    }
    const pc = await this.readRegister(REGSEL_PC);
    throw failure(
      `the loader stopped (the core halted at 0x${pc.toString(16)}, DFSR 0x${dfsr.toString(16)})`,
    );
  }

  async readRegister(regsel: number): Promise<number> {
    await this.memory.write32(DCRSR, regsel, this.signal);
    return this.memory.read32(DCRDR, this.signal);
  }

  async restore(): Promise<void> {
    await this.halt().catch(() => undefined);
    if (this.demcr !== undefined)
      await this.memory.write32(DEMCR, this.demcr).catch(() => undefined);
  }

  private async halt(): Promise<void> {
    await this.memory.write32(DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
    const deadline = this.clock() + 100;
    while (!((await this.memory.read32(DHCSR)) & S_HALT)) {
      if (this.clock() > deadline) throw new LoaderFailure('the core does not halt', 0);
    }
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
