import { FlashwrightError } from '@flashwright/core';
import {
  type AddressRange,
  formatRange,
  formatRanges,
  rangesOverlap,
} from '@flashwright/core/image';
import { hex } from './wait.js';

/** One error flag of a flash status register. */
export interface StatusFlag {
  readonly name: string;
  readonly mask: number;
}

export type FlashOperation = 'erase' | 'program' | 'option-bytes';

/** Reads the write-protected ranges the option bytes set (as loaded), for `throwOnFlashError`. */
export type ProtectedRanges = () => Promise<readonly AddressRange[]>;

/** Names of the flags set in `status`. */
export function flagsSet(status: number, flags: readonly StatusFlag[]): string[] {
  return flags.filter((f) => (status & f.mask) !== 0).map((f) => f.name);
}

export function maskOf(flags: readonly StatusFlag[]): number {
  return flags.reduce((mask, f) => mask | f.mask, 0) >>> 0;
}

/**
 * What each flag means, from the FLASH_SR bit descriptions of RM0008 (F1), RM0090 (F2/F4),
 * RM0385 (F7), RM0038/RM0377 (L1/L0), RM0351/RM0440 (L4 family), RM0456 (U5) and RM0433 (H7).
 */
const meanings: Readonly<Record<string, string>> = {
  WRPERR: 'write protection error: the controller refused to erase or program there',
  WRPRTERR: 'write protection error: the controller refused to erase or program there',
  PGERR: 'programming error: the half-word was not erased (0xFFFF) before programming',
  PROGERR: 'programming error: the double word was not erased before programming',
  NOTZEROERR: 'the word was not erased (zero) before programming',
  PGAERR: 'alignment error: the data was misaligned or crossed a row or half-page',
  PGPERR: 'parallelism error: the write width did not match the program size (PSIZE)',
  PGSERR:
    'sequence error: the controller was not set up for the write, or an earlier error was still set',
  SIZERR: 'size error: the write had the wrong width',
  OPERR: 'operation error: the erase or program did not complete',
  STRBERR: 'strobe error: a flash word was written again before it was programmed',
  INCERR: 'inconsistency error: a flash word was written at non-consecutive addresses',
  MISERR: 'fast programming data miss: the next double word came too late',
  FASTERR: 'fast programming error',
  OPTWERR: 'option write error: the option bytes were written with an invalid configuration',
  RDERR: 'read protection error: a proprietary-code (PCROP) area was read',
  FWWERR: 'the write or erase was aborted to fetch an instruction',
  // STM32WB0x/WL3x FLASH_CTRL IRQRAW (the packs' SVD).
  CMDERR: 'command error: the flash controller could not run the command there',
  ILLCMD: 'illegal command: an unknown command, or one given while another ran',
};

/** Write-protection flags have the same name on every family (WRPRTERR on F0/F1/F3). */
const writeProtectFlags = new Set(['WRPERR', 'WRPRTERR']);
/** The target word was not erased (F1 PGERR, L4 PROGERR, L0 NOTZEROERR). */
const notErasedFlags = new Set(['PGERR', 'PROGERR', 'NOTZEROERR']);
/** Write width, alignment or sequence: what flashwright itself sent was wrong. */
const requestFlags = new Set([
  'PGAERR',
  'PGPERR',
  'PGSERR',
  'SIZERR',
  'STRBERR',
  'INCERR',
  'MISERR',
  'FASTERR',
]);

/** "WRPERR (write protection error: ...)", or the bare name of a flag without a meaning. */
function describeFlag(name: string): string {
  const meaning = meanings[name];
  return meaning === undefined ? name : `${name} (${meaning})`;
}

/**
 * Throws the FlashwrightError that an error flag in `status` means, naming each flag with its
 * meaning and the range being worked on. Returns quietly when no error flag is set.
 *
 * A write-protection flag is a protection refusal (WRITE_PROTECTED, exit 6, naming the
 * protected range) only where the option bytes protect the range: the flag is also how a
 * controller refuses a locked or read-protected flash (RM0377 §3.7.4 lists these causes for
 * L0 WRPERR), so on pages the option bytes leave open it is a flash failure (exit 7). The
 * protected ranges are read only when such a flag is set.
 */
export async function throwOnFlashError(
  status: number,
  flags: readonly StatusFlag[],
  operation: FlashOperation,
  range?: AddressRange,
  protectedRanges?: ProtectedRanges,
): Promise<void> {
  const set = flagsSet(status, flags);
  if (set.length === 0) return;
  const where = range ? ` at ${formatRange(range)}` : '';
  const title =
    operation === 'option-bytes'
      ? 'Option-byte write'
      : operation === 'erase'
        ? 'Erase'
        : 'Program';
  const what = `${title} failed${where}: ${set.map(describeFlag).join(', ')} (status 0x${hex(status)})`;
  const details = { status, flags: set, range };
  const refused = set.some((f) => writeProtectFlags.has(f));
  let notProtected = '';
  if (refused && operation !== 'option-bytes') {
    const blocked = await protectedWithin(range, protectedRanges);
    if (blocked !== undefined && blocked.length > 0) {
      throw new FlashwrightError(
        'WRITE_PROTECTED',
        `${what}; the option bytes write-protect ${formatRanges(blocked)}`,
        { details: { ...details, writeProtected: blocked } },
      );
    }
    notProtected =
      blocked === undefined
        ? '; whether the option bytes protect it could not be read'
        : '; the option bytes do not write-protect it';
  }
  const message = `${what}${notProtected}`;
  if (operation === 'option-bytes') {
    throw new FlashwrightError('FLASH_OPTION_BYTES_FAILED', message, { details });
  }
  const hint = refused
    ? 'This is not write protection: the controller refused the operation, as it does when it is locked or read protection is active (after a reset or an option reload during the run, for example); `flashwright doctor` shows the chip’s protection.'
    : set.some((f) => notErasedFlags.has(f))
      ? 'The flash was not erased there. Use `erase: auto` (or mass) before write.'
      : operation === 'program' && set.every((f) => requestFlags.has(f))
        ? 'The controller rejected the write size, alignment or sequence: this is a bug in flashwright; re-run with -v and report it.'
        : 'Reset the target and run the recipe again; if it persists, check the supply voltage.';
  throw new FlashwrightError(
    operation === 'erase' ? 'FLASH_ERASE_FAILED' : 'FLASH_PROGRAM_FAILED',
    message,
    { details, hint },
  );
}

/**
 * The write-protected ranges that overlap `range`; undefined when that cannot be told (no
 * range, no reader, or the option bytes could not be read).
 */
async function protectedWithin(
  range: AddressRange | undefined,
  protectedRanges: ProtectedRanges | undefined,
): Promise<AddressRange[] | undefined> {
  if (range === undefined || protectedRanges === undefined) return undefined;
  try {
    return (await protectedRanges()).filter((p) => rangesOverlap(p, range));
  } catch {
    return undefined;
  }
}
