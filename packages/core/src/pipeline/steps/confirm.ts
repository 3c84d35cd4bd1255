import { confirmationPhrases } from '../../config/steps-schema.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import { didYouMeanText } from '../../util/did-you-mean.js';

/** What the command line confirmed: --yes, and the phrases given with --confirm. */
export interface GivenConfirmations {
  readonly yes: boolean;
  readonly confirmPhrases?: readonly string[] | undefined;
}

/**
 * Whether a destructive action is confirmed: by its phrase in the recipe step, by --yes,
 * or by `--confirm PHRASE`. Permanent values are not decided here (see option-bytes).
 */
export function isConfirmed(inRecipe: boolean, phrase: string, given: GivenConfirmations): boolean {
  return inRecipe || given.yes || flagConfirms(phrase, given);
}

/** True when `--confirm PHRASE` was given on the command line. */
export function flagConfirms(phrase: string, given: GivenConfirmations): boolean {
  return given.confirmPhrases?.includes(phrase) ?? false;
}

/** The refusal for a destructive step without confirmation (exit 6). */
export function confirmationRequired(
  keyPath: string,
  what: string,
  phrase: string,
  options: { allowYes?: boolean } = {},
): FlashwrightError {
  const allowYes = options.allowYes ?? true;
  return new FlashwrightError('CONFIRMATION_REQUIRED', `Refusing to ${what} without confirmation`, {
    hint: allowYes
      ? `Add \`confirm: ${phrase}\` to the step at ${keyPath}, or pass --yes (or --confirm ${phrase}).`
      : `Only if you really mean it: add \`confirm: ${phrase}\` to the step at ${keyPath} in your own recipe file (a preset's does not count), or pass --confirm ${phrase}. --yes does not cover this.`,
    source: { keyPath },
    details: { step: keyPath, confirm: phrase },
  });
}

/** `--confirm` takes only the phrases a recipe step takes (a usage error otherwise). */
export function checkConfirmPhrases(phrases: readonly string[]): void {
  for (const phrase of phrases) {
    if ((confirmationPhrases as readonly string[]).includes(phrase)) continue;
    throw new FlashwrightError(
      'USAGE',
      `--confirm ${phrase}: not a confirmation phrase.${didYouMeanText(phrase, confirmationPhrases)}`,
      { hint: `Phrases: ${confirmationPhrases.join(', ')}.` },
    );
  }
}
