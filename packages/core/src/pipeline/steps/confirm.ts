import { confirmationPhrases } from '../../config/steps-schema.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import type { StepConfirmation } from '../../plugin/types.js';
import { didYouMeanText } from '../../util/did-you-mean.js';
import type { OptionsOrigin } from './checks.js';

/** What the command line confirmed: --yes, and the phrases given with --confirm. */
export interface GivenConfirmations {
  readonly yes: boolean;
  readonly confirmPhrases?: readonly string[] | undefined;
}

/**
 * Whether a destructive action is confirmed: by its phrase in the recipe step, by
 * `--confirm PHRASE`, or by --yes unless the confirmation excludes it. One rule for every
 * step, built-in or plugin.
 */
export function isConfirmed(confirmation: StepConfirmation, given: GivenConfirmations): boolean {
  return (
    confirmation.inRecipe ||
    ((confirmation.allowYes ?? true) && given.yes) ||
    (given.confirmPhrases?.includes(confirmation.phrase) ?? false)
  );
}

/**
 * The refusal for an unconfirmed step, or undefined when it is confirmed. `step` is where
 * the step stands: a recipe's key path, or a command that built it (which has no step to
 * write the phrase in).
 */
export function refusalOf(
  confirmation: StepConfirmation,
  step: OptionsOrigin,
  given: GivenConfirmations,
): FlashwrightError | undefined {
  if (isConfirmed(confirmation, given)) return undefined;
  return confirmationRequired(step.keyPath, confirmation.what, confirmation.phrase, {
    allowYes: confirmation.allowYes,
    fromCommand: step.fromCommand,
  });
}

/** The plan's line for a step the runner confirms before it runs. */
export function confirmationLine(confirmation: StepConfirmation, confirmed: boolean): string {
  if (confirmed) return 'confirmed';
  return confirmation.allowYes === false
    ? `needs confirmation: confirm: ${confirmation.phrase} in your own recipe file, or --confirm ${confirmation.phrase}`
    : `needs confirmation: confirm: ${confirmation.phrase} in the step, or --yes`;
}

/** The refusal for a destructive step without confirmation (exit 6). */
export function confirmationRequired(
  keyPath: string,
  what: string,
  phrase: string,
  options: { allowYes?: boolean | undefined; fromCommand?: boolean | undefined } = {},
): FlashwrightError {
  const allowYes = options.allowYes ?? true;
  const hint =
    options.fromCommand === true
      ? allowYes
        ? `Pass --yes (or --confirm ${phrase}).`
        : `Only if you really mean it: pass --confirm ${phrase}. --yes does not cover this.`
      : allowYes
        ? `Add \`confirm: ${phrase}\` to the step at ${keyPath}, or pass --yes (or --confirm ${phrase}).`
        : `Only if you really mean it: add \`confirm: ${phrase}\` to the step at ${keyPath} in your own recipe file (a preset's does not count), or pass --confirm ${phrase}. --yes does not cover this.`;
  return new FlashwrightError('CONFIRMATION_REQUIRED', `Refusing to ${what} without confirmation`, {
    hint,
    source: { keyPath },
    details: { step: keyPath, confirm: phrase },
  });
}

/**
 * `--confirm` takes only the phrases a recipe step takes: core's, and those the recipe's
 * plugin steps name (a usage error otherwise).
 */
export function checkConfirmPhrases(
  phrases: readonly string[],
  stepPhrases: readonly string[] = [],
): void {
  const known = [...new Set([...confirmationPhrases, ...stepPhrases])];
  for (const phrase of phrases) {
    if (known.includes(phrase)) continue;
    throw new FlashwrightError(
      'USAGE',
      `--confirm ${phrase}: not a confirmation phrase.${didYouMeanText(phrase, known)}`,
      { hint: `Phrases: ${known.join(', ')}.` },
    );
  }
}
