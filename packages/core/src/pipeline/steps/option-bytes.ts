import type { RecipeStep } from '../../config/recipe.js';
import { OPTION_BYTES_CONFIRMATION, PERMANENT_CONFIRMATION } from '../../config/steps-schema.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import { fieldsWithRole } from '../../plugin/option-roles.js';
import { parseOptionValue } from '../../plugin/option-values.js';
import type { OptionFieldInfo, OptionValues } from '../../plugin/types.js';
import { didYouMean } from '../../util/did-you-mean.js';
import { DatabaseDevice } from '../database-device.js';
import {
  confirmationRequired,
  flagConfirms,
  isConfirmed,
  type GivenConfirmations,
} from './confirm.js';
import type { StepHandler, StepPlan } from './step-handler.js';

type OptionBytesStep = Extract<RecipeStep, { id: 'option-bytes' }>;

export const optionBytesStep: StepHandler<OptionBytesStep> = {
  title: (step) => `Option bytes: ${describeValues(step.values)}`,
  plan: (step, ctx) => {
    // With the part's option fields from the database, dry-run refuses what the run would.
    const fields = ctx.layout?.optionFields;
    let refusal: FlashwrightError | undefined;
    let wanted: OptionValues = {};
    try {
      wanted = fields === undefined ? {} : resolveValues(step, fields);
      const permanent = fields === undefined ? [] : permanentFields(wanted, fields);
      refusal = refusalFor(step, ctx, permanent);
    } catch (error) {
      if (!(error instanceof FlashwrightError)) throw error;
      refusal = error;
    }
    const plan: StepPlan = {
      destructive: true,
      confirmed: refusal === undefined,
      refusal,
      lines: [
        `write ${describeValues(step.values)} (skipped if already set), then reload the option bytes`,
        ...(fields === undefined
          ? ['values are checked against the chip’s option fields when it is identified']
          : roleNotes(wanted, fields)),
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
    const permanent = permanentFields(wanted, fields);
    const refusal = refusalFor(step, session.options, permanent);
    if (refusal !== undefined) throw refusal;
    const bankMode = fieldsWithRole(fields, 'bank-mode')
      .filter((f) => changes.some(([name]) => name === f.name))
      .map((f) => f.name);
    if (bankMode.length > 0) session.log.warn(bankModeNote(bankMode));
    await device.writeOptionBytes(Object.fromEntries(changes), session.signal, {
      confirmPermanent: permanent.length > 0,
    });
    session.protection = undefined;
    return {
      status: 'done',
      summary: `wrote ${changes.map(([name, value]) => `${name}=${value}`).join(', ')}`,
    };
  },
};

/**
 * "LOCK=0x5A" for each field whose wanted raw value the family calls permanent, with the
 * read-protection level it selects where the field's role says.
 */
function permanentFields(wanted: OptionValues, fields: readonly OptionFieldInfo[]): string[] {
  return fields.flatMap((f) => {
    const raw = wanted[f.name];
    if (raw === undefined || f.isPermanent?.(raw) !== true) return [];
    const level =
      f.role?.kind === 'read-protection' ? ` (read protection level ${f.role.levelOf(raw)})` : '';
    return [`${f.name}=0x${raw.toString(16).toUpperCase()}${level}`];
  });
}

/** Plan lines for fields whose role makes a write worth a second look. */
function roleNotes(wanted: OptionValues, fields: readonly OptionFieldInfo[]): string[] {
  const written = (kind: 'boot' | 'bank-mode'): string[] =>
    fieldsWithRole(fields, kind)
      .filter((f) => wanted[f.name] !== undefined)
      .map((f) => f.name);
  const boot = written('boot');
  const bank = written('bank-mode');
  return [
    ...(boot.length === 0
      ? []
      : [
          `${boot.join(', ')} decide where the chip boots: a wrong value starts the ROM bootloader or nothing at all instead of the firmware (\`flashwright doctor\` checks it)`,
        ]),
    ...(bank.length === 0 ? [] : [bankModeNote(bank)]),
  ];
}

function bankModeNote(names: readonly string[]): string {
  return `${names.join(', ')} changes the flash layout: connect again before erasing or writing`;
}

/**
 * Option-byte writes need confirmation. A permanent value needs the user's own phrase: in
 * their recipe file or on the command line, never a preset's and never --yes.
 */
function refusalFor(
  step: OptionBytesStep,
  given: GivenConfirmations,
  permanent: readonly string[],
): FlashwrightError | undefined {
  if (
    permanent.length > 0 &&
    !step.permanentConfirmed &&
    !flagConfirms(PERMANENT_CONFIRMATION, given)
  ) {
    const fromPreset =
      step.source?.kind === 'extends' ? ` (the recipe step comes from ${step.source.origin})` : '';
    return confirmationRequired(
      step.keyPath,
      `write ${permanent.join(', ')}: a value that can never be undone${fromPreset}`,
      PERMANENT_CONFIRMATION,
      { allowYes: false },
    );
  }
  const confirmed =
    isConfirmed(step.confirmed, OPTION_BYTES_CONFIRMATION, given) || permanent.length > 0;
  if (!confirmed) {
    return confirmationRequired(
      step.keyPath,
      `write option bytes (${describeValues(step.values)})`,
      OPTION_BYTES_CONFIRMATION,
    );
  }
  return undefined;
}

/**
 * Turns recipe values into the raw values the device writes, through each field's own
 * `parse` (or core's rule, `parseOptionValue`), and range-checks them.
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
    const raw = field.parse !== undefined ? field.parse(value) : parseOptionValue(field, value);
    const tableOnly = field.min === undefined && field.max === undefined;
    const outOfRange =
      raw === undefined ||
      (field.min !== undefined && raw < field.min) ||
      (field.max !== undefined && raw > field.max) ||
      (tableOnly && field.values !== undefined && !Object.values(field.values).includes(raw));
    if (outOfRange) {
      const range =
        field.min !== undefined || field.max !== undefined
          ? ` (raw ${field.min ?? 0}..${field.max ?? '?'})`
          : '';
      const named = field.values === undefined ? [] : Object.keys(field.values);
      throw new FlashwrightError(
        'RECIPE_INVALID',
        `${keyPath}: ${JSON.stringify(value)} is not a valid ${field.name}${range}`,
        {
          hint:
            named.length > 0
              ? `Use one of: ${named.join(', ')}, or a raw value in 0x-hex.`
              : field.description,
          source: { keyPath },
        },
      );
    }
    out[field.name] = raw;
  }
  return out;
}

function describeValues(values: Readonly<Record<string, number | string>>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
}
