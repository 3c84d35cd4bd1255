import { BusError } from '../bus.js';
import type { FaultPlan } from '../faults.js';
import type { AccessPort } from './mem-ap.js';

/** The ACK of one SWD transaction; `no-ack` is a line that nobody drives. */
export type SwdAck = 'ok' | 'wait' | 'fault' | 'no-ack';

export interface SwdResponse {
  readonly ack: SwdAck;
  /** Read data (0 for writes and failed reads). */
  readonly value: number;
}

/** DP register addresses A[3:2] (ADIv5 SW-DP; OpenOCD src/target/arm_adi_v5.h). */
export const DpRegister = {
  /** Read: DPIDR. Write: ABORT. */
  DPIDR: 0x0,
  ABORT: 0x0,
  /** CTRL/STAT (bank 0), DLCR (1), TARGETID (2), DLPIDR (3), EVENTSTAT (4). */
  CTRL_STAT: 0x4,
  /** Read: RESEND. Write: SELECT. */
  SELECT: 0x8,
  RESEND: 0x8,
  RDBUFF: 0xc,
} as const;

export const CtrlStat = {
  ORUNDETECT: 1 << 0,
  STICKYORUN: 1 << 1,
  STICKYCMP: 1 << 4,
  STICKYERR: 1 << 5,
  READOK: 1 << 6,
  WDATAERR: 1 << 7,
  CDBGRSTREQ: 1 << 26,
  CDBGRSTACK: 1 << 27,
  CDBGPWRUPREQ: 1 << 28,
  CDBGPWRUPACK: 1 << 29,
  CSYSPWRUPREQ: 1 << 30,
  CSYSPWRUPACK: 1 << 31,
} as const;

export const Abort = {
  DAPABORT: 1 << 0,
  STKCMPCLR: 1 << 1,
  STKERRCLR: 1 << 2,
  WDERRCLR: 1 << 3,
  ORUNERRCLR: 1 << 4,
} as const;

/** Bits of CTRL/STAT a debugger can set (SWD): ORUNDETECT, TRNMODE, MASKLANE, requests. */
const CTRL_STAT_WRITABLE =
  CtrlStat.ORUNDETECT |
  (0x3 << 2) |
  (0xf << 8) |
  CtrlStat.CDBGRSTREQ |
  CtrlStat.CDBGPWRUPREQ |
  CtrlStat.CSYSPWRUPREQ;

/** Consecutive ones on SWDIO that make a line reset (ADIv5.2, SW-DP line reset: at least 50). */
export const LINE_RESET_MIN_ONES = 50;

/** What the DP needs from the board it sits on. */
export interface DebugPortEnvironment {
  readonly faults: FaultPlan;
  /** False when the target is unpowered or its debug port is disabled (RDP level 2). */
  responding(): boolean;
  /** Charges one SWD transaction to the virtual clock. */
  chargeAccess(): void;
}

/**
 * An ADIv5 SW-DP: DPIDR, CTRL/STAT with the power-up handshake, SELECT, RDBUFF, ABORT and
 * sticky errors, and AP access with posted reads (an AP read returns the result of the
 * previous AP read; RDBUFF returns the last one). After a line reset only a DPIDR read is
 * answered (ADIv5 SWD protocol). A bus error sets STICKYERR and FAULTs the access; while
 * STICKYERR is set every AP access FAULTs until ABORT.STKERRCLR. AP accesses with the debug
 * power domain down FAULT too. Overrun detection is not modelled.
 */
export class SwDebugPort {
  #ctrlStat = 0;
  #select = 0;
  #readBuffer = 0;
  #afterLineReset = true;
  /** Ones clocked in a row by swjSequence. */
  #ones = 0;

  constructor(
    readonly dpidr: number,
    readonly aps: readonly (AccessPort | undefined)[],
    readonly env: DebugPortEnvironment,
  ) {}

  /** DP architecture version from DPIDR[15:12] (1 = DPv1, 2 = DPv2). */
  get version(): number {
    return (this.dpidr >>> 12) & 0xf;
  }

  get ctrlStat(): number {
    return this.#ctrlStat >>> 0;
  }

  get select(): number {
    return this.#select >>> 0;
  }

  /**
   * Clocks `bitCount` bits (LSB of byte 0 first) on SWDIO with SWCLK, as a probe's
   * SWJ_Sequence does: every run of at least 50 ones is a line reset. This DP is an SW-DP
   * (no JTAG state), so the JTAG-to-SWD code between two line resets changes nothing else;
   * it is harmless on an SW-DP (ADIv5.2, SWJ-DP: the sequence is chosen so).
   */
  swjSequence(bitCount: number, bits: Uint8Array): void {
    for (let i = 0; i < bitCount; i++) {
      const bit = ((bits[i >> 3] ?? 0) >>> (i & 7)) & 1;
      this.#ones = bit === 1 ? this.#ones + 1 : 0;
      if (this.#ones === LINE_RESET_MIN_ONES) this.lineReset();
    }
  }

  /** SWD line reset (50+ clocks high): the DP waits for a DPIDR read. */
  lineReset(): void {
    this.#afterLineReset = true;
  }

  /** Power-on reset of the debug logic: everything back to reset values. */
  powerOnReset(): void {
    this.#ctrlStat = 0;
    this.#select = 0;
    this.#readBuffer = 0;
    this.#afterLineReset = true;
  }

  read(address: number): SwdResponse {
    const gate = this.#gate(address === DpRegister.DPIDR);
    if (gate) return gate;
    switch (address & 0xc) {
      case DpRegister.DPIDR:
        this.#afterLineReset = false;
        return ok(this.dpidr);
      case DpRegister.CTRL_STAT:
        return ok(this.#readBanked());
      case DpRegister.RESEND:
        return ok(this.#readBuffer);
      default:
        return ok(this.#readBuffer);
    }
  }

  write(address: number, value: number): SwdResponse {
    const gate = this.#gate(false);
    if (gate) return gate;
    switch (address & 0xc) {
      case DpRegister.ABORT:
        this.#abort(value);
        return ok(0);
      case DpRegister.CTRL_STAT:
        if ((this.#select & 0xf) === 0) this.#writeCtrlStat(value);
        return ok(0);
      case DpRegister.SELECT:
        this.#select = value >>> 0;
        return ok(0);
      default:
        // RDBUFF is read-only; a write is ignored.
        return ok(0);
    }
  }

  /** AP read of A[3:2] in the bank SELECT names; returns the *previous* posted result. */
  apRead(address: number): SwdResponse {
    return this.#apAccess(address, undefined);
  }

  apWrite(address: number, value: number): SwdResponse {
    return this.#apAccess(address, value);
  }

  #gate(isDpidrRead: boolean): SwdResponse | undefined {
    this.env.chargeAccess();
    if (!this.env.responding()) return { ack: 'no-ack', value: 0 };
    if (this.#afterLineReset && !isDpidrRead) return { ack: 'no-ack', value: 0 };
    return undefined;
  }

  #apAccess(address: number, writeValue: number | undefined): SwdResponse {
    const gate = this.#gate(false);
    if (gate) return gate;
    if (this.env.faults.nextApAccessWaits()) return { ack: 'wait', value: 0 };
    const powered = (this.#ctrlStat & CtrlStat.CDBGPWRUPACK) !== 0;
    if ((this.#ctrlStat & CtrlStat.STICKYERR) !== 0 || !powered) {
      this.#ctrlStat |= CtrlStat.STICKYERR;
      return { ack: 'fault', value: 0 };
    }
    const ap = this.aps[this.#select >>> 24];
    const reg = (this.#select & 0xf0) | (address & 0xc);
    const previous = this.#readBuffer;
    try {
      if (writeValue === undefined) {
        // An AP that is not there reads as zero (that is how hosts find the end of the list).
        this.#readBuffer = ap ? ap.readRegister(reg) : 0;
        this.#ctrlStat |= CtrlStat.READOK;
        return ok(previous);
      }
      ap?.writeRegister(reg, writeValue);
      return ok(0);
    } catch (error) {
      if (!(error instanceof BusError)) throw error;
      this.#ctrlStat = (this.#ctrlStat | CtrlStat.STICKYERR) & ~CtrlStat.READOK;
      return { ack: 'fault', value: 0 };
    }
  }

  #readBanked(): number {
    switch (this.#select & 0xf) {
      case 0:
        return this.#ctrlStat >>> 0;
      case 1:
        // DLCR: turnaround of one cycle.
        return 0x40;
      default:
        // TARGETID, DLPIDR and EVENTSTAT (DPv2) are not modelled and read as zero.
        return 0;
    }
  }

  #writeCtrlStat(value: number): void {
    const kept =
      this.#ctrlStat &
      ~CTRL_STAT_WRITABLE &
      ~(CtrlStat.CDBGPWRUPACK | CtrlStat.CSYSPWRUPACK | CtrlStat.CDBGRSTACK);
    let next = kept | (value & CTRL_STAT_WRITABLE);
    // The power controller acknowledges at once.
    if (next & CtrlStat.CDBGPWRUPREQ) next |= CtrlStat.CDBGPWRUPACK;
    if (next & CtrlStat.CSYSPWRUPREQ) next |= CtrlStat.CSYSPWRUPACK;
    if (next & CtrlStat.CDBGRSTREQ) next |= CtrlStat.CDBGRSTACK;
    this.#ctrlStat = next >>> 0;
  }

  #abort(value: number): void {
    if (value & Abort.STKCMPCLR) this.#ctrlStat &= ~CtrlStat.STICKYCMP;
    if (value & Abort.STKERRCLR) this.#ctrlStat &= ~CtrlStat.STICKYERR;
    if (value & Abort.WDERRCLR) this.#ctrlStat &= ~CtrlStat.WDATAERR;
    if (value & Abort.ORUNERRCLR) this.#ctrlStat &= ~CtrlStat.STICKYORUN;
    this.#ctrlStat >>>= 0;
  }
}

function ok(value: number): SwdResponse {
  return { ack: 'ok', value: value >>> 0 };
}
