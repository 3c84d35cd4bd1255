import * as z from 'zod/mini';
import { described } from './zod.js';

/**
 * Value types shared by the recipe schema. YAML 1.2 reads `0x08000000` as a number, but
 * JSON cannot, so addresses and sizes also accept strings: "0x08000000", "128K", "1M".
 */

const HEX_OR_DECIMAL = /^(0x[0-9a-fA-F]+|[0-9]+)$/;
const SIZE = /^(0x[0-9a-fA-F]+|[0-9]+)\s*([kKmM]i?[bB]?)?$/;

/** Parses "0x1000", "4096", "4K", "4KiB", "1M" to bytes; undefined when malformed. */
export function parseSizeBytes(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const match = SIZE.exec(value.trim());
  if (match === null) return undefined;
  const base = Number(match[1]);
  const unit = match[2]?.[0]?.toUpperCase();
  const factor = unit === 'K' ? 1024 : unit === 'M' ? 1024 * 1024 : 1;
  return base * factor;
}

/** Parses "0x08000000" or "134217728" or a number to an address; undefined when malformed. */
export function parseAddress(value: string | number): number | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 && value < 2 ** 32 ? value : undefined;
  }
  const text = value.trim();
  if (!HEX_OR_DECIMAL.test(text)) return undefined;
  const parsed = Number(text);
  return parsed < 2 ** 32 ? parsed : undefined;
}

/** A 32-bit bus address: a number or a hex/decimal string. */
export const addressSchema = described(
  z.union([
    z.number().check(z.int(), z.nonnegative(), z.maximum(0xffffffff)),
    z.string().check(z.regex(HEX_OR_DECIMAL, 'expected an address such as 0x08000000')),
  ]),
  'A 32-bit address: a number, or a string such as "0x08000000"',
);

/** A size in bytes: a number, or a string with an optional K/M suffix ("128K"). */
export const sizeSchema = described(
  z.union([
    z.number().check(z.int(), z.nonnegative()),
    z.string().check(z.regex(SIZE, 'expected a size such as 131072, "0x20000" or "128K"')),
  ]),
  'A size in bytes: a number, or a string such as "128K", "1M" or "0x20000"',
);

/** A parse result: the value, or what is wrong with the text (one phrase, for messages). */
export type Parsed<T> = { readonly value: T } | { readonly problem: string };

const SECTOR_ITEM = /^(\d+)(?:\s*-\s*(\d+))?$/;
/** Sector lists longer than any flash has sectors are a typo ("0-99999999"). */
const MAX_SECTOR_INDEX = 65535;

/**
 * A list of sector numbers, "0-3,7" or a single number: sorted, without duplicates. Sectors
 * are numbered from 0 at the lowest flash address, across banks.
 */
export function parseSectorList(text: string | number): Parsed<number[]> {
  const items = String(text)
    .split(',')
    .map((item) => item.trim());
  const sectors = new Set<number>();
  for (const item of items) {
    const match = SECTOR_ITEM.exec(item);
    if (match === null) {
      return { problem: `"${item}" is not a sector number or range (expected e.g. "0-3,7")` };
    }
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) return { problem: `"${item}" ends before it starts` };
    if (last > MAX_SECTOR_INDEX) return { problem: `"${item}": no flash has that many sectors` };
    for (let sector = first; sector <= last; sector++) sectors.add(sector);
  }
  return { value: [...sectors].sort((a, b) => a - b) };
}

/**
 * An address range, "ADDR:LENGTH" ("0x08004000:16K") or "ADDR..LAST" with the last byte
 * included ("0x08004000..0x08007FFF", as flashwright prints ranges), as a half-open range.
 */
export function parseRangeSpec(text: string): Parsed<{ start: number; end: number }> {
  const spec = text.trim();
  const bad = (what: string): { problem: string } => ({
    problem: `"${spec}": ${what}; expected ADDR:LENGTH (0x08004000:16K) or ADDR..LAST (0x08004000..0x08007FFF)`,
  });
  const dots = spec.indexOf('..');
  const colon = spec.indexOf(':');
  const cut = dots >= 0 ? { at: dots, width: 2 } : colon >= 0 ? { at: colon, width: 1 } : undefined;
  if (cut === undefined) return bad('no ":" or ".." in it');
  const startText = spec.slice(0, cut.at).trim();
  const restText = spec.slice(cut.at + cut.width).trim();
  const start = parseAddress(startText);
  if (start === undefined) return bad(`"${startText}" is not an address`);
  if (dots >= 0) {
    const last = parseAddress(restText);
    if (last === undefined) return bad(`"${restText}" is not an address`);
    if (last < start) return { problem: `"${spec}" ends before it starts` };
    return { value: { start, end: last + 1 } };
  }
  const length = parseSizeBytes(restText);
  if (length === undefined) return bad(`"${restText}" is not a length`);
  if (length === 0) return { problem: `"${spec}" is empty` };
  if (start + length > 2 ** 32) {
    return { problem: `"${spec}" runs past 0xFFFFFFFF, the end of the 32-bit address space` };
  }
  return { value: { start, end: start + length } };
}
