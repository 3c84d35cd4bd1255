import type { ErrorCode } from '../errors/catalogue.js';
import {
  mergeRanges,
  rangesOverlap,
  subtractRanges,
  type AddressRange,
} from '../image/address-range.js';
import type { FlashJournalReport } from '../flash/journal.js';
import { formatBytes, formatRanges, totalBytes } from '../image/units-text.js';

/** Failures where the link or the power went away: the flash was left as the journal says. */
const LINK_LOST: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'PROBE_DISCONNECTED',
  'PROBE_TIMEOUT',
  'PROBE_USB_ERROR',
  'TARGET_NO_RESPONSE',
  'TARGET_VOLTAGE_LOW',
  'TARGET_FAULT',
]);

function touched(journal: FlashJournalReport): boolean {
  return journal.erased.length + journal.written.length + journal.unknown.length > 0;
}

/** What went away, and what to restore before running again (the start of a sentence). */
function restoreFirst(code: ErrorCode): string {
  switch (code) {
    case 'PROBE_DISCONNECTED':
    case 'PROBE_TIMEOUT':
    case 'PROBE_USB_ERROR':
      return 'Reconnect the probe';
    case 'TARGET_NO_RESPONSE':
    case 'TARGET_VOLTAGE_LOW':
      return 'Restore the target’s power and wiring';
    default:
      return 'Then';
  }
}

/**
 * The hint for a run that failed after touching the flash: what to restore,
 * that running the same recipe again finishes the job (erase: auto erases whatever is
 * erased, written or unknown in the image's sectors again, then writes and verifies), and
 * which data the run had read to keep but lost. Undefined when the flash was not touched,
 * or for failures whose own hint already says what to do (protection, verify).
 *
 * `preserved` are the ranges the erase step read to write back (parts of partly covered
 * sectors the image does not cover); where they were erased and not rewritten, the next run
 * cannot restore them: they are gone from the chip and from this process.
 */
export function recoveryAdvice(
  failure: { readonly code: ErrorCode; readonly hint?: string | undefined },
  journal: FlashJournalReport,
  preserved: readonly AddressRange[] = [],
): string | undefined {
  const { code } = failure;
  if (!touched(journal)) return undefined;
  const linkLost = LINK_LOST.has(code);
  if (!linkLost && !code.startsWith('FLASH_')) return undefined;
  const incomplete = mergeRanges([...journal.erased, ...journal.unknown]);
  // A lost link's usual advice (wiring, speed) is beside the point once the flash is half
  // written; a flash error's own hint (a locked controller, a bad sector) still matters.
  const sentences = linkLost || failure.hint === undefined ? [] : [failure.hint];
  sentences.push(
    `${restoreFirst(code)}${linkLost ? ', then' : ''} run the same recipe again: it erases and rewrites the ranges listed as erased or unknown.`,
    'Until then the chip holds a partial image.',
  );
  const lost = mergeRanges(
    preserved.filter((p) => incomplete.some((r) => rangesOverlap(r, p))),
  ).flatMap((p) => subtractRanges([p], subtractRanges([p], incomplete)));
  if (lost.length > 0) {
    sentences.push(
      `${formatBytes(totalBytes(lost))} of earlier data kept from partly covered sectors (${formatRanges(lost)}) were erased and not yet written back; a new run cannot restore them.`,
    );
  }
  return sentences.join(' ');
}
