import { mergeRanges, rangesOverlap, type AddressRange } from '../image/address-range.js';
import type { OptionFieldInfo, OptionFieldRole, OptionValues } from './types.js';

/** An option field together with its role of the given kind. */
export type FieldWithRole<K extends OptionFieldRole['kind']> = OptionFieldInfo & {
  readonly role: Extract<OptionFieldRole, { kind: K }>;
};

/** The fields whose role is of one of `kinds`. */
export function fieldsWithRole<K extends OptionFieldRole['kind']>(
  fields: readonly OptionFieldInfo[],
  ...kinds: K[]
): FieldWithRole<K>[] {
  return fields.filter((f): f is FieldWithRole<K> =>
    (kinds as readonly string[]).includes(f.role?.kind ?? ''),
  );
}

/** Write-protection fields: bit masks and area bounds. */
export function writeProtectionFields(
  fields: readonly OptionFieldInfo[],
): FieldWithRole<'write-protection' | 'write-protection-area'>[] {
  return fieldsWithRole(fields, 'write-protection', 'write-protection-area');
}

function bitProtects(role: FieldWithRole<'write-protection'>['role'], value: number, bit: number) {
  const set = Math.floor(value / 2 ** bit) % 2 === 1;
  return role.protectsWhen === 'bit-set' ? set : !set;
}

/**
 * The flash these option values write-protect, by the fields' roles: every protecting bit
 * of a bit-mask field, and every area whose start is not above its end. Fields without a
 * value are left out. For families that keep their protection in option fields: their
 * `Device.protection()` can answer with this.
 */
export function writeProtectedRanges(
  fields: readonly OptionFieldInfo[],
  values: OptionValues,
): AddressRange[] {
  const ranges: AddressRange[] = [];
  const areas = new Map<string, { start?: number; end?: number; pages: readonly AddressRange[] }>();
  for (const field of writeProtectionFields(fields)) {
    const value = values[field.name];
    if (value === undefined) continue;
    const { role } = field;
    if (role.kind === 'write-protection') {
      role.bitRanges.forEach((covered, bit) => {
        if (bitProtects(role, value, bit)) ranges.push(...covered);
      });
    } else {
      const area = areas.get(role.area) ?? { pages: role.pages };
      area[role.bound] = value;
      areas.set(role.area, area);
    }
  }
  for (const { start, end, pages } of areas.values()) {
    if (start === undefined || end === undefined || start > end) continue;
    const first = pages[start];
    const last = pages[Math.min(end, pages.length - 1)];
    if (first !== undefined && last !== undefined)
      ranges.push({ start: first.start, end: last.end });
  }
  return mergeRanges(ranges);
}

/**
 * The value of each write-protection field that protects nothing: every bit unprotecting
 * (0, or all ones where a clear bit protects), and areas with their start above their end.
 */
export function unprotectedValues(fields: readonly OptionFieldInfo[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const field of writeProtectionFields(fields)) {
    const { role } = field;
    if (role.kind === 'write-protection') {
      out[field.name] =
        role.protectsWhen === 'bit-set' ? 0 : (field.max ?? 2 ** role.bitRanges.length - 1);
    } else {
      out[field.name] = role.bound === 'start' ? (field.max ?? role.pages.length) : 0;
    }
  }
  return out;
}

/** Which bits of the write-protection masks cover any of `ranges`: "MASK bit 0", "MASK bits 0, 1". */
export function protectionCovering(
  fields: readonly OptionFieldInfo[],
  ranges: readonly AddressRange[],
): string[] {
  const out: string[] = [];
  const touches = (covered: readonly AddressRange[]): boolean =>
    covered.some((c) => ranges.some((r) => rangesOverlap(c, r)));
  for (const field of writeProtectionFields(fields)) {
    const { role } = field;
    if (role.kind === 'write-protection-area') continue;
    const bits = role.bitRanges.flatMap((covered, bit) => (touches(covered) ? [bit] : []));
    if (bits.length > 0)
      out.push(`${field.name} ${bits.length === 1 ? 'bit' : 'bits'} ${bits.join(', ')}`);
  }
  return out;
}
