import type { RecipeStep } from '../../config/recipe.js';
import { OPTION_BYTES_CONFIRMATION, RDP2_CONFIRMATION } from '../../config/steps-schema.js';
import { parseAddress } from '../../config/units.js';
import { isRdpLevel2 } from '../../config/validate.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import type { OptionFieldInfo, OptionValues } from '../../plugin/types.js';
import { didYouMean } from '../../util/did-you-mean.js';
import { DatabaseDevice } from '../database-device.js';
import { confirmationRequired } from './confirm.js';
import type { StepHandler, StepPlan } from './step-handler.js';

type OptionBytesStep = Extract<RecipeStep, { id: 'option-bytes' }>;

export const optionBytesStep: StepHandler<OptionBytesStep> = {
  title: (step) => `Option bytes: ${describeValues(step.values)}`,
  plan: (step, ctx) => {
    const refusal = refusalFor(step, ctx.yes, false);
    const plan: StepPlan = {
      destructive: true,
      confirmed: refusal === undefined,
      refusal,
      lines: [
        `write ${describeValues(step.values)} (skipped if already set), then reload the option bytes`,
        refusal === undefined ? 'confirmed' : `refused: ${refusal.message}`,
      ],
    };
    return plan;
  },
  run: async (step, session) => {
    const device = await session.requireDevice();
    if (device instanceof DatabaseDevice) throw device.notIdentified('write option bytes');
    const fields = device.optionFields();
    const wanted = resolveValues(step, fields);
    const current = await device.readOptionBytes(session.signal);
    const changes = Object.entries(wanted).filter(([name, value]) => current[name] !== value);
    if (changes.length === 0)
      return { status: 'skipped', summary: `already set: ${describeValues(step.values)}` };
    const rdp = fields.find((f) => f.name.toUpperCase() === 'RDP');
    const level2 = Object.entries(step.values).some(
      ([name, value]) =>
        isRdpLevel2(name, value) ||
        (name.toUpperCase() === 'RDP' &&
          rdp?.values?.['2'] !== undefined &&
          wanted[name] === rdp.values['2']),
    );
    const refusal = refusalFor(step, session.options.yes, level2);
    if (refusal !== undefined) throw refusal;
    await device.writeOptionBytes(Object.fromEntries(changes), session.signal, {
      confirmPermanentRdp2: level2 && step.rdp2Confirmed,
    });
    session.protection = undefined;
    return {
      status: 'done',
      summary: `wrote ${changes.map(([name, value]) => `${name}=${value}`).join(', ')}`,
    };
  },
};

/** Option-byte writes need confirmation; RDP level 2 needs its own phrase, never --yes. */
function refusalFor(
  step: OptionBytesStep,
  yes: boolean,
  knownLevel2: boolean,
): FlashwrightError | undefined {
  const level2 = knownLevel2 || Object.entries(step.values).some(([n, v]) => isRdpLevel2(n, v));
  if (level2 && !step.rdp2Confirmed) {
    return confirmationRequired(
      step.keyPath,
      'set RDP level 2 (permanent: debug access is disabled for good and cannot be restored)',
      RDP2_CONFIRMATION,
      { allowYes: false },
    );
  }
  if (!step.confirmed && !yes) {
    return confirmationRequired(
      step.keyPath,
      `write option bytes (${describeValues(step.values)})`,
      OPTION_BYTES_CONFIRMATION,
    );
  }
  return undefined;
}

/**
 * Turns recipe values into the numbers the device writes: a field's named value ("1" for
 * RDP level 1) maps through the field's table, other numbers are raw and range-checked.
 */
export function resolveValues(
  step: OptionBytesStep,
  fields: readonly OptionFieldInfo[],
): OptionValues {
  const out: Record<string, number> = {};
  const names = fields.map((f) => f.name);
  for (const [name, value] of Object.entries(step.values)) {
    const keyPath = `${step.keyPath}.option-bytes.${name}`;
    const field =
      fields.find((f) => f.name === name) ??
      fields.find((f) => f.name.toUpperCase() === name.toUpperCase());
    if (field === undefined) {
      const close = didYouMean(name, names);
      throw new FlashwrightError(
        'RECIPE_INVALID',
        `${keyPath}: this device has no option field "${name}".${close === undefined ? '' : ` Did you mean "${close}"?`}`,
        { hint: `Fields: ${names.join(', ')}.`, source: { keyPath } },
      );
    }
    const named = field.values?.[String(value)] ?? findNamed(field, String(value));
    const numeric = named ?? (typeof value === 'number' ? value : parseAddress(value));
    const allowed = field.values === undefined ? [] : Object.keys(field.values);
    const outOfRange =
      numeric === undefined ||
      (field.min !== undefined && numeric < field.min) ||
      (field.max !== undefined && numeric > field.max) ||
      (named === undefined &&
        field.values !== undefined &&
        field.min === undefined &&
        field.max === undefined &&
        !Object.values(field.values).includes(numeric));
    if (outOfRange) {
      const range =
        field.min !== undefined || field.max !== undefined
          ? ` (${field.min ?? 0}..${field.max ?? '?'})`
          : '';
      throw new FlashwrightError(
        'RECIPE_INVALID',
        `${keyPath}: ${JSON.stringify(value)} is not a valid ${field.name}${range}`,
        {
          hint: allowed.length > 0 ? `Use one of: ${allowed.join(', ')}.` : field.description,
          source: { keyPath },
        },
      );
    }
    out[field.name] = numeric;
  }
  return out;
}

function findNamed(field: OptionFieldInfo, text: string): number | undefined {
  if (field.values === undefined) return undefined;
  const key = Object.keys(field.values).find((k) => k.toLowerCase() === text.toLowerCase());
  return key === undefined ? undefined : field.values[key];
}

function describeValues(values: Readonly<Record<string, number | string>>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
}
