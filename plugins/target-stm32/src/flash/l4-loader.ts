import type { RamLoader } from './ram-loader.js';

/**
 * flashwright's STM32L4-family RAM loader (loaders/l4/loader.S, built by its Makefile into
 * loader.bin; test/loaders-rebuild.test.ts rebuilds it and compares): double-buffered
 * double-word programming, position independent, ARMv6-M code. The halfwords below are
 * loader.bin, little-endian.
 */
const HALFWORDS = [
  0x692f, 0x19c0, 0x00e4, 0x18e4, 0x46a3, 0x468a, 0x4691, 0x69a9, 0x696f, 0x686e, 0x455b, 0xd01a,
  0x682a, 0x42b2, 0xd014, 0xd800, 0x464a, 0x4694, 0x6834, 0x6802, 0x423a, 0xd1fc, 0x601c, 0x6874,
  0x605c, 0x420a, 0xd10e, 0x606e, 0x3308, 0x3608, 0x4566, 0xd1f1, 0x454e, 0xd1e7, 0x4656, 0xe7e5,
  0xf000, 0xf806, 0xe7e4, 0xf000, 0xf803, 0xe000, 0x60aa, 0xbe00, 0x6802, 0x420a, 0xd1fa, 0x423a,
  0xd1fa, 0x606e, 0x4770,
];

/** The loader's code, to be placed anywhere in SRAM (halfword aligned). */
export const L4_LOADER: Uint8Array = Uint8Array.from(
  HALFWORDS.flatMap((halfword) => [halfword & 0xff, halfword >>> 8]),
);

/** A double word programs in about 82 µs (tprog, STM32L476xx datasheet DS10198); far more is a hang. */
const UNIT_TIMEOUT_MS = 500;

/** The controller parameters the loader takes: those l4.ts uses for the part. */
export interface L4LoaderParams {
  readonly controllerBase: number;
  /** FLASH_SR's offset in the controller's register map. */
  readonly statusOffset: number;
  /** FLASH_SR bits that mean an operation is under way (BSY, and CFGBSY/BSY2 where present). */
  readonly busyMask: number;
  /** FLASH_SR error bits. */
  readonly errorMask: number;
}

/** The L4-family loader: double words (CR = PG set by the host). */
export function l4Loader(params: L4LoaderParams): RamLoader {
  return {
    family: 'L4',
    code: L4_LOADER,
    unitBytes: 8,
    unitName: 'double word',
    controllerBase: params.controllerBase,
    params: [params.statusOffset, params.busyMask, params.errorMask],
    unitTimeoutMs: UNIT_TIMEOUT_MS,
  };
}
