import { imageFitError } from '../../diagnose/image-checks.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import type { FlashImage } from '../../image/flash-image.js';
import type { FlashRegion, StepLocation } from '../../plugin/types.js';

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

/**
 * Where a step's options came from, for their errors: a recipe's key path, or a command
 * that built the step from its arguments (`flashwright erase --range ...`).
 */
export interface OptionsOrigin {
  /** "steps[2].erase". */
  readonly keyPath: string;
  /** The step was built by a command (its layer is a flag), not written in a recipe. */
  readonly fromCommand: boolean;
}

export function optionsOrigin(at: StepLocation): OptionsOrigin {
  return { keyPath: at.keyPath, fromCommand: at.layer?.kind === 'flag' };
}

/**
 * A mistake in a step's options that only the chip or its layout reveals: a usage error
 * (exit 2) naming the argument (`label`) for a step a command built, a recipe error (exit
 * 2) at the option's key path (`key` below the step's) otherwise.
 */
export function optionsError(
  origin: OptionsOrigin,
  message: string,
  options: {
    readonly hint: string;
    readonly key?: string | undefined;
    readonly label?: string | undefined;
    readonly details?: Readonly<Record<string, unknown>> | undefined;
  },
): FlashwrightError {
  const { hint, details } = options;
  if (origin.fromCommand) {
    const label = options.label === undefined ? '' : `${options.label}: `;
    return new FlashwrightError('USAGE', `${label}${message}`, { hint, details });
  }
  const keyPath = options.key === undefined ? origin.keyPath : `${origin.keyPath}.${options.key}`;
  return new FlashwrightError('RECIPE_INVALID', `${keyPath}: ${message}`, {
    hint,
    details,
    source: { keyPath },
  });
}
