import * as z from 'zod';

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
export const addressSchema = z
  .union([
    z.number().int().nonnegative().max(0xffffffff),
    z.string().regex(HEX_OR_DECIMAL, 'expected an address such as 0x08000000'),
  ])
  .describe('A 32-bit address: a number, or a string such as "0x08000000"');

/** A size in bytes: a number, or a string with an optional K/M suffix ("128K"). */
export const sizeSchema = z
  .union([
    z.number().int().nonnegative(),
    z.string().regex(SIZE, 'expected a size such as 131072, "0x20000" or "128K"'),
  ])
  .describe('A size in bytes: a number, or a string such as "128K", "1M" or "0x20000"');
