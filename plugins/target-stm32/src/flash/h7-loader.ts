import type { RamLoader } from './ram-loader.js';

/**
 * flashwright's STM32H7 RAM loader (loaders/h7/loader.S, built by its Makefile into
 * loader.bin; test/loaders-rebuild.test.ts rebuilds it and compares): double-buffered flash-word
 * programming (RM0433 4.3.9), position independent, ARMv7E-M code. The halfwords below are
 * loader.bin, little-endian.
 */
const HALFWORDS = [
  0xf8d5, 0x800c, 0xb1dc, 0xe9d5, 0x7600, 0x42b7, 0xd0fb, 0xeb03, 0x0908, 0xf856, 0x7b04, 0xf843,
  0x7b04, 0x454b, 0xd1f9, 0xf3bf, 0x8f4f, 0x6907, 0xf017, 0x0f05, 0xd1fb, 0xf417, 0x0fdc, 0xd105,
  0x4296, 0xbf08, 0x460e, 0x606e, 0x3c01, 0xe7e3, 0x60af, 0xbe00,
];

/** The loader's code, to be placed anywhere in SRAM (halfword aligned). */
export const H7_LOADER: Uint8Array = Uint8Array.from(
  HALFWORDS.flatMap((halfword) => [halfword & 0xff, halfword >>> 8]),
);

/**
 * A flash word programs in about 100 µs (DS12110, x64); far more is a hang. The margin
 * covers the host's first fill of the ring over a slow link, which the clock also counts.
 */
const FLASH_WORD_TIMEOUT_MS = 500;

/**
 * The H7 loader for one bank: `bankBase` is that bank's register block (FLASH_CR and
 * FLASH_SR at +0x0C and +0x10), PG set by the host.
 */
export function h7Loader(bankBase: number, flashWordBytes: number): RamLoader {
  return {
    family: 'H7',
    code: H7_LOADER,
    unitBytes: flashWordBytes,
    unitName: 'flash word',
    controllerBase: bankBase,
    unitTimeoutMs: FLASH_WORD_TIMEOUT_MS,
  };
}
