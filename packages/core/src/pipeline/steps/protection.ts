import { diagnosisError } from '../../diagnose/diagnosis.js';
import { readProtectionError, writeProtection } from '../../diagnose/protection-checks.js';
import type { AddressRange } from '../../image/address-range.js';
import type { Device, ProtectionState } from '../../plugin/types.js';
import type { Session } from '../session.js';

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
  // One wording for run and doctor: the shared diagnosis (core/src/diagnose).
  if (state.readLevel !== 0) throw readProtectionError(state, device.name);
  return state;
}

/** Refuses to touch write-protected sectors (clearing WRP is an option-byte write). */
export function ensureNotWriteProtected(
  state: ProtectionState,
  ranges: readonly AddressRange[],
  device: Device,
): void {
  const diagnosis = writeProtection(state, ranges, device);
  if (diagnosis.verdict === 'fail') throw diagnosisError(diagnosis);
}
