import { FlashwrightError } from '../../errors/flashwright-error.js';
import { rangesOverlap, type AddressRange } from '../../image/address-range.js';
import type { Device, ProtectionState } from '../../plugin/types.js';
import type { Session } from '../session.js';
import { formatRanges } from '../units-text.js';

/**
 * Before erase or write: is the flash open? RDP 1 needs an unprotect step (which erases
 * everything), RDP 2 cannot be undone. Asked once per run, and again after unprotect.
 */
export async function ensureUnprotected(
  session: Session,
  device: Device,
): Promise<ProtectionState> {
  const state = session.protection ?? (await device.protection(session.signal));
  session.protection = state;
  if (state.readLevel === 2) {
    throw new FlashwrightError(
      'TARGET_RDP2',
      `${device.name} is at RDP level 2: ${state.summary}`,
      {
        details: { protection: state },
      },
    );
  }
  if (state.readLevel === 1) {
    throw new FlashwrightError(
      'TARGET_PROTECTED',
      `${device.name} is read-protected (${state.summary}); its flash cannot be erased or written until protection is removed`,
      {
        hint: 'Add `- unprotect: { confirm: mass-erase }` before erase in the recipe steps (or `- unprotect` and pass --yes). Removing protection erases the whole flash.',
        details: { protection: state },
      },
    );
  }
  return state;
}

/** Refuses to touch write-protected sectors (clearing WRP is an option-byte write). */
export function ensureNotWriteProtected(
  state: ProtectionState,
  ranges: readonly AddressRange[],
  device: Device,
): void {
  const blocked = state.writeProtected.filter((wp) => ranges.some((r) => rangesOverlap(r, wp)));
  if (blocked.length > 0) {
    throw new FlashwrightError(
      'WRITE_PROTECTED',
      `${device.name}: the image touches write-protected flash (${formatRanges(blocked)})`,
      { details: { writeProtected: blocked } },
    );
  }
}
