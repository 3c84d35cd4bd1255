import leven from 'leven';

/**
 * The closest candidate to a mistyped name, or undefined when nothing is close enough.
 * "Close" scales with length: one edit for short names, about a third of the length for
 * long ones, so that "eraze" finds "erase" but "x" does not find "read".
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = leven(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(needle.length / 3));
  return best !== undefined && bestDistance <= allowed && best !== input ? best : undefined;
}

/** ' Did you mean "erase"?' or ''. */
export function didYouMeanText(input: string, candidates: Iterable<string>): string {
  const suggestion = didYouMean(input, candidates);
  return suggestion === undefined ? '' : ` Did you mean "${suggestion}"?`;
}
