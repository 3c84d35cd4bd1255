import type { RdpLevel } from '../controller.js';

/**
 * F0/F1/F3 option bytes (OpenOCD src/flash/nor/stm32f1x.c STM32_OB_*, CMSIS-F0/F1/F3
 * OB_TypeDef, PM0075): eight half-words at 0x1FFFF800, each the byte in [7:0] and its
 * complement in [15:8]: RDP, USER, DATA0, DATA1, WRP0..WRP3. Erased, a half-word reads 0xFFFF.
 */
export const FPEC_OPTION_BASE = 0x1ffff800;
export const FPEC_OPTION_BYTES = 16;

export type FpecVariant = 'f1' | 'f0-f3';

/** The option bytes as the FPEC loaded them at the last reset. */
export interface FpecLoadedOptions {
  readonly rdpLevel: RdpLevel;
  /** Some byte did not match its complement (FLASH_OBR.OPTERR). */
  readonly optErr: boolean;
  /** Bytes in option-block order (RDP, USER, DATA0, DATA1, WRP0..3) as loaded. */
  readonly bytes: readonly number[];
}

/** Level-0 RDP byte: 0xA5 on F1 (PM0075), 0xAA on F0/F3 (RM0091/RM0316); F0/F3 level 2 0xCC. */
export function rdpCode(variant: FpecVariant, level: RdpLevel): number {
  if (level === 0) return variant === 'f1' ? 0xa5 : 0xaa;
  if (level === 2) {
    if (variant === 'f1') throw new RangeError('STM32F1 has no RDP level 2');
    return 0xcc;
  }
  return 0x00;
}

/** A factory-fresh option block at the given protection level: everything else erased-default. */
export function defaultOptionBlock(variant: FpecVariant, level: RdpLevel): Uint8Array {
  const block = new Uint8Array(FPEC_OPTION_BYTES);
  const values = [rdpCode(variant, level), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
  values.forEach((value, i) => {
    block[2 * i] = value;
    block[2 * i + 1] = ~value & 0xff;
  });
  return block;
}

/**
 * Option loading. RM0008 FLASH_OBR.OPTERR: when a byte and its complement do not match,
 * both read as 0xFF, which as an RDP byte means protected (level 1; RM0365, RM0440: "or even
 * if the complement is not correct"). An erased pair (0xFFFF, what OPTER leaves and what
 * ST's HAL leaves in every byte it does not reprogram) loads as 0xFF without OPTERR: our
 * reading, since tools routinely leave bytes erased and no source reports OPTERR for it.
 */
export function loadOptions(variant: FpecVariant, block: Uint8Array): FpecLoadedOptions {
  let optErr = false;
  const bytes: number[] = [];
  for (let i = 0; i < FPEC_OPTION_BYTES / 2; i++) {
    const value = block[2 * i] ?? 0xff;
    const complement = block[2 * i + 1] ?? 0xff;
    if (value === 0xff && complement === 0xff) {
      bytes.push(0xff);
    } else if ((value ^ complement) !== 0xff) {
      optErr = true;
      bytes.push(0xff);
    } else {
      bytes.push(value);
    }
  }
  const rdp = bytes[0] ?? 0xff;
  let rdpLevel: RdpLevel = 1;
  if (rdp === rdpCode(variant, 0)) rdpLevel = 0;
  else if (variant === 'f0-f3' && rdp === 0xcc) rdpLevel = 2;
  return { rdpLevel, optErr, bytes };
}

/**
 * FLASH_OBR. F1: OPTERR 0, RDPRT 1, USER [9:2], DATA0 [17:10], DATA1 [25:18]. F0/F3:
 * OPTERR 0, RDPRT [2:1] (00 level 0, 01 level 1, 11 level 2), USER [15:8], DATA0 [23:16],
 * DATA1 [31:24] (CMSIS-F1 stm32f103xb.h, CMSIS-F0 stm32f091xc.h, CMSIS-F3 stm32f303xc.h).
 */
export function obrValue(variant: FpecVariant, loaded: FpecLoadedOptions): number {
  const [, user = 0xff, data0 = 0xff, data1 = 0xff] = loaded.bytes;
  const optErr = loaded.optErr ? 1 : 0;
  if (variant === 'f1') {
    const rdprt = loaded.rdpLevel === 0 ? 0 : 1;
    return (optErr | (rdprt << 1) | (user << 2) | (data0 << 10) | (data1 << 18)) >>> 0;
  }
  const rdprt = loaded.rdpLevel === 0 ? 0 : loaded.rdpLevel === 1 ? 1 : 3;
  return (optErr | (rdprt << 1) | (user << 8) | (data0 << 16) | (data1 << 24)) >>> 0;
}

/** FLASH_WRPR: WRP0 in [7:0] ... WRP3 in [31:24]; a 0 bit protects its pages. */
export function wrprValue(loaded: FpecLoadedOptions): number {
  const [, , , , w0 = 0xff, w1 = 0xff, w2 = 0xff, w3 = 0xff] = loaded.bytes;
  return (w0 | (w1 << 8) | (w2 << 16) | (w3 << 24)) >>> 0;
}

/**
 * Whether page `page` is write-protected: one WRPR bit covers 4 pages on 1 KiB-page parts
 * and 2 pages on 2 KiB-page parts; bit 31 covers every page from there on (OpenOCD
 * src/flash/nor/stm32f1x.c).
 */
export function pageWriteProtected(wrpr: number, page: number, pageBytes: number): boolean {
  const pagesPerBit = pageBytes === 1024 ? 4 : 2;
  const bit = Math.min(31, Math.floor(page / pagesPerBit));
  return ((wrpr >>> bit) & 1) === 0;
}
