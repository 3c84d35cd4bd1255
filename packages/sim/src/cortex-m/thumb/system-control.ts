/**
 * The System Control Block registers the processor itself uses when it takes exceptions:
 * VTOR, CCR, SHPR1-3, SHCSR and the fault status and address registers (ARMv7-M ARM DDI
 * 0403E B3.2 "System Control Space"; ARMv6-M ARM DDI 0419E B3.2). ARMv6-M has no VTOR on
 * Cortex-M0 (Cortex-M0 TRM DDI 0432C, 4.3), no CFSR/HFSR/MMFAR/BFAR, only SHPR2/SHPR3,
 * and a read-only CCR with STKALIGN and UNALIGN_TRP set.
 */
import type { CoreArchitecture } from '../core.js';

export const ScbOffset = {
  ICSR: 0xd04,
  VTOR: 0xd08,
  CCR: 0xd14,
  SHPR1: 0xd18,
  SHPR2: 0xd1c,
  SHPR3: 0xd20,
  SHCSR: 0xd24,
  CFSR: 0xd28,
  HFSR: 0xd2c,
  MMFAR: 0xd34,
  BFAR: 0xd38,
} as const;

/** CFSR bits (B3.2.15): MMFSR [7:0], BFSR [15:8], UFSR [31:16]. */
export const Cfsr = {
  IACCVIOL: 1 << 0,
  DACCVIOL: 1 << 1,
  MMARVALID: 1 << 7,
  IBUSERR: 1 << 8,
  PRECISERR: 1 << 9,
  UNSTKERR: 1 << 11,
  STKERR: 1 << 12,
  BFARVALID: 1 << 15,
  UNDEFINSTR: 1 << 16,
  INVSTATE: 1 << 17,
  INVPC: 1 << 18,
  NOCP: 1 << 19,
  UNALIGNED: 1 << 24,
  DIVBYZERO: 1 << 25,
} as const;

/** HFSR bits (B3.2.16). */
export const Hfsr = { VECTTBL: 1 << 1, FORCED: 1 << 30, DEBUGEVT: 1 << 31 } as const;

/** CCR bits (B3.2.8). */
export const Ccr = {
  UNALIGN_TRP: 1 << 3,
  DIV_0_TRP: 1 << 4,
  STKALIGN: 1 << 9,
} as const;

/** SHCSR enable bits (B3.2.13). */
export const Shcsr = {
  MEMFAULTENA: 1 << 16,
  BUSFAULTENA: 1 << 17,
  USGFAULTENA: 1 << 18,
} as const;

/** Exception numbers (B1.5.2). */
export const Exception = {
  RESET: 1,
  NMI: 2,
  HARD_FAULT: 3,
  MEM_MANAGE: 4,
  BUS_FAULT: 5,
  USAGE_FAULT: 6,
  SVCALL: 11,
  DEBUG_MONITOR: 12,
  PENDSV: 14,
  SYSTICK: 15,
} as const;

export class SystemControl {
  vtor = 0;
  ccr = 0;
  shcsr = 0;
  cfsr = 0;
  hfsr = 0;
  mmfar = 0;
  bfar = 0;
  /** System handler priority bytes, by exception number (4-15). */
  readonly priority = new Uint8Array(16);

  constructor(
    readonly architecture: CoreArchitecture,
    /** CCR at reset: STKALIGN depends on the core revision (Cortex-M3 r2p0 made it 1). */
    readonly ccrReset: number,
    /** Implemented priority bits, from the top of each byte (2 on v6-M, 3-8 on v7-M). */
    readonly priorityBits: number,
  ) {
    this.reset();
  }

  get v6(): boolean {
    return this.architecture === 'v6-m';
  }

  reset(): void {
    this.vtor = 0;
    this.ccr = this.ccrReset;
    this.shcsr = 0;
    this.cfsr = 0;
    this.hfsr = 0;
    this.mmfar = 0;
    this.bfar = 0;
    this.priority.fill(0);
  }

  /** Word read of an SCB register this class owns, or undefined. */
  read(offset: number): number | undefined {
    switch (offset) {
      case ScbOffset.VTOR:
        return this.vtor;
      case ScbOffset.CCR:
        return this.ccr;
      case ScbOffset.SHPR1:
      case ScbOffset.SHPR2:
      case ScbOffset.SHPR3: {
        if (this.v6 && offset === ScbOffset.SHPR1) return 0;
        const first = 4 + (offset - ScbOffset.SHPR1);
        let word = 0;
        for (let i = 3; i >= 0; i--) word = (word << 8) | (this.priority[first + i] ?? 0);
        return word >>> 0;
      }
      case ScbOffset.SHCSR:
        return this.shcsr;
      case ScbOffset.CFSR:
        return this.v6 ? 0 : this.cfsr;
      case ScbOffset.HFSR:
        return this.v6 ? 0 : this.hfsr;
      case ScbOffset.MMFAR:
        return this.v6 ? 0 : this.mmfar;
      case ScbOffset.BFAR:
        return this.v6 ? 0 : this.bfar;
      default:
        return undefined;
    }
  }

  /** Word write; false when the offset is not one of these registers. */
  write(offset: number, value: number): boolean {
    value >>>= 0;
    switch (offset) {
      case ScbOffset.VTOR:
        // Cortex-M0 has no VTOR; on v7-M TBLOFF is bits [29:7] (B3.2.5).
        if (!this.v6) this.vtor = (value & 0x3fffff80) >>> 0;
        return true;
      case ScbOffset.CCR:
        // NONBASETHRDENA, USERSETMPEND, UNALIGN_TRP, DIV_0_TRP, BFHFNMIGN, STKALIGN.
        if (!this.v6) this.ccr = value & 0x31b;
        return true;
      case ScbOffset.SHPR1:
      case ScbOffset.SHPR2:
      case ScbOffset.SHPR3: {
        if (this.v6 && offset === ScbOffset.SHPR1) return true;
        const first = 4 + (offset - ScbOffset.SHPR1);
        const mask = (0xff << (8 - this.priorityBits)) & 0xff;
        for (let i = 0; i < 4; i++) this.priority[first + i] = (value >>> (8 * i)) & mask;
        return true;
      }
      case ScbOffset.SHCSR:
        if (!this.v6) this.shcsr = value & 0x0007fd8b;
        return true;
      case ScbOffset.CFSR:
        if (!this.v6) this.cfsr = (this.cfsr & ~value) >>> 0;
        return true;
      case ScbOffset.HFSR:
        if (!this.v6) this.hfsr = (this.hfsr & ~value) >>> 0;
        return true;
      case ScbOffset.MMFAR:
        if (!this.v6) this.mmfar = value;
        return true;
      case ScbOffset.BFAR:
        if (!this.v6) this.bfar = value;
        return true;
      default:
        return false;
    }
  }
}
