import { catalogue } from '../errors/catalogue.js';
import type { FlashwrightError } from '../errors/flashwright-error.js';
import { rangesOverlap, type AddressRange } from '../image/address-range.js';
import {
  protectionCovering,
  unprotectedValues,
  writeProtectionFields,
} from '../plugin/option-roles.js';
import type { Device, ProtectionState } from '../plugin/types.js';
import { formatRanges } from '../image/units-text.js';
import { diagnosisError, fail, ok, warn, type Diagnosis } from './diagnosis.js';
import { optionBytesStep } from './option-byte-checks.js';

/**
 * What the recipe does about read protection: an unprotect step that is confirmed (in the
 * step or by --yes), one that is not, or none.
 */
export type UnprotectPlan = 'confirmed' | 'unconfirmed' | 'absent';

/** RDP level 1 or 2, and whether the recipe gets past it. */
export function readProtection(
  state: ProtectionState,
  deviceName: string,
  plan: UnprotectPlan = 'absent',
): Diagnosis {
  if (state.readLevel === 0) return ok('read-protection', state.summary);
  if (state.readLevel === 2) {
    return fail('read-protection', {
      code: 'TARGET_RDP2',
      message: `${deviceName} is at RDP level 2: ${state.summary}`,
      details: { protection: state },
    });
  }
  const locked = `${deviceName} is read-protected (${state.summary})`;
  if (plan === 'confirmed') {
    return warn('read-protection', {
      code: 'TARGET_PROTECTED',
      message: `${locked}; the recipe's confirmed unprotect step removes it, which erases the whole flash`,
      hint: 'Expected for a board locked at the factory. Everything in the flash goes, not only what the image covers.',
      details: { protection: state },
    });
  }
  if (plan === 'unconfirmed') {
    return fail('read-protection', {
      code: 'TARGET_PROTECTED',
      message: `${locked}; the recipe's unprotect step is not confirmed, so it will be refused`,
      hint: 'Add `confirm: mass-erase` to the unprotect step, or pass --yes. Removing protection erases the whole flash.',
      details: { protection: state },
    });
  }
  return fail('read-protection', {
    code: 'TARGET_PROTECTED',
    message: `${locked}; its flash cannot be erased or written until protection is removed`,
    hint: catalogue.TARGET_PROTECTED.hint,
    details: { protection: state },
  });
}

/** For the pipeline: the refusal before erase or write, worded as doctor words it. */
export function readProtectionError(state: ProtectionState, deviceName: string): FlashwrightError {
  return diagnosisError(readProtection(state, deviceName, 'absent'));
}

/**
 * How to clear write protection on this device: the option-bytes step on its
 * write-protection fields, with the values that clear all of them (from the fields' roles),
 * and which bits cover `blocked` (the protected flash the image needs).
 */
export function writeProtectionHint(
  device: Pick<Device, 'optionFields'>,
  blocked: readonly AddressRange[] = [],
): string {
  const all = device.optionFields();
  const fields = writeProtectionFields(all);
  if (fields.length === 0) return catalogue.WRITE_PROTECTED.hint ?? '';
  const covering = protectionCovering(all, blocked);
  const needs = covering.length === 0 ? '' : ` (the image needs ${covering.join(' and ')})`;
  return `Clear the write protection with an option-bytes step on ${fields.map((f) => f.name).join(', ')}${needs}, then run again. For example ${optionBytesStep(unprotectedValues(all))} before erase (this clears all of them).`;
}

/** The parts of `a` that lie in `b`. */
function overlaps(a: readonly AddressRange[], b: readonly AddressRange[]): AddressRange[] {
  return a.flatMap((x) =>
    b
      .filter((y) => rangesOverlap(x, y))
      .map((y) => ({ start: Math.max(x.start, y.start), end: Math.min(x.end, y.end) })),
  );
}

/** Write protection on the pages the image touches (`ranges`; undefined without an image). */
export function writeProtection(
  state: ProtectionState,
  ranges: readonly AddressRange[] | undefined,
  device: Pick<Device, 'name' | 'optionFields'>,
): Diagnosis {
  const protectedRanges = state.writeProtected;
  if (protectedRanges.length === 0) return ok('write-protection', 'no write-protected flash');
  const list = formatRanges(protectedRanges);
  if (ranges === undefined) {
    return warn('write-protection', {
      code: 'WRITE_PROTECTED',
      message: `${device.name}: write-protected flash at ${list}; writing there is refused`,
      hint: writeProtectionHint(device),
      details: { writeProtected: protectedRanges },
    });
  }
  const blocked = protectedRanges.filter((wp) => ranges.some((r) => rangesOverlap(r, wp)));
  if (blocked.length === 0) {
    return ok('write-protection', `write-protected flash at ${list}; the image does not touch it`);
  }
  return fail('write-protection', {
    code: 'WRITE_PROTECTED',
    message: `${device.name}: the image touches write-protected flash (${formatRanges(blocked)})`,
    hint: writeProtectionHint(device, overlaps(ranges, blocked)),
    details: { writeProtected: blocked },
  });
}
