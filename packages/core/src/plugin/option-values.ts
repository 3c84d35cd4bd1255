import type { OptionFieldInfo } from './types.js';

const RAW_NUMBER = /^(0x[0-9a-f]+|0o[0-7]+|0b[01]+|[0-9]+)$/i;
const NAMED_LEVEL = /^level[\s_-]*(\w+)$/i;

/**
 * Core's reading of a recipe value for an option field, used when the family supplies no
 * `parse` of its own. One rule, so that a spelling never changes what is written:
 * - a name from the field's value table means that setting, whether written as a number
 *   or a string and in any case (a read-protection field's `2`, `"2"` and `"level-2"` are
 *   level 2);
 * - anything else is the raw register value, in decimal or 0x-hex of any width and case
 *   (`90`, `"90"`, `"0x5A"`, `"0x05a"` are the byte 0x5A; `"0x02"` is the byte 2), and
 *   0o-octal or 0b-binary.
 * Returns undefined for what is neither.
 */
export function parseOptionValue(
  field: Pick<OptionFieldInfo, 'values'>,
  value: number | string,
): number | undefined {
  const named = namedValue(field, String(value).trim());
  if (named !== undefined) return named;
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const text = value.trim();
  return RAW_NUMBER.test(text) ? Number(text) : undefined;
}

function namedValue(field: Pick<OptionFieldInfo, 'values'>, text: string): number | undefined {
  const table = field.values;
  if (table === undefined) return undefined;
  const wanted = (NAMED_LEVEL.exec(text)?.[1] ?? text).toLowerCase();
  const key = Object.keys(table).find((k) => k.toLowerCase() === wanted);
  return key === undefined ? undefined : table[key];
}
