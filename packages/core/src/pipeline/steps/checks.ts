import { FlashwrightError } from '../../errors/flashwright-error.js';
import type { FlashImage } from '../../image/flash-image.js';
import type { FlashRegion } from '../../plugin/types.js';
import { planFlash } from '../flash-plan.js';
import { formatRanges } from '../units-text.js';

/** Image data outside every flash region is an input error, found before anything is erased. */
export function ensureInsideFlash(
  image: FlashImage,
  flash: readonly FlashRegion[],
  deviceName: string,
): void {
  const { outside } = planFlash(image, flash);
  if (outside.length === 0) return;
  const regions = flash.map((r) => `${r.name} ${formatRanges([r])}`).join(', ');
  throw new FlashwrightError(
    'IMAGE_OUTSIDE_FLASH',
    `The image has data outside the flash of ${deviceName}: ${formatRanges(outside)} (flash: ${regions})`,
    {
      hint: 'Check the linker script and the image base address, and target.device / target.flashSize in the recipe.',
      details: { outside, flash: flash.map((r) => ({ name: r.name, start: r.start, end: r.end })) },
    },
  );
}
