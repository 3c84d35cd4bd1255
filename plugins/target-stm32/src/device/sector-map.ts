import { FlashwrightError } from '@flashwright/core';
import { type AddressRange, formatRange } from '@flashwright/core/image';
import type { FlashRegion } from '@flashwright/core/plugin';
import type { SectorRef } from '../flash/controller.js';

/**
 * The sectors that make up `ranges` exactly. The runner hands over sector-aligned ranges; a
 * range that starts or ends inside a sector would erase data the caller meant to keep, so it
 * is refused rather than widened.
 */
export function sectorsCovering(
  regions: readonly FlashRegion[],
  ranges: readonly AddressRange[],
): SectorRef[] {
  const out: SectorRef[] = [];
  const seen = new Set<number>();
  for (const range of ranges) {
    let covered = 0;
    for (const [bank, region] of regions.entries()) {
      region.sectors.forEach((sector, index) => {
        if (sector.end <= range.start || sector.start >= range.end) return;
        if (sector.start < range.start || sector.end > range.end) {
          throw new FlashwrightError(
            'INTERNAL',
            `Erase range ${formatRange(range)} cuts sector ${formatRange(sector)}`,
          );
        }
        covered += sector.end - sector.start;
        if (seen.has(sector.start)) return;
        seen.add(sector.start);
        out.push({ bank, index, range: sector });
      });
    }
    const flashBytes = regions.reduce((n, r) => {
      const from = Math.max(r.start, range.start);
      const to = Math.min(r.end, range.end);
      return n + Math.max(0, to - from);
    }, 0);
    if (covered !== flashBytes || flashBytes !== range.end - range.start) {
      throw new FlashwrightError(
        'IMAGE_OUTSIDE_FLASH',
        `Erase range ${formatRange(range)} is not entirely flash of this device`,
      );
    }
  }
  return out.sort((a, b) => a.range.start - b.range.start);
}
