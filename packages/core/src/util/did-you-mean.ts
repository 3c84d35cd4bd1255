import leven from 'leven';

/**
 * The closest candidate to a mistyped name, or undefined when nothing is close enough.
 * "Close" scales with length: one edit for short names, about a third of the length for
 * long ones, so that "eraze" finds "erase" but "x" does not find "read". Two neighbouring
 * letters typed the wrong way round ("imgae") count as one edit.
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
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

/** Levenshtein distance, except that one swap of neighbouring letters is one edit, not two. */
function editDistance(a: string, b: string): number {
  const distance = leven(a, b);
  return distance === 2 && isOneSwap(a, b) ? 1 : distance;
}

function isOneSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let first = 0;
  while (first < a.length && a[first] === b[first]) first += 1;
  return (
    first < a.length - 1 &&
    a[first] === b[first + 1] &&
    a[first + 1] === b[first] &&
    a.slice(first + 2) === b.slice(first + 2)
  );
}
