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
 * Whether a part with `flashKiB` of flash runs dual-bank. `registers` holds the option
 * registers that select the mode (OPTR on the L4 family, OPTCR on F4/F7); without them the
 * answer covers only the sizes that are always dual-bank. Mode bits: OPTCR.DB1M (F42x) and
 * OPTCR.nDBANK (F76x) in CMSIS-F4/F7 and OpenOCD src/flash/nor/stm32f2x.c; OPTR DUALBANK,
 * DBANK or DB1M in CMSIS-L4 stm32l476xx.h, stm32l4r5xx.h, CMSIS-G0 stm32g0b1xx.h, CMSIS-G4
 * stm32g474xx.h.
 */
export function isDualBank(
  device: Stm32DeviceData,
  flashKiB: number,
  registers: Readonly<Partial<Record<'OPTR' | 'OPTCR', number>>> = {},
): boolean {
  const spec = device.dualBank;
  if (!spec) return device.layout.kind === 'sectors' && flashKiB > sum(device.layout.sectorsKiB);
  if (spec.alwaysAboveKiB !== undefined && flashKiB > spec.alwaysAboveKiB) return true;
  if (spec.alwaysAtKiB?.includes(flashKiB)) return true;
  for (const mode of spec.modeBits ?? []) {
    if (mode.forKiB !== undefined && !mode.forKiB.includes(flashKiB)) continue;
    const value = registers[mode.register];
    if (value === undefined) continue;
    const set = ((value >>> mode.bit) & 1) === 1;
    return mode.activeLow === true ? !set : set;
  }
  return false;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/**
 * The flash banks of a device with `flashKiB` of flash, as the simulator lays out its
 * arrays: sector-based parts split into banks, page-based parts stay one run of pages
 * (see `bankLayout` for every bank as the controller addresses it). F2/F4/F7 sector patterns
 * repeat per bank (OpenOCD src/flash/nor/stm32f2x.c, header comment and sector_size_in_kb);
 * L1 Cat.6 leaves 64 KiB between its banks (CMSIS-L1 stm32l151xdx.h).
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

/**
 * Every flash bank of a device with `flashKiB` of flash, as the controller addresses them:
 * bank 2 where `dualBank` (DualBankSpec) says it starts, with its own sectors. F2/F4/F7
 * sector patterns repeat per bank (OpenOCD src/flash/nor/stm32f2x.c). Where bank 2 starts:
 * L1 at FLASH_BANK2_BASE of CMSIS-L1 (Cat.6 leaves 64 KiB between its banks,
 * stm32l151xdx.h); F1 XL after a 512 KiB bank 1, at 0x08080000 (OpenOCD
 * src/flash/nor/stm32f1x.c, stlink); H7 always at 0x08100000 (OpenOCD stm32h7x.c).
 * `options.dualBank` gives the mode read from the option bytes; without it the sizes that
 * are always dual-bank decide. Unlike `flashBanks`, page-based parts in dual-bank mode come
 * back as two banks.
 */
export function bankLayout(
  device: Stm32DeviceData,
  flashKiB: number,
  options: LayoutOptions = {},
): FlashBankLayout[] {
  const base = device.flashBase;
  const layout = device.layout;
  // STM32L1 Cat.6 (0x437 with 384 KiB): bank 2 starts at 0x08040000, not right after
  // bank 1 (CMSIS stm32l151xdx.h FLASH_BANK2_BASE). The controller selects banks by address.
  if (layout.kind === 'pages' && device.devId === 0x437 && flashKiB === 384) {
    return [
      { start: base, sectorBytes: uniform(192, layout.pageBytes) },
      { start: base + 256 * KiB, sectorBytes: uniform(192, layout.pageBytes) },
    ];
  }
  const dual = isDualBank(device, flashKiB) || options.dualBank === true;
  const bank1KiB = dual ? (device.dualBank?.bank1KiB ?? flashKiB / 2) : flashKiB;
  const bank2KiB = flashKiB - bank1KiB;
  const units = (kib: number): number[] => {
    switch (layout.kind) {
      case 'pages':
        return uniform(kib, layout.pageBytes);
      case 'pages-by-bank-mode':
        return uniform(kib, dual ? layout.dualBankPageBytes : layout.singleBankPageBytes);
      case 'sectors':
        return clip(layout.sectorsKiB, kib);
      case 'sectors-by-bank-mode':
        return clip(dual ? layout.dualBankSectorsKiB : layout.singleBankSectorsKiB, kib);
    }
  };
  if (!dual) return [{ start: base, sectorBytes: units(flashKiB) }];
  const bank2Start = device.dualBank?.bank2Start ?? 'half';
  return [
    { start: base, sectorBytes: units(bank1KiB) },
    {
      start: bank2Start === 'half' ? base + bank1KiB * KiB : bank2Start,
      sectorBytes: units(bank2KiB),
    },
  ];
}

/** Decodes the raw flash-size register value into KiB, or undefined if it is implausible. */
export function decodeFlashSizeKiB(device: Stm32DeviceData, raw: number): number | undefined {
  const decode = device.flashSizeDecode;
  if (decode.kind === 'last-word') return (((raw & decode.mask) + 1) * 4) / 1024;
  const half = raw & 0xffff;
  // An unprogrammed register reads 0xFFFF on every family; H7 documents it as "assume the
  // maximum" (CMSIS-H7 stm32h743xx.h FLASH_SIZE), so no mask may turn it into a size.
  if (half === 0xffff) return undefined;
  let kib: number;
  switch (decode.kind) {
    case 'kib':
      kib = half;
      break;
    case 'masked':
      kib = half & decode.mask;
      break;
    case 'l1-code':
      return half === 0 ? 384 : half === 1 ? 256 : half;
    default:
      return undefined;
  }
  if (kib === 0 && decode.zeroMeansKiB !== undefined) return decode.zeroMeansKiB;
  if (kib === 0) return undefined;
  return kib;
}
