import { formatRange, type AddressRange } from './address-range.js';

/** "512 B", "12.5 KB", "1.25 MB" (binary units, as flash sizes are quoted). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${trim(bytes / 1024)} KB`;
  return `${trim(bytes / (1024 * 1024))} MB`;
}

function trim(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(value >= 10 ? 1 : 2).replace(/\.?0+$/, '');
}

/** "0x08000000..0x080003FF, 0x08001000..0x080010FF" with at most `max` ranges shown. */
export function formatRanges(ranges: readonly AddressRange[], max = 4): string {
  const shown = ranges.slice(0, max).map(formatRange);
  if (ranges.length > max) shown.push(`and ${ranges.length - max} more`);
  return shown.join(', ');
}

/** "1 sector", "3 sectors". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Bytes the ranges cover together. */
export function totalBytes(ranges: readonly AddressRange[]): number {
  return ranges.reduce((sum, r) => sum + (r.end - r.start), 0);
}
