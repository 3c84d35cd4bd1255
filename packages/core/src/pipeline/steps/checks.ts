import { imageFitError } from '../../diagnose/image-checks.js';
import type { FlashImage } from '../../image/flash-image.js';
import type { FlashRegion } from '../../plugin/types.js';

/** Image data outside every flash region is an input error, found before anything is erased. */
export function ensureInsideFlash(
  image: FlashImage,
  flash: readonly FlashRegion[],
  deviceName: string,
): void {
  // One wording for run and doctor: the shared diagnosis (core/src/diagnose).
  const refusal = imageFitError(image, flash, deviceName);
  if (refusal !== undefined) throw refusal;
}
