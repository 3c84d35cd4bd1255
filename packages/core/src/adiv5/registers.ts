/**
 * ADIv5 register addresses and fields (ARM IHI 0031, ARM Debug Interface Architecture
 * Specification ADIv5.0 to ADIv5.2: the DP register descriptions, the MEM-AP register
 * descriptions and the AP Identification Register), with the names OpenOCD's
 * src/target/arm_adi_v5.h and pyOCD's pyocd/coresight/dap.py and ap.py use.
 */

/** SW-DP registers as byte addresses A[3:2]; a banked one adds DPBANKSEL << 4. */
export const DpRegister = {
  /** Read: DPIDR. */
  DPIDR: 0x0,
  /** Write: ABORT. */
  ABORT: 0x0,
  /** CTRL/STAT in bank 0. */
  CTRL_STAT: 0x4,
  /** DLCR: bank 1 of 0x4 (DPv1+). */
  DLCR: 0x14,
  /** TARGETID: bank 2 of 0x4 (DPv2). */
  TARGETID: 0x24,
  /** DLPIDR: bank 3 of 0x4 (DPv2). */
  DLPIDR: 0x34,
  /** Write: SELECT. */
  SELECT: 0x8,
  /** Read: RESEND. */
  RESEND: 0x8,
  /** Read: RDBUFF. */
  RDBUFF: 0xc,
} as const;

/** CTRL/STAT bits (ADIv5.2, CTRL/STAT register description). */
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
  CSYSPWRUPACK: (1 << 31) >>> 0,
} as const;

/** ABORT bits (ADIv5.2, ABORT register description); bits 1-4 exist on SW-DP only. */
export const Abort = {
  DAPABORT: 1 << 0,
  STKCMPCLR: 1 << 1,
  STKERRCLR: 1 << 2,
  WDERRCLR: 1 << 3,
  ORUNERRCLR: 1 << 4,
} as const;

/** ABORT value that clears every sticky flag of an SW-DP (pyOCD dap.py clear_sticky_err). */
export const ABORT_CLEAR_STICKY =
  Abort.STKCMPCLR | Abort.STKERRCLR | Abort.WDERRCLR | Abort.ORUNERRCLR;

/** SELECT (ADIv5.2, SELECT register): APSEL [31:24], APBANKSEL [7:4], DPBANKSEL [3:0]. */
export function selectValue(apsel: number, apBankSel: number, dpBankSel: number): number {
  return ((apsel << 24) | ((apBankSel & 0xf) << 4) | (dpBankSel & 0xf)) >>> 0;
}

/** MEM-AP registers (ADIv5.2, MEM-AP register descriptions): APBANKSEL << 4 | A[3:2]. */
export const MemApRegister = {
  CSW: 0x00,
  TAR: 0x04,
  DRW: 0x0c,
  BD0: 0x10,
  CFG: 0xf4,
  BASE: 0xf8,
  IDR: 0xfc,
} as const;

/** CSW fields (ADIv5.2, CSW register description). */
export const Csw = {
  SIZE_MASK: 0x7,
  SIZE_8: 0,
  SIZE_16: 1,
  SIZE_32: 2,
  ADDRINC_MASK: 0x3 << 4,
  ADDRINC_OFF: 0 << 4,
  ADDRINC_SINGLE: 1 << 4,
  ADDRINC_PACKED: 2 << 4,
  DEVICE_EN: 1 << 6,
  TR_IN_PROG: 1 << 7,
  MODE_MASK: 0xf << 8,
  DBG_SW_ENABLE: (1 << 31) >>> 0,
} as const;

/**
 * TAR auto-increment is only guaranteed inside a 1 KB block: the low 10 bits of TAR
 * (ADIv5.2, MEM-AP "Automatic address increment"); past it the address may wrap.
 */
export const TAR_INCREMENT_BLOCK_BYTES = 1024;
