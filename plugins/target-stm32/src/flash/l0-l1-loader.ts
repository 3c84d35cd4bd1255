import type { RamLoader } from './ram-loader.js';

/**
 * flashwright's STM32L0/L1 RAM loader (loaders/l0-l1/loader.S, built by its Makefile into
 * loader.bin; test/loaders-rebuild.test.ts rebuilds it and compares): double-buffered
 * half-page programming, position independent, ARMv6-M code. The halfwords below are
 * loader.bin, little-endian.
 */
const HALFWORDS = [
  0x2c00, 0xd01a, 0x682f, 0x686e, 0x42b7, 0xd0fb, 0x68ef, 0x18ff, 0x46b8, 0xce80, 0xc380, 0x4543,
  0xd1fb, 0x6987, 0x07ff, 0xd1fc, 0x6987, 0x46b0, 0x4e05, 0x4237, 0xd106, 0x4646, 0x4296, 0xd100,
  0x460e, 0x606e, 0x3c01, 0xe7e3, 0x60af, 0xbe00, 0x2700, 0x0003,
];

/** The loader's code, to be placed anywhere in SRAM (halfword aligned). */
export const L0_L1_LOADER: Uint8Array = Uint8Array.from(
  HALFWORDS.flatMap((halfword) => [halfword & 0xff, halfword >>> 8]),
);

/** A half-page programs in a few ms (RM0038: tprog 3.2 ms typical); far more is a hang. */
const HALF_PAGE_TIMEOUT_MS = 500;

/** The L0/L1 loader for a controller at `controllerBase` (PECR = FPRG | PROG set by the host). */
export function l0L1Loader(controllerBase: number, halfPageBytes: number): RamLoader {
  return {
    family: 'L0/L1',
    code: L0_L1_LOADER,
    unitBytes: halfPageBytes,
    unitName: 'half-page',
    controllerBase,
    unitTimeoutMs: HALF_PAGE_TIMEOUT_MS,
  };
}
