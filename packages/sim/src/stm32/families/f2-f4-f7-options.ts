import type { Stm32DeviceData } from '@flashwright/stm32-devices';
import type { RdpLevel } from '../controller.js';
import type { FlashUnit } from '../flash-array.js';

/**
 * FLASH_OPTCR/OPTCR1 of STM32F2/F4/F7 (RM0090 §3.9.9-3.9.11; bit positions as the CMSIS-F2/F4/F7
 * headers define FLASH_OPTCR_*). The option bytes are kept as the register images they load into.
 */
export const Optcr = {
  OPTLOCK: 1 << 0,
  OPTSTRT: 1 << 1,
} as const;

export interface F2f4f7Variant {
  /** OPTCR as the factory (or an option erase) leaves it; OPTLOCK included. */
  readonly optcrDefault: number;
  readonly optcr1Default: number;
  /** nWRP field of OPTCR: first bit and width. */
  readonly nwrpWidth: number;
  /** OPTCR1 holds bank-2 nWRP (F42x/F43x/F469). */
  readonly optcr1Wrp: boolean;
  /** F76x dual-bank mode: one nWRP bit covers two adjacent sectors (RM0410). */
  readonly wrpPairs: boolean;
  /** SR.RDERR exists (CMSIS; not on F2, F405/7, F74x, F76x). */
  readonly isF7: boolean;
  /** OTP area: base, bytes per block (16 blocks) and lock bytes after them. */
  readonly otp: { readonly base: number; readonly blockBytes: number };
}

/** The per-line facts of the F2/F4/F7 controller family. */
export function f2f4f7Variant(device: Stm32DeviceData): F2f4f7Variant {
  const devId = device.devId;
  const isF7 = device.line === 'STM32F7';
  if (isF7) {
    const f76x = devId === 0x451;
    // F74x/F76x: 1 KiB of OTP at 0x1FF0F000 in 16 blocks of 64 bytes; F72x keeps the F4
    // layout at 0x1FF07800 (CMSIS-F7 FLASH_OTP_BASE; OpenOCD src/flash/nor/stm32f2x.c).
    const otp =
      devId === 0x452 ? { base: 0x1ff07800, blockBytes: 32 } : { base: 0x1ff0f000, blockBytes: 64 };
    return {
      // RM0385/RM0410 reset values: 0xC0FFAAFD (F74x/F72x), 0xFFFFAAFD (F76x).
      optcrDefault: f76x ? 0xffffaafd : 0xc0ffaafd,
      // BOOT_ADD0 0x0080 (ITCM flash), BOOT_ADD1 0x0040 (system memory).
      optcr1Default: 0x00400080,
      nwrpWidth: f76x ? 12 : 8,
      optcr1Wrp: false,
      wrpPairs: f76x,
      isF7,
      otp,
    };
  }
  const f42x = devId === 0x419 || devId === 0x434;
  const f413 = devId === 0x463;
  return {
    // RM0090: OPTCR reset value 0x0FFFAAED; OPTCR1 0x0FFF0000. F413: 15 nWRP bits.
    optcrDefault: f413 ? 0x7fffaaed : 0x0fffaaed,
    optcr1Default: f42x ? 0x0fff0000 : 0,
    nwrpWidth: f413 ? 15 : 12,
    optcr1Wrp: f42x,
    wrpPairs: false,
    isF7,
    otp: { base: 0x1fff7800, blockBytes: 32 },
  };
}

export function rdpLevelOf(optcr: number): RdpLevel {
  const rdp = (optcr >>> 8) & 0xff;
  return rdp === 0xaa ? 0 : rdp === 0xcc ? 2 : 1;
}

export function withRdp(optcr: number, level: RdpLevel): number {
  const code = level === 0 ? 0xaa : level === 2 ? 0xcc : 0x55;
  return ((optcr & ~0xff00) | (code << 8)) >>> 0;
}

/** Whether the nWRP bit guarding `unit` is 0 (RM0090 §3.7.4). */
export function sectorWriteProtected(
  variant: F2f4f7Variant,
  unit: FlashUnit,
  dual: boolean,
  optcr: number,
  optcr1: number,
): boolean {
  let register = optcr;
  let bit = unit.indexInBank;
  if (variant.optcr1Wrp && unit.bank === 1) {
    register = optcr1;
  } else if (variant.wrpPairs && dual) {
    // F76x dual bank: 24 sectors (bank 2 numbered 12-23) on 12 bits, two per bit.
    bit = Math.floor((12 * unit.bank + unit.indexInBank) / 2);
  }
  // F413/F423: sectors 14 and 15 share the last bit.
  bit = Math.min(bit, variant.nwrpWidth - 1);
  return ((register >>> (16 + bit)) & 1) === 0;
}

/** One option-byte area: its address and its 16-bit option values (undefined: reserved). */
export interface F2f4f7OptionArea {
  readonly base: number;
  readonly values: (optcr: number, optcr1: number) => readonly (number | undefined)[];
}

/**
 * Where the option bytes sit as memory, one 64-bit entry per 16-bit value (RM0090 §3.8
 * "Option byte organization": 0x1FFFC000 RDP and user bytes, 0x1FFFC008 nWRP; F42x/F43x
 * bank 2 at 0x1FFEC000, its nWRP at 0x1FFEC008; RM0385 for F7: 0x1FFF0000, then nWRP,
 * BOOT_ADD0 and BOOT_ADD1 at +8, +0x10, +0x18). The values are the programmed option bytes,
 * as OPTCR/OPTCR1 load them at the next reset.
 */
export function f2f4f7OptionAreas(variant: F2f4f7Variant): F2f4f7OptionArea[] {
  if (variant.isF7) {
    return [
      {
        base: 0x1fff0000,
        values: (optcr, optcr1) => [optcr & 0xffff, optcr >>> 16, optcr1 & 0xffff, optcr1 >>> 16],
      },
    ];
  }
  const areas: F2f4f7OptionArea[] = [
    { base: 0x1fffc000, values: (optcr) => [optcr & 0xffff, optcr >>> 16] },
  ];
  if (variant.optcr1Wrp) {
    areas.push({ base: 0x1ffec000, values: (_optcr, optcr1) => [undefined, optcr1 >>> 16] });
  }
  return areas;
}

/**
 * The words of an option area: each value in [15:0] and its complement in [31:16], then a
 * reserved word of 0xFF bytes. RM0090 calls [63:16] reserved without saying what reads
 * there; the complement is our choice, after the F0/F1/F3 and L4 option bytes, which store
 * one next to each value.
 */
export function f2f4f7OptionWords(values: readonly (number | undefined)[]): number[] {
  return values.flatMap((value) =>
    value === undefined
      ? [0xffffffff, 0xffffffff]
      : [((value & 0xffff) | ((~value & 0xffff) << 16)) >>> 0, 0xffffffff],
  );
}
