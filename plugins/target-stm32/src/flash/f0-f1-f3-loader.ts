import type { RamLoader } from './ram-loader.js';

/**
 * flashwright's STM32F0/F1/F3 RAM loader (loaders/f0-f1-f3/loader.S, built by its Makefile
 * into loader.bin; test/loaders-rebuild.test.ts rebuilds it and compares): double-buffered
 * half-word programming, position independent, ARMv6-M code. The halfwords below are
 * loader.bin, little-endian.
 */
const HALFWORDS = [
  0x300c, 0x1924, 0x18e4, 0x46a3, 0x468a, 0x4691, 0x2114, 0x2701, 0x686e, 0x455b, 0xd018, 0x682a,
  0x42b2, 0xd012, 0xd800, 0x464a, 0x4694, 0x8834, 0x6802, 0x423a, 0xd1fc, 0x801c, 0x420a, 0xd10e,
  0x606e, 0x3302, 0x3602, 0x4566, 0xd1f3, 0x454e, 0xd1e9, 0x4656, 0xe7e7, 0xf000, 0xf806, 0xe7e6,
  0xf000, 0xf803, 0xe000, 0x60aa, 0xbe00, 0x6802, 0x420a, 0xd1fa, 0x423a, 0xd1fa, 0x606e, 0x4770,
];

/** The loader's code, to be placed anywhere in SRAM (halfword aligned). */
export const F0_F1_F3_LOADER: Uint8Array = Uint8Array.from(
  HALFWORDS.flatMap((halfword) => [halfword & 0xff, halfword >>> 8]),
);

/** A half-word programs in 40-70 µs (tprog, STM32F103x8/B datasheet DS5319); far more is a hang. */
const UNIT_TIMEOUT_MS = 500;

/** The F0/F1/F3 loader for the bank whose registers start at `registerBlock` (CR = PG set). */
export function f0F1F3Loader(registerBlock: number): RamLoader {
  return {
    family: 'F0/F1/F3',
    code: F0_F1_F3_LOADER,
    unitBytes: 2,
    unitName: 'half-word',
    controllerBase: registerBlock,
    unitTimeoutMs: UNIT_TIMEOUT_MS,
  };
}
