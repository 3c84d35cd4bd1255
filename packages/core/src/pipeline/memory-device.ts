import { FlashwrightError } from '../errors/flashwright-error.js';
import {
  mergeRanges,
  rangesOverlap,
  subtractRanges,
  type AddressRange,
} from '../image/address-range.js';
import type { MemoryPort } from '../ports/memory-port.js';
import type { FlashRegion, NativeFlashPort } from '../plugin/types.js';
import { UnidentifiedDevice } from './database-device.js';

/**
 * The byte value an erase is taken to leave where nothing says otherwise: NOR flash reads
 * 0xFF erased on most parts (STM32L0/L1 are the exception, and they are named parts).
 */
const ASSUMED_ERASED_VALUE = 0xff;

/**
 * A chip behind a memory-only probe that no family recognised, with no part named either
 * (QEMU's GDB stub: its ID registers read 0). It is programmed as `gdb load` programs: the
 * probe's own flash driver where the server's memory map says flash, plain memory writes
 * everywhere else, and no flash algorithm. Its flash is what is known of it: the server's
 * flash regions the image touches, and the image's own ranges outside them, each one
 * "sector". Plain writes that real flash ignores are caught by verify, which then says that
 * the part must be named (verify.ts).
 */
export class MemoryOnlyDevice extends UnidentifiedDevice {
  constructor(options: {
    memory: MemoryPort;
    /** The ranges of the image, when the run has one. */
    imageRanges: readonly AddressRange[];
    native?: NativeFlashPort | undefined;
  }) {
    super({
      family: 'unknown',
      name: 'unidentified chip',
      flash: memoryOnlyLayout(options.imageRanges, options.native?.regions ?? []),
      ram: [],
      flashSize: {
        kib: 0,
        source: 'database',
        note: 'unknown: the chip was not identified and no part is named',
        hint: 'Name the part (target.device, or --chip PART) to take its size from the device database.',
      },
      layoutSource: 'the image’s ranges and the probe’s memory map (no part named)',
      memory: options.memory,
    });
  }

  /** Nothing was read to compare a part name with: a recipe that names one gets DatabaseDevice. */
  matches(): boolean {
    return false;
  }

  notIdentified(what: string): FlashwrightError {
    return new FlashwrightError(
      'TARGET_UNKNOWN_DEVICE',
      `Cannot ${what}: the chip was not identified and no part is named`,
      {
        hint: 'Name the part with target.device in the recipe (or `flashwright flash --chip PART`), or connect through a probe or GDB server that lets the family read the chip’s ID registers.',
        source: { keyPath: 'target.device' },
      },
    );
  }
}

type NativeRegion = NativeFlashPort['regions'][number];

/**
 * The flash of a chip known only through the image: every region of the server's flash map
 * the image touches, cut into the server's erase blocks (so its flash driver erases and
 * programs them), and the image's ranges outside those, each one region and one "sector".
 */
export function memoryOnlyLayout(
  imageRanges: readonly AddressRange[],
  native: readonly NativeRegion[],
): FlashRegion[] {
  const ranges = mergeRanges(imageRanges);
  const touched = native.filter((n) => ranges.some((r) => rangesOverlap(r, n)));
  const regions: FlashRegion[] = touched.map((n) => {
    const sectors: AddressRange[] = [];
    for (let at = n.start; at < n.end; at += n.blockSize)
      sectors.push({ start: at, end: Math.min(at + n.blockSize, n.end) });
    return region('flash', n, sectors);
  });
  for (const range of subtractRanges(ranges, touched))
    regions.push(region('memory', range, [range]));
  return regions.sort((a, b) => a.start - b.start);
}

function region(name: string, range: AddressRange, sectors: AddressRange[]): FlashRegion {
  return {
    name,
    start: range.start,
    end: range.end,
    sectors,
    erasedValue: ASSUMED_ERASED_VALUE,
    // Plain writes and the server's vFlashWrite take any number of bytes.
    writeUnitBytes: 1,
  };
}
