/**
 * Shape of one entry of the STM32 device database (data/*.yaml; scripts/device-schema.js checks
 * the data files against a strict copy of this type).
 */

export type CoreKind =
  'cortex-m0' | 'cortex-m0+' | 'cortex-m3' | 'cortex-m4' | 'cortex-m7' | 'cortex-m33';

/**
 * Flash controller family: one host algorithm and one simulator model per kind.
 * f0-f1-f3: FPEC (half-word program, pages). f2-f4-f7: sectors, PSIZE. l0-l1: PECR,
 * word/half-page program, erased value 0. l4: double-word program (also G0, G4, C0, U0).
 * wb-wl: the l4 controller at another base. l5-u5, h5: TrustZone register map. h7: flash words.
 * bluenrg-lp: STM32WB0x and STM32WL3x, the BlueNRG-LP controller (COMMAND/ADDRESS/DATA0-3,
 * no keys; RM0530, RM0505, RM0511).
 */
export type ControllerKind =
  'f0-f1-f3' | 'f2-f4-f7' | 'l0-l1' | 'l4' | 'wb-wl' | 'l5-u5' | 'h5' | 'h7' | 'bluenrg-lp';

/**
 * How to turn the raw flash-size register value into KiB (RM0038 "Flash size register" for L1;
 * the masks of the CMSIS headers' FLASH_SIZE macros elsewhere: stm32g0b1xx.h, stm32wb55xx.h,
 * stm32h743xx.h).
 */
export type FlashSizeDecode = (
  | { readonly kind: 'kib' }
  /** Only these bits are valid (0x429: low byte only, so raw 0x6B80 is 128 KiB). */
  | { readonly kind: 'masked'; readonly mask: number }
  /** STM32L1 0x436: the field is a code, 0 -> 384 KiB, 1 -> 256 KiB. */
  | { readonly kind: 'l1-code' }
  /**
   * STM32WB0x/WL3x FLASH_CTRL SIZE: the last valid word offset in `mask` (0xFFFF is 256 KiB),
   * read as a whole word (the pack's FlashPrg.c FLASH_SIZE_MASK 0x1FFFF).
   */
  | { readonly kind: 'last-word'; readonly mask: number }
) & {
  /** Early silicon reads 0; ST's tools then assume this size. */
  readonly zeroMeansKiB?: number;
};

export type FlashLayout =
  | { readonly kind: 'pages'; readonly pageBytes: number }
  /** Sector sizes of one bank, in order; clipped to the flash size, repeated per bank. */
  | { readonly kind: 'sectors'; readonly sectorsKiB: readonly number[] }
  | {
      readonly kind: 'sectors-by-bank-mode';
      readonly singleBankSectorsKiB: readonly number[];
      readonly dualBankSectorsKiB: readonly number[];
      readonly modeBit: string;
    }
  | {
      readonly kind: 'pages-by-bank-mode';
      readonly singleBankPageBytes: number;
      readonly dualBankPageBytes: number;
      readonly modeBit: string;
    };

/**
 * How the flash controller addresses the second bank (OpenOCD src/flash/nor/stm32f2x.c for F4/F7;
 * CMSIS FLASH_TypeDef and CR bit definitions: stm32f103xg.h, stm32l476xx.h, stm32g0b1xx.h,
 * stm32h743xx.h).
 */
export type BankSelect =
  /** A second register block at `offset` from the controller base (F1 XL +0x40, H7 +0x100). */
  | { readonly kind: 'register-block'; readonly offset: number }
  /** F4/F7: bank-2 sector i is encoded in CR.SNB as (i - sectorsPerBank) | flag. */
  | { readonly kind: 'snb-flag'; readonly flag: number }
  /** L4 family: CR.BKER at `bit` selects bank 2; the page number counts within the bank. */
  | { readonly kind: 'bker'; readonly bit: number }
  /**
   * L0/L1: one register block for both banks; the address picks the bank (RM0038 and RM0367
   * "Flash memory organization": bank 2 programs and erases while bank 1 is read).
   */
  | { readonly kind: 'address' };

/** An option bit that puts the part in dual-bank mode. */
export interface DualBankModeBit {
  readonly register: 'OPTR' | 'OPTCR';
  readonly bit: number;
  readonly name: string;
  /** The bit selects dual bank when 0 (F76x nDBANK). */
  readonly activeLow?: boolean;
  /** Flash sizes (KiB) this bit applies to; all sizes when absent. */
  readonly forKiB?: readonly number[];
}

export interface DualBankSpec {
  readonly select: BankSelect;
  /** Where bank 2 starts: after half the flash, or at a fixed address. */
  readonly bank2Start: 'half' | number;
  /** Bank 1 has this fixed size (F1 XL: 512 KiB); otherwise each bank is half the flash. */
  readonly bank1KiB?: number;
  /** The part is always dual-bank above this flash size (KiB). */
  readonly alwaysAboveKiB?: number;
  /** The part is always dual-bank at these flash sizes (KiB). */
  readonly alwaysAtKiB?: readonly number[];
  /** Option bits that select dual-bank mode at other sizes. */
  readonly modeBits?: readonly DualBankModeBit[];
  /** CR bit that mass-erases bank 2 (MER2 / MER1 at bit 15), where the controller has one. */
  readonly massEraseBank2Bit?: number;
}

/**
 * Which option-byte field table applies (option-layouts.ts). 'none' where the field layout
 * was not collected (the part is identified, but option bytes are not offered).
 */
export type OptionLayoutId =
  | 'f0'
  | 'f1'
  | 'f1-xl'
  | 'f3'
  | 'f2-f4'
  | 'f4-dual'
  | 'f413'
  | 'f7'
  | 'f76x'
  | 'l0'
  | 'l1'
  | 'l4'
  | 'l4+'
  | 'g0'
  | 'g4'
  | 'wb'
  | 'wl'
  | 'l4-common'
  | 'l5-u5'
  | 'h7'
  | 'none';

export interface Stm32DeviceData {
  /**
   * DBGMCU_IDCODE DEV_ID (bits 11:0); on the BlueNRG-LP parts (controller kind bluenrg-lp),
   * which have no DBGMCU, the part number of SYSCFG JTAG_ID (bits 27:12, e.g. 0x201E).
   */
  readonly devId: number;
  readonly name: string;
  /** Product line, e.g. "STM32L1". */
  readonly line: string;
  readonly core: CoreKind;
  readonly idcodeAddress: number;
  readonly flashBase: number;
  readonly flashSizeRegister: number;
  readonly flashSizeDecode: FlashSizeDecode;
  readonly maxFlashKiB: number;
  /**
   * The RAM that runs on from 0x20000000, on the largest part of the id (CMSIS-pack memories,
   * data/catalogue.csv); memories elsewhere (CCM, DTCM, SRAM2 at 0x10000000) are not in it.
   */
  readonly ramBytes?: number;
  readonly controller: {
    readonly kind: ControllerKind;
    readonly base: number;
    /** H7 dual-bank parts: the second register block. */
    readonly bank2Base?: number;
  };
  readonly layout: FlashLayout;
  /** Smallest program unit in bytes; 'psize' when CR.PSIZE selects it (F2/F4/F7). */
  readonly writeUnitBytes: number | 'psize';
  /** L0/L1 half-page size, programmable in one operation. */
  readonly halfPageBytes?: number;
  readonly erasedValue: number;
  readonly rdp: { readonly level0?: number; readonly level2?: number; readonly level0_5?: number };
  readonly dataEepromBase?: number;
  /**
   * Data EEPROM size on the largest part of the id (CMSIS DATA_EEPROM_BASE/END per header;
   * the CMSIS packs' EEPROM flash algorithms per part: smaller parts, such as STM32L010, have
   * less).
   */
  readonly dataEepromBytes?: number;
  /** Option-byte field layout. */
  readonly optionLayout: OptionLayoutId;
  /** Dual-bank organisation, for parts that can have a second bank. */
  readonly dualBank?: DualBankSpec;
  /** 96-bit unique device ID. */
  readonly uidAddress?: number;
  /**
   * System memory, the ROM holding ST's bootloader (and, on F0/F1/F3 and H7, the factory
   * bytes such as the UID at its end): stlink's chip files (bootrom_base, bootrom_size).
   * F7 parts give the ITCM address, where the core boots it from. Absent where no source
   * gave it.
   */
  readonly systemMemory?: { readonly base: number; readonly bytes: number };
  readonly optionBytesNote?: string;
  readonly dualBankNote?: string;
  readonly notes?: readonly string[];
  readonly sources: readonly string[];
}
