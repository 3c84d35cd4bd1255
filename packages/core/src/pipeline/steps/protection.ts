import { diagnosisError } from '../../diagnose/diagnosis.js';
import { readProtectionError, writeProtection } from '../../diagnose/protection-checks.js';
import type { AddressRange } from '../../image/address-range.js';
import type { Device, ProtectionState, StepRunContext } from '../../plugin/types.js';

/**
 * Before erase or write: is the flash open? RDP 1 needs an unprotect step (which erases
 * everything), RDP 2 cannot be undone. Asked once per run (the state read is the step's
 * output, `protection`), and again after unprotect or an option-byte write.
 */
export async function ensureUnprotected(
  ctx: StepRunContext,
  device: Device,
): Promise<ProtectionState> {
  const state = ctx.state.protection ?? (await device.protection(ctx.signal));
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
