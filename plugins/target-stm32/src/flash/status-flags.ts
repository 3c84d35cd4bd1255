import { type AddressRange, FlashwrightError, formatRange } from '@flashwright/core';
import { hex } from './wait.js';

/** One error flag of a flash status register. */
export interface StatusFlag {
  readonly name: string;
  readonly mask: number;
}

export type FlashOperation = 'erase' | 'program' | 'option-bytes';

/** Names of the flags set in `status`. */
export function flagsSet(status: number, flags: readonly StatusFlag[]): string[] {
  return flags.filter((f) => (status & f.mask) !== 0).map((f) => f.name);
}

export function maskOf(flags: readonly StatusFlag[]): number {
  return flags.reduce((mask, f) => mask | f.mask, 0) >>> 0;
}

/** Write-protection flags have the same meaning on every family. */
const writeProtectFlags = new Set(['WRPERR', 'WRPRTERR']);
/** The target word was not erased (F1 PGERR, L4 PROGERR, L0 NOTZEROERR). */
const notErasedFlags = new Set(['PGERR', 'PROGERR', 'NOTZEROERR']);

/**
 * Throws the FlashwrightError that an error flag in `status` means, naming the flags and the
 * range being worked on. Returns quietly when no error flag is set.
 */
export function throwOnFlashError(
  status: number,
  flags: readonly StatusFlag[],
  operation: FlashOperation,
  range?: AddressRange,
): void {
  const set = flagsSet(status, flags);
  if (set.length === 0) return;
  const where = range ? ` at ${formatRange(range)}` : '';
  const details = { status, flags: set, range };
  const what = `${operation === 'option-bytes' ? 'Option-byte write' : capitalise(operation)} failed${where}: ${set.join(', ')} (status 0x${hex(status)})`;
  if (set.some((f) => writeProtectFlags.has(f))) {
    throw new FlashwrightError('WRITE_PROTECTED', what, { details });
  }
  if (operation === 'option-bytes') {
    throw new FlashwrightError('FLASH_OPTION_BYTES_FAILED', what, { details });
  }
  if (operation === 'erase') {
    throw new FlashwrightError('FLASH_ERASE_FAILED', what, {
      details,
      hint: 'Reset the target and run the recipe again; if it persists, check the supply voltage.',
    });
  }
  const hint = set.some((f) => notErasedFlags.has(f))
    ? 'The flash was not erased there. Use `erase: auto` (or mass) before write.'
    : 'The controller rejected the write size or alignment: this is a bug in flashwright; re-run with -v and report it.';
  throw new FlashwrightError('FLASH_PROGRAM_FAILED', what, { details, hint });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
