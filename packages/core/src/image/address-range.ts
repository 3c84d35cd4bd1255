/** A half-open address range [start, end). Addresses are byte addresses on the target bus. */
export interface AddressRange {
  readonly start: number;
  readonly end: number;
}

export function rangeLength(range: AddressRange): number {
  return range.end - range.start;
}

export function rangesOverlap(a: AddressRange, b: AddressRange): boolean {
  return a.start < b.end && b.start < a.end;
}

export function rangeContains(outer: AddressRange, inner: AddressRange): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}

/** Sorts and joins touching or overlapping ranges. */
export function mergeRanges(ranges: Iterable<AddressRange>): AddressRange[] {
  const sorted = [...ranges].filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const merged: AddressRange[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && range.start <= last.end) {
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, range.end) };
    } else {
      merged.push(range);
    }
  }
  return merged;
}

/** The parts of `ranges` not covered by `remove`. */
export function subtractRanges(
  ranges: Iterable<AddressRange>,
  remove: Iterable<AddressRange>,
): AddressRange[] {
  let result = mergeRanges(ranges);
  for (const cut of mergeRanges(remove)) {
    const next: AddressRange[] = [];
    for (const r of result) {
      if (!rangesOverlap(r, cut)) {
        next.push(r);
        continue;
      }
      if (r.start < cut.start) next.push({ start: r.start, end: cut.start });
      if (cut.end < r.end) next.push({ start: cut.end, end: r.end });
    }
    result = next;
  }
  return result;
}

export function formatAddress(address: number): string {
  return `0x${address.toString(16).toUpperCase().padStart(8, '0')}`;
}

export function formatRange(range: AddressRange): string {
  return `${formatAddress(range.start)}..${formatAddress(range.end - 1)}`;
}
