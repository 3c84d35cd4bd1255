import { FlashwrightError } from '@flashwright/core';

/** What a transport calls its probes in messages: "ST-Link"/"ST-Links". */
export interface ProbeNouns {
  readonly one: string;
  readonly many: string;
}

export interface ProbeCandidate {
  readonly serial: string | undefined;
}

/** Serial selectors match case-insensitively, and a unique prefix is enough. */
export function serialMatches(serial: string | undefined, wanted: string): boolean {
  if (serial === undefined) return false;
  return serial.toUpperCase().startsWith(wanted.trim().toUpperCase());
}

/**
 * The probe a request means: by serial (a unique prefix), by index, or the only one
 * connected. Anything else is PROBE_AMBIGUOUS or PROBE_NOT_FOUND, listing what is there.
 */
export function chooseProbe<C extends ProbeCandidate>(
  all: readonly C[],
  request: { readonly serial?: string | undefined; readonly index?: number | undefined },
  nouns: ProbeNouns,
  label: (candidate: C, index: number) => string,
): C {
  const listing = (found: readonly C[]): string =>
    found.map((c, i) => `  ${label(c, i)}`).join('\n');
  const ambiguous = (found: readonly C[], why: string): FlashwrightError =>
    new FlashwrightError(
      'PROBE_AMBIGUOUS',
      `${found.length} ${nouns.many} match (${why}):\n${listing(found)}`,
      { details: { serials: found.map((c) => c.serial) } },
    );
  const notFound = (what: string): FlashwrightError => {
    const seen =
      all.length === 0
        ? `No ${nouns.one} is connected.`
        : `Connected ${nouns.many}:\n${listing(all)}`;
    return new FlashwrightError('PROBE_NOT_FOUND', `No ${nouns.one} ${what}`.trim() + `. ${seen}`, {
      details: { serials: all.map((c) => c.serial) },
    });
  };

  if (request.serial !== undefined) {
    const wanted = request.serial;
    const matching = all.filter((c) => serialMatches(c.serial, wanted));
    if (matching.length > 1) throw ambiguous(matching, `serial ${wanted}`);
    const chosen = matching[0];
    if (!chosen) throw notFound(`with serial ${wanted}`);
    return chosen;
  }
  if (request.index !== undefined) {
    const chosen = all[request.index];
    if (!chosen) throw notFound(`number ${request.index}`);
    return chosen;
  }
  if (all.length > 1) throw ambiguous(all, 'no serial or index');
  const chosen = all[0];
  if (!chosen) throw notFound('');
  return chosen;
}
