import type { RecipeStep } from '../../config/recipe.js';
import { MASS_ERASE_CONFIRMATION } from '../../config/steps-schema.js';
import { readProtectionError } from '../../diagnose/protection-checks.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import { DatabaseDevice } from '../database-device.js';
import { formatBytes } from '../units-text.js';
import { confirmationRequired, isConfirmed } from './confirm.js';
import type { StepHandler } from './step-handler.js';

type UnprotectStep = Extract<RecipeStep, { id: 'unprotect' }>;

export const unprotectStep: StepHandler<UnprotectStep> = {
  title: () => 'Remove read protection (if set)',
  plan: (step, ctx) => {
    const confirmed = isConfirmed(step.confirmed, MASS_ERASE_CONFIRMATION, ctx);
    return {
      destructive: true,
      confirmed,
      lines: [
        'if the chip is read-protected (RDP 1): remove protection, which erases the whole flash',
        confirmed
          ? 'confirmed'
          : `not confirmed: a protected chip will be refused (add confirm: ${MASS_ERASE_CONFIRMATION} or pass --yes)`,
      ],
    };
  },
  run: async (step, session, ref) => {
    const device = await session.requireDevice();
    if (device instanceof DatabaseDevice) {
      // Not "not protected": nobody read the option bytes. A protected chip fails on write.
      return {
        status: 'skipped',
        summary: 'protection unknown (the chip was not identified); nothing removed',
      };
    }
    const state = await device.protection(session.signal);
    if (state.readLevel === 0) {
      session.protection = state;
      return { status: 'skipped', summary: `not protected (${state.summary})` };
    }
    if (state.readLevel === 2) throw readProtectionError(state, device.name);
    if (!isConfirmed(step.confirmed, MASS_ERASE_CONFIRMATION, session.options)) {
      throw confirmationRequired(
        step.keyPath,
        `remove read protection from ${device.name} (${state.summary}); this erases the whole flash`,
        MASS_ERASE_CONFIRMATION,
      );
    }
    const all = device.flash.map((r) => ({ start: r.start, end: r.end }));
    const total = all.reduce((sum, r) => sum + (r.end - r.start), 0);
    session.checkpoint();
    await session.tracked(all, 'erased', () =>
      device.unprotect(session.progress(ref, 0, total), session.signal),
    );
    session.erased = 'all';
    session.protection = await device.protection(session.signal);
    if (session.protection.readLevel !== 0) {
      throw new FlashwrightError(
        'FLASH_OPTION_BYTES_FAILED',
        `${device.name} is still protected after regression (${session.protection.summary})`,
        { hint: 'Power-cycle the board and run again.' },
      );
    }
    return { status: 'done', summary: `protection removed, ${formatBytes(total)} erased` };
  },
};
