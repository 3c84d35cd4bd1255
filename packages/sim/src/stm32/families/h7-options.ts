import type { Stm32DeviceData } from '@flashwright/stm32-devices';
import type { RdpLevel } from '../controller.js';

/**
 * Per-part facts of the STM32H7 flash (CMSIS-H7 stm32h743xx.h, stm32h7a3xx.h; OpenOCD
 * src/flash/nor/stm32h7x.c): flash word size, CR field positions, WPSN granularity.
 */
export interface H7Variant {
  /** Flash word: 32 bytes (256 bits) on H74x/H75x/H72x/H73x, 16 bytes on H7A/H7B. */
  readonly flashWordBytes: number;
  readonly cr: {
    readonly fw: number;
    readonly start: number;
    readonly snbShift: number;
    readonly snbMask: number;
    /** PSIZE field position; undefined on H7A/B, which has none. */
    readonly psizeShift: number | undefined;
  };
  /** Sectors covered by one WPSN bit (1, or 4 on H7A/B). */
  readonly sectorsPerWpsnBit: number;
}

export function h7Variant(device: Stm32DeviceData): H7Variant {
  if (device.devId === 0x480) {
    return {
      flashWordBytes: 16,
      cr: { fw: 1 << 4, start: 1 << 5, snbShift: 6, snbMask: 0x7f, psizeShift: undefined },
      sectorsPerWpsnBit: 4,
    };
  }
  return {
    flashWordBytes: 32,
    cr: { fw: 1 << 6, start: 1 << 7, snbShift: 8, snbMask: 0x7, psizeShift: 4 },
    sectorsPerWpsnBit: 1,
  };
}

/** OPTSR_CUR/PRG bits (RM0433 §4.9.8). */
export const Optsr = {
  OPT_BUSY: 1 << 0,
  OPTCHANGEERR: 1 << 30,
} as const;

/**
 * OPTSR of a fresh part at a protection level: BOR off, IWDG1 software, no reset on
 * Stop/Standby entry, IWDG frozen in Stop/Standby, RDP in [15:8]. 0x1606AAF0 is the value
 * commonly printed for new STM32H743 parts (our reading; only the RDP byte matters here).
 */
export function defaultOptsr(level: RdpLevel): number {
  const rdp = level === 0 ? 0xaa : level === 2 ? 0xcc : 0x55;
  return ((0x1606aaf0 & ~0xff00) | (rdp << 8)) >>> 0;
}

export function rdpLevelOfOptsr(optsr: number): RdpLevel {
  const rdp = (optsr >>> 8) & 0xff;
  return rdp === 0xaa ? 0 : rdp === 0xcc ? 2 : 1;
}

/** H7 option bytes as stored: the programmable option registers. */
export interface H7Options {
  optsr: number;
  /** WPSN per bank; a 0 bit protects its sector(s). */
  wpsn: number[];
  /** BOOT_ADD0 [15:0], BOOT_ADD1 [31:16] (address >> 16). */
  boot: number;
}

export function defaultH7Options(level: RdpLevel, banks: number, variant: H7Variant): H7Options {
  const wpsnAll = variant.sectorsPerWpsnBit === 4 ? 0xffffffff : 0xff;
  return {
    optsr: defaultOptsr(level),
    wpsn: Array.from({ length: banks }, () => wpsnAll),
    // BOOT_ADD0 0x0800 (flash at 0x08000000), BOOT_ADD1 0x1FF0 (system memory).
    boot: 0x1ff00800,
  };
}
