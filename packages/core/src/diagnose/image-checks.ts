import { formatAddress, formatRange } from '../image/address-range.js';
import type { FlashwrightError } from '../errors/flashwright-error.js';
import { planSectors } from '../flash/planner.js';
import type { FlashImage } from '../image/flash-image.js';
import type { FlashRegion } from '../plugin/types.js';
import { formatBytes, formatRanges } from '../image/units-text.js';
import { diagnosisError, fail, ok, type Diagnosis } from './diagnosis.js';

function flashText(flash: readonly FlashRegion[]): string {
  return flash
    .map((r) => `${r.name} ${formatRange(r)}, ${formatBytes(r.end - r.start)}`)
    .join('; ');
}

/**
 * Does the image fit? Two different mistakes look alike from the outside: an image that
 * starts in the flash and runs past its end (built for a bigger part, or the chip reports
 * less flash than it has), and data at an address that is not flash at all (a raw binary
 * without its base, a RAM section, a linker script for another family).
 */
export function imageFit(
  image: FlashImage,
  flash: readonly FlashRegion[],
  deviceName: string,
): Diagnosis {
  const { outside } = planSectors(image, flash);
  const ranges = image.ranges();
  const last = ranges.at(-1);
  if (outside.length === 0 || last === undefined) {
    const used = flash.reduce((sum, r) => sum + (r.end - r.start), 0);
    const share = used === 0 ? '' : `, ${Math.ceil((image.size / used) * 100)}% of the flash`;
    return ok(
      'image',
      image.isEmpty
        ? 'the image is empty'
        : `${formatBytes(image.size)} at ${formatRanges(ranges)}${share}`,
    );
  }
  const flashStart = Math.min(...flash.map((r) => r.start));
  const details = {
    outside,
    flash: flash.map((r) => ({ name: r.name, start: r.start, end: r.end })),
  };
  // Past the end of a region (program memory, followed by a gap and, on STM32L0/L1, the data
  // EEPROM) and short of the next one, in the same 256 MB region of the memory map (0x0xxxxxxx
  // is code memory on Cortex-M): built for a bigger part, or the chip says it has less flash.
  const first = outside[0];
  const ends = flash.map((r) => r.end).filter((end) => first !== undefined && end <= first.start);
  const flashEnd = ends.length > 0 ? Math.max(...ends) : undefined;
  const nextStart = Math.min(
    ...flash.map((r) => r.start).filter((start) => flashEnd !== undefined && start >= flashEnd),
  );
  const overrun =
    flashEnd !== undefined &&
    outside.every(
      (r) => r.start >= flashEnd && r.end <= nextStart && (r.end - 1) >>> 28 === flashStart >>> 28,
    );
  const lastOutside = outside.at(-1);
  if (overrun && lastOutside !== undefined) {
    const pastEnd = lastOutside.end - flashEnd;
    return fail('image', {
      code: 'IMAGE_OUTSIDE_FLASH',
      message: `The image does not fit the flash of ${deviceName}: it runs to ${formatAddress(lastOutside.end - 1)}, ${formatBytes(pastEnd)} past the end of the flash at ${formatAddress(flashEnd - 1)} (${flashText(flash)}); outside: ${formatRanges(outside)}`,
      hint: 'Build for this part (check the FLASH length in the linker script), or, if the chip has more flash than it reports, set target.flashSize in the recipe.',
      details,
    });
  }
  return fail('image', {
    code: 'IMAGE_OUTSIDE_FLASH',
    message: `The image has data outside the flash of ${deviceName}: ${formatRanges(outside)} (flash: ${flashText(flash)})`,
    hint: `Check the linker script and the image's load address (a raw .bin needs image.base, e.g. ${formatAddress(flashStart)}), and target.device in the recipe.`,
    details,
  });
}

/** For the pipeline: the refusal before anything is erased, worded as doctor words it. */
export function imageFitError(
  image: FlashImage,
  flash: readonly FlashRegion[],
  deviceName: string,
): FlashwrightError | undefined {
  const diagnosis = imageFit(image, flash, deviceName);
  return diagnosis.verdict === 'fail' ? diagnosisError(diagnosis) : undefined;
}
