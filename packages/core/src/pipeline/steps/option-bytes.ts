import {
  builtinStepDescription,
  OPTION_BYTES_CONFIRMATION,
  parseBuiltinOptions,
  PERMANENT_CONFIRMATION,
} from '../../config/steps-schema.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import { fieldsWithRole } from '../../plugin/option-roles.js';
import { parseOptionValue } from '../../plugin/option-values.js';
import type {
  OptionFieldInfo,
  OptionValues,
  StepConfirmation,
  StepDefinition,
} from '../../plugin/types.js';
import { didYouMean } from '../../util/did-you-mean.js';
import { UnidentifiedDevice } from '../database-device.js';
import { optionsError, optionsOrigin, type OptionsOrigin } from './checks.js';

export interface OptionBytesOptions {
  readonly values: Readonly<Record<string, number | string>>;
  /** "steps[2].option-bytes", or the command that built the step, for value errors. */
  readonly origin: OptionsOrigin;
  /** `confirm: write-option-bytes` (or the permanent phrase), from any layer. */
  readonly confirmed: boolean;
  /**
   * `confirm: permanently-disable-debug` written in the user's own recipe file (not an
   * `extends` layer): with `--confirm` the only way to write a permanent value.
   */
  readonly permanentConfirmed: boolean;
  /** The preset the step comes from, for the refusal of a permanent value. */
  readonly preset?: string | undefined;
}

export const optionBytesStep: StepDefinition<OptionBytesOptions> = {
  id: 'option-bytes',
  description: builtinStepDescription('option-bytes'),
  writes: ['protection'],
  parseOptions: (raw, at) => {
    const { confirm, ...values } = parseBuiltinOptions('option-bytes', raw, at.keyPath);
    return {
      values,
      origin: optionsOrigin(at),
      confirmed: confirm === OPTION_BYTES_CONFIRMATION || confirm === PERMANENT_CONFIRMATION,
      // A permanent value needs the user's own phrase: a preset's never counts.
      permanentConfirmed: confirm === PERMANENT_CONFIRMATION && at.layer?.kind === 'file',
      preset: at.layer?.kind === 'extends' ? at.layer.origin : undefined,
    };
  },
  // Asked only when something changes; with the part's fields from the database, the plan
  // already knows whether a value is permanent.
  confirmation: (options, ctx) => planned(options, ctx.layout?.optionFields).confirmation,
  title: (_ctx, options) => `Option bytes: ${describeValues(options.values)}`,
  plan: (ctx, options) => {
    // With the part's option fields from the database, dry-run refuses what the run would.
    const fields = ctx.layout?.optionFields;
    const { confirmation, error } = planned(options, fields);
    const refusal = error ?? ctx.refusal(confirmation);
    return {
      refusal,
      lines: [
        `write ${describeValues(options.values)} (skipped if already set), then reload the option bytes`,
        ...(fields === undefined
          ? ['values are checked against the chip’s option fields when it is identified']
          : roleNotes(options, fields)),
        refusal === undefined ? 'confirmed' : `refused: ${refusal.message}`,
      ],
    };
  },
  run: async (ctx, options) => {
    const device = await ctx.device();
    if (device instanceof UnidentifiedDevice) throw device.notIdentified('write option bytes');
    const fields = device.optionFields();
    const wanted = resolveValues(options, fields);
    const current = await device.readOptionBytes(ctx.signal);
    const changes = Object.entries(wanted).filter(([name, value]) => current[name] !== value);
    if (changes.length === 0)
      return { status: 'skipped', summary: `already set: ${describeValues(options.values)}` };
    const permanent = permanentFields(wanted, fields);
    ctx.confirm(confirmationFor(options, permanent));
    const bankMode = fieldsWithRole(fields, 'bank-mode')
      .filter((f) => changes.some(([name]) => name === f.name))
      .map((f) => f.name);
    if (bankMode.length > 0) ctx.log.warn(bankModeNote(bankMode));
    await device.writeOptionBytes(Object.fromEntries(changes), ctx.signal, {
      confirmPermanent: permanent.length > 0,
    });
    return {
      status: 'done',
      summary: `wrote ${changes.map(([name, value]) => `${name}=${value}`).join(', ')}`,
      // The write may have changed read or write protection: read it again when needed.
      state: { protection: undefined },
    };
  },
};

/**
 * Before the chip is read: the confirmation a write will need, as far as the part's option
 * fields from the database tell (none: an ordinary write), and a value they reject.
 */
function planned(
  options: OptionBytesOptions,
  fields: readonly OptionFieldInfo[] | undefined,
): { confirmation: StepConfirmation; error?: FlashwrightError } {
  if (fields === undefined) return { confirmation: confirmationFor(options, []) };
  try {
    const permanent = permanentFields(resolveValues(options, fields), fields);
    return { confirmation: confirmationFor(options, permanent) };
  } catch (error) {
    if (!(error instanceof FlashwrightError)) throw error;
    return { confirmation: confirmationFor(options, []), error };
  }
}

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
function roleNotes(options: OptionBytesOptions, fields: readonly OptionFieldInfo[]): string[] {
  let wanted: OptionValues;
  try {
    wanted = resolveValues(options, fields);
  } catch (error) {
    if (error instanceof FlashwrightError) return [];
    throw error;
  }
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
function confirmationFor(
  options: OptionBytesOptions,
  permanent: readonly string[],
): StepConfirmation {
  if (permanent.length > 0) {
    const fromPreset =
      options.preset === undefined ? '' : ` (the recipe step comes from ${options.preset})`;
    return {
      phrase: PERMANENT_CONFIRMATION,
      what: `write ${permanent.join(', ')}: a value that can never be undone${fromPreset}`,
      inRecipe: options.permanentConfirmed,
      allowYes: false,
      whenNeeded: true,
    };
  }
  return {
    phrase: OPTION_BYTES_CONFIRMATION,
    what: `write option bytes (${describeValues(options.values)})`,
    inRecipe: options.confirmed,
    whenNeeded: true,
  };
}

/**
 * Turns recipe values into the raw values the device writes, through each field's own
 * `parse` (or core's rule, `parseOptionValue`), and range-checks them.
 */
export function resolveValues(
  options: OptionBytesOptions,
  fields: readonly OptionFieldInfo[],
): OptionValues {
  const out: Record<string, number> = {};
  const names = fields.map((f) => f.name);
  for (const [name, value] of Object.entries(options.values)) {
    // A recipe's key path, or the NAME=VALUE argument of `flashwright option-bytes`.
    const at = { key: name, label: `${name}=${value}` };
    const field =
      fields.find((f) => f.name === name) ??
      fields.find((f) => f.name.toUpperCase() === name.toUpperCase());
    if (field === undefined) {
      const close = didYouMean(name, names);
      throw optionsError(
        options.origin,
        `this device has no option field "${name}".${close === undefined ? '' : ` Did you mean "${close}"?`}`,
        {
          hint: `Fields: ${names.join(', ')}${options.origin.fromCommand ? ' (`flashwright option-bytes` shows their values)' : ''}.`,
          ...at,
        },
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
      throw optionsError(
        options.origin,
        `${JSON.stringify(value)} is not a valid ${field.name}${range}`,
        {
          hint:
            named.length > 0
              ? `Use one of: ${named.join(', ')}, or a raw value in 0x-hex.`
              : field.description,
          ...at,
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
