import { FlashwrightError } from '../../errors/flashwright-error.js';

/** The refusal for a destructive step without confirmation (exit 6). */
export function confirmationRequired(
  keyPath: string,
  what: string,
  phrase: string,
  options: { allowYes?: boolean } = {},
): FlashwrightError {
  const allowYes = options.allowYes ?? true;
  return new FlashwrightError('CONFIRMATION_REQUIRED', `Refusing to ${what} without confirmation`, {
    hint: `Add \`confirm: ${phrase}\` to the step at ${keyPath}${allowYes ? ', or pass --yes' : ' (--yes does not cover this)'}.`,
    source: { keyPath },
    details: { step: keyPath, confirm: phrase },
  });
}
