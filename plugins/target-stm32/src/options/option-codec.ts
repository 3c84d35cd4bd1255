import { FlashwrightError } from '@flashwright/core';
import type { FlashRegion, OptionFieldInfo, OptionValues } from '@flashwright/core/plugin';
import type { OptionFieldData, Stm32DeviceData } from '@flashwright/stm32-devices';
import type { OptionRegisters } from '../flash/controller.js';
import { optionRole } from './option-roles.js';

/**
 * Field descriptions for `Device.optionFields()`: named values, the raw range and core's
 * role for the field on this flash layout. The RDP field's level-2 code (0xCC on the lines
 * that have a level 2; F1 has none) is permanent: level 2 can never be regressed and
 * freezes the option bytes (RM0090 §3.7.3 "Read protection (RDP)", RM0351 §3.5.1, and the
 * same section in each line's manual).
 */
export function optionFieldInfos(
  fields: readonly OptionFieldData[],
  data: Stm32DeviceData,
  flash: readonly FlashRegion[],
): OptionFieldInfo[] {
  return fields.map((f) => {
    const level2 = f.role?.kind === 'rdp' ? f.values?.['2'] : undefined;
    return {
      name: f.name,
      description: f.aliases ? `${f.description} (also: ${f.aliases.join(', ')})` : f.description,
      values: f.values,
      min: 0,
      max: maxOf(f),
      role: optionRole(f, data, flash),
      ...(level2 === undefined ? {} : { isPermanent: (raw: number) => raw === level2 }),
    };
  });
}

function maxOf(field: OptionFieldData): number {
  return 2 ** field.width - 1;
}

/** The field a recipe name refers to: exact, case-insensitive, or an alias. */
export function findOptionField(
  fields: readonly OptionFieldData[],
  name: string,
): OptionFieldData | undefined {
  const upper = name.toUpperCase();
  return (
    fields.find((f) => f.name === name) ??
    fields.find((f) => f.name.toUpperCase() === upper) ??
    fields.find((f) => f.aliases?.some((a) => a.toUpperCase() === upper))
  );
}

function extract(field: OptionFieldData, register: number): number {
  return Math.floor((register >>> 0) / 2 ** field.bit) % 2 ** field.width;
}

function insert(field: OptionFieldData, register: number, value: number): number {
  const low = (register >>> 0) % 2 ** field.bit;
  const high = Math.floor((register >>> 0) / 2 ** (field.bit + field.width));
  return (high * 2 ** (field.bit + field.width) + value * 2 ** field.bit + low) >>> 0;
}

/** Field values from raw registers; fields whose register was not read are left out. */
export function decodeOptionFields(
  fields: readonly OptionFieldData[],
  registers: OptionRegisters,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const field of fields) {
    const register = registers[field.register];
    if (register !== undefined) out[field.name] = extract(field, register);
  }
  return out;
}

export interface EncodedOptions {
  /** New values of the registers that change. */
  readonly registers: OptionRegisters;
  /** The fields written, by canonical name, with their raw values. */
  readonly fields: Readonly<Record<string, number>>;
}

/**
 * Applies `values` (field name -> raw value) to the current registers. Unknown names and out-of-range values are RECIPE_INVALID errors
 * that list what is valid.
 */
export function encodeOptionFields(
  fields: readonly OptionFieldData[],
  current: OptionRegisters,
  values: OptionValues,
): EncodedOptions {
  const registers: OptionRegisters = {};
  const written: Record<string, number> = {};
  for (const [name, value] of Object.entries(values)) {
    const field = findOptionField(fields, name);
    if (!field) {
      throw new FlashwrightError('RECIPE_INVALID', `This device has no option field "${name}"`, {
        hint: `Option fields of this device: ${fields.map((f) => f.name).join(', ')}.`,
      });
    }
    const raw = resolveValue(field, value);
    const before = registers[field.register] ?? current[field.register];
    if (before === undefined) {
      throw new FlashwrightError(
        'INTERNAL',
        `Option register ${field.register} of field ${field.name} was not read`,
      );
    }
    registers[field.register] = insert(field, before, raw);
    written[field.name] = raw;
  }
  return { registers, fields: written };
}

/**
 * Values reach the device raw: the runner maps named values ("1" for RDP level 1) through
 * `optionFieldInfos`. Re-mapping here would be wrong: on F1 the level-1 code is 0x00, which
 * would read as the name "0".
 */
function resolveValue(field: OptionFieldData, value: number): number {
  if (Number.isInteger(value) && value >= 0 && value <= maxOf(field)) return value;
  const names = field.values
    ? `; named values: ${Object.entries(field.values)
        .map(([k, v]) => `${k} = 0x${v.toString(16).toUpperCase()}`)
        .join(', ')}`
    : '';
  throw new FlashwrightError(
    'RECIPE_INVALID',
    `${value} is not a valid value for option field ${field.name} (0..${maxOf(field)}${names})`,
    { hint: field.description },
  );
}
