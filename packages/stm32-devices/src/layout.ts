import type { Stm32DeviceData } from './types.js';

/** One flash bank: where it starts and its erase units (pages or sectors) in bytes. */
export interface FlashBankLayout {
  readonly start: number;
  readonly sectorBytes: readonly number[];
}

export interface LayoutOptions {
  /** Dual-bank mode where the layout depends on it (OPTR.DBANK, OPTCR.nDBANK, ...). */
  readonly dualBank?: boolean;
}

const KiB = 1024;

/** Takes sector sizes from `pattern` (KiB) until `sizeKiB` is covered; the last is clipped. */
function clip(pattern: readonly number[], sizeKiB: number): number[] {
  const out: number[] = [];
  let left = sizeKiB;
  for (const kib of pattern) {
    if (left <= 0) break;
    out.push(Math.min(kib, left) * KiB);
    left -= kib;
  }
  if (left > 0) throw new RangeError(`sector pattern covers less than ${sizeKiB} KiB`);
  return out;
}

function uniform(sizeKiB: number, unitBytes: number): number[] {
  return Array.from({ length: Math.ceil((sizeKiB * KiB) / unitBytes) }, () => unitBytes);
}

/**
 * The flash banks of a device with `flashKiB` of flash. Facts: targets.md §1.5 (F2/F4/F7
 * sector patterns, per-bank repetition) and §1.6 (L1 Cat.6 leaves 64 KiB between its banks).
 */
export function flashBanks(
  device: Stm32DeviceData,
  flashKiB: number,
  options: LayoutOptions = {},
): FlashBankLayout[] {
  const base = device.flashBase;
  const layout = device.layout;
  switch (layout.kind) {
    case 'pages': {
      // STM32L1 Cat.6 (0x437 with 384 KiB): bank 2 starts at 0x08040000, not right after
      // bank 1 (CMSIS stm32l151xdx.h FLASH_BANK2_BASE).
      if (device.devId === 0x437 && flashKiB === 384) {
        return [
          { start: base, sectorBytes: uniform(192, layout.pageBytes) },
          { start: base + 256 * KiB, sectorBytes: uniform(192, layout.pageBytes) },
        ];
      }
      return [{ start: base, sectorBytes: uniform(flashKiB, layout.pageBytes) }];
    }
    case 'pages-by-bank-mode': {
      const page = options.dualBank ? layout.dualBankPageBytes : layout.singleBankPageBytes;
      return [{ start: base, sectorBytes: uniform(flashKiB, page) }];
    }
    case 'sectors': {
      const bankKiB = layout.sectorsKiB.reduce((a, b) => a + b, 0);
      const dual = options.dualBank === true || flashKiB > bankKiB;
      if (!dual) return [{ start: base, sectorBytes: clip(layout.sectorsKiB, flashKiB) }];
      const half = flashKiB / 2;
      return [
        { start: base, sectorBytes: clip(layout.sectorsKiB, half) },
        { start: base + half * KiB, sectorBytes: clip(layout.sectorsKiB, half) },
      ];
    }
    case 'sectors-by-bank-mode': {
      if (!options.dualBank) {
        return [{ start: base, sectorBytes: clip(layout.singleBankSectorsKiB, flashKiB) }];
      }
      const half = flashKiB / 2;
      return [
        { start: base, sectorBytes: clip(layout.dualBankSectorsKiB, half) },
        { start: base + half * KiB, sectorBytes: clip(layout.dualBankSectorsKiB, half) },
      ];
    }
  }
}

/** Decodes the raw flash-size register value into KiB, or undefined if it is implausible. */
export function decodeFlashSizeKiB(device: Stm32DeviceData, raw: number): number | undefined {
  const decode = device.flashSizeDecode;
  let kib: number;
  switch (decode.kind) {
    case 'kib':
      kib = raw & 0xffff;
      break;
    case 'masked':
      kib = raw & decode.mask;
      break;
    case 'l1-code':
      kib = raw === 0 ? 384 : raw === 1 ? 256 : raw & 0xffff;
      return kib;
  }
  if (kib === 0 && decode.zeroMeansKiB !== undefined) return decode.zeroMeansKiB;
  if (kib === 0 || kib === 0xffff) return undefined;
  return kib;
}
