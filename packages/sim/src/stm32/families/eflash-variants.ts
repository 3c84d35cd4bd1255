import type { Stm32DeviceData } from '@flashwright/stm32-devices';

// The two flash interfaces with 128-bit flash words, 8 KiB sectors and a write buffer that
// descend from the STM32H7 one: STM32H5 (RM0481 for H56x/H57x/H523/H533, RM0492 for H503),
// seen through its non-secure registers with TrustZone disabled, and STM32H7R/S (RM0477).
// Register offsets and bits: H5 as the FLASH_TypeDef and bit definitions of Arm's
// flash algorithm in Open-CMSIS-Pack/STM32H5xx_DFP (CMSIS/Flash/STM32H5xx/FlashPrg.c, after
// CMSIS-H5 stm32h563xx.h); H7R/S as NuttX arch/arm/src/stm32h7/hardware/stm32h7rsxx_flash.h
// defines them (a register file generated from ST's STM32H7S SVD agrees; the RM0477 quotes
// in eflash.ts are that SVD's register descriptions).

/** Register offsets from the controller base. */
export interface EflashRegisters {
  readonly KEYR: number;
  readonly OPTKEYR: number;
  readonly OPTCR: number;
  readonly CR: number;
  /** Busy, write buffer and (H5) error flags. */
  readonly SR: number;
  /** Where the error and EOP flags read: NSSR on H5, ISR on H7R/S. */
  readonly FLAGS: number;
  /** Writing 1 clears a flag: NSCCR on H5, ICR on H7R/S. */
  readonly CLEAR: number;
  /** Product state as loaded: OPTSR_CUR on H5 (PRODUCT_STATE [15:8]), NVSR on H7R/S. */
  readonly STATE: number;
  readonly STATE_PRG: number;
  /** Write protection as loaded, one register per bank (WRPxR_CUR, WRPSR): 0 bits protect. */
  readonly WRP: readonly number[];
}

export interface EflashVariant {
  readonly kind: 'h5' | 'h7rs';
  readonly registers: EflashRegisters;
  /** CR: START/STRT bit, the sector-number field, bank select and mass-erase bits. */
  readonly cr: {
    readonly start: number;
    readonly snbShift: number;
    readonly snbMask: number;
    /** H5 NSCR.BKSEL: the bank of a sector or bank erase. */
    readonly bksel: number | undefined;
    /** H5 NSCR.MER (both banks); H7R/S has BER with ALL_BANKS instead. */
    readonly mer: number | undefined;
  };
  /** Flag bits in FLAGS/CLEAR. */
  readonly flags: {
    readonly EOP: number;
    readonly WRPERR: number;
    readonly PGSERR: number;
    readonly STRBERR: number;
    readonly INCERR: number;
    /** H5 OPTCHANGEERR (NSSR bit 23); H7R/S OPTERRF sits in OPTISR instead. */
    readonly OPTCHANGEERR: number;
    /** H7R/S ISR.DBECCERRF; on H5 a double ECC error shows in ECCDETR.ECCD. */
    readonly DBECCERR: number;
  };
  /** The state value of an open part, a closed one, and a permanently locked one. */
  readonly states: { readonly open: number; readonly closed: number; readonly locked?: number };
  /** Sectors one WRP bit covers in a bank of `sectorsPerBank`. */
  wrpSectorsPerBit(sectorsPerBank: number): number;
}

const h5Registers: EflashRegisters = {
  KEYR: 0x04, // NSKEYR
  OPTKEYR: 0x0c,
  OPTCR: 0x1c,
  SR: 0x20, // NSSR
  FLAGS: 0x20,
  CR: 0x28, // NSCR
  CLEAR: 0x30, // NSCCR
  STATE: 0x50, // OPTSR_CUR
  STATE_PRG: 0x54, // OPTSR_PRG
  WRP: [0xe8, 0x1e8], // WRP1R_CUR, WRP2R_CUR
};

export const h5Variant: EflashVariant = {
  kind: 'h5',
  registers: h5Registers,
  // NSCR: LOCK 0, PG 1, SER 2, BER 3, FW 4, STRT 5, SNB [12:6], MER 15, BKSEL 31.
  cr: { start: 1 << 5, snbShift: 6, snbMask: 0x7f, bksel: 1 << 31, mer: 1 << 15 },
  // NSSR: EOP 16, WRPERR 17, PGSERR 18, STRBERR 19, INCERR 20, OBKERR 21, OBKWERR 22,
  // OPTCHANGEERR 23.
  flags: {
    EOP: 1 << 16,
    WRPERR: 1 << 17,
    PGSERR: 1 << 18,
    STRBERR: 1 << 19,
    INCERR: 1 << 20,
    OPTCHANGEERR: 1 << 23,
    DBECCERR: 0,
  },
  // PRODUCT_STATE codes (HAL-H5 stm32h5xx_hal_flash_ex.h OB_PROD_STATE_*): OPEN 0xED,
  // CLOSED 0x72, LOCKED 0x5C.
  states: { open: 0xed, closed: 0x72, locked: 0x5c },
  // WRPSG: 32 bits per bank, one per group of sectors (4 sectors on 128-sector banks).
  wrpSectorsPerBit: (sectors) => Math.max(1, Math.ceil(sectors / 32)),
};

export const h7rsVariant: EflashVariant = {
  kind: 'h7rs',
  registers: {
    KEYR: 0x04,
    OPTKEYR: 0x100,
    OPTCR: 0x104,
    CR: 0x10,
    SR: 0x14,
    FLAGS: 0x24, // ISR
    CLEAR: 0x28, // ICR
    STATE: 0x200, // NVSR
    STATE_PRG: 0x204, // NVSRP
    WRP: [0x218], // WRPSR
  },
  // CR: LOCK 0, PG 1, SER 2, BER 3, FW 4, START 5, SSN [8:6], ALL_BANKS 24.
  cr: { start: 1 << 5, snbShift: 6, snbMask: 0x7, bksel: undefined, mer: undefined },
  // ISR: EOPF 16, WRPERRF 17, PGSERRF 18, STRBERRF 19, OBLERRF 20, INCERRF 21, DBECCERRF 26.
  flags: {
    EOP: 1 << 16,
    WRPERR: 1 << 17,
    PGSERR: 1 << 18,
    STRBERR: 1 << 19,
    INCERR: 1 << 21,
    OPTCHANGEERR: 0,
    DBECCERR: 1 << 26,
  },
  // NVSTATE: 0xB4 OPEN, 0x51 CLOSED ("others: invalid configuration"); no permanent state.
  states: { open: 0xb4, closed: 0x51 },
  // WRPS: one bit per sector (8 sectors).
  wrpSectorsPerBit: () => 1,
};

/** The variant of a device, or undefined where the device has another controller. */
export function eflashVariant(device: Stm32DeviceData): EflashVariant | undefined {
  if (device.controller.kind === 'h5') return h5Variant;
  if (device.devId === 0x485) return h7rsVariant;
  return undefined;
}
