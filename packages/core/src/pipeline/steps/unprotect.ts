import {
  builtinStepDescription,
  MASS_ERASE_CONFIRMATION,
  unprotectConfirmed,
} from '../../config/steps-schema.js';
import { readProtectionError } from '../../diagnose/protection-checks.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import type { StepConfirmation, StepDefinition } from '../../plugin/types.js';
import { UnidentifiedDevice } from '../database-device.js';
import { formatBytes } from '../../image/units-text.js';

export interface UnprotectOptions {
  /** `confirm: mass-erase` in the step. */
  readonly confirmed: boolean;
}

/** Regression erases everything, but only a protected chip needs it: asked when it does. */
function confirmation(
  options: UnprotectOptions,
  what = 'remove read protection, which erases the whole flash',
): StepConfirmation {
  return { phrase: MASS_ERASE_CONFIRMATION, what, inRecipe: options.confirmed, whenNeeded: true };
}

export const unprotectStep: StepDefinition<UnprotectOptions> = {
  id: 'unprotect',
  description: builtinStepDescription('unprotect'),
  writes: ['erased', 'protection'],
  parseOptions: (raw, at) => ({ confirmed: unprotectConfirmed(raw, at.keyPath) }),
  confirmation: (options) => confirmation(options),
  title: () => 'Remove read protection (if set)',
  plan: (ctx, options) => {
    const refusal = ctx.refusal(confirmation(options));
    return {
      lines: [
        'if the chip is read-protected (RDP 1): remove protection, which erases the whole flash',
        refusal === undefined
          ? 'confirmed'
          : `not confirmed: a protected chip will be refused (add confirm: ${MASS_ERASE_CONFIRMATION} or pass --yes)`,
      ],
    };
  },
  run: async (ctx, options) => {
    const device = await ctx.device();
    if (device instanceof UnidentifiedDevice) {
      // Not "not protected": nobody read the option bytes. A protected chip fails on write.
      return {
        status: 'skipped',
        summary: 'protection unknown (the chip was not identified); nothing removed',
      };
    }
    const state = await device.protection(ctx.signal);
    if (state.readLevel === 0) {
      return {
        status: 'skipped',
        summary: `not protected (${state.summary})`,
        state: { protection: state },
      };
    }
    if (state.readLevel === 2) throw readProtectionError(state, device.name);
    ctx.confirm(
      confirmation(
        options,
        `remove read protection from ${device.name} (${state.summary}); this erases the whole flash`,
      ),
    );
    const all = device.flash.map((r) => ({ start: r.start, end: r.end }));
    const total = all.reduce((sum, r) => sum + (r.end - r.start), 0);
    ctx.checkpoint();
    await ctx.journal(all, 'erased', () => device.unprotect(ctx.progress(0, total), ctx.signal));
    const protection = await device.protection(ctx.signal);
    if (protection.readLevel !== 0) {
      throw new FlashwrightError(
        'FLASH_OPTION_BYTES_FAILED',
        `${device.name} is still protected after regression (${protection.summary})`,
        { hint: 'Power-cycle the board and run again.' },
      );
    }
    return {
      status: 'done',
      summary: `protection removed, ${formatBytes(total)} erased`,
      state: { erased: 'all', protection },
    };
  },
};
