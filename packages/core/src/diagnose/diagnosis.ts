import { catalogue, type ErrorCode } from '../errors/catalogue.js';
import { FlashwrightError, type RecipeSource } from '../errors/flashwright-error.js';

/**
 * The checks `flashwright doctor` runs, in the order it runs them. Each one answers a
 * question the original bug reports left open ("is it the probe, the wiring, the chip, the
 * protection or my image?").
 */
export const doctorCheckIds = [
  'probe',
  'probe-firmware',
  'target-voltage',
  'swd',
  'device-id',
  'flash-size',
  'read-protection',
  'write-protection',
  'option-bytes',
  'ram-code',
  'image',
] as const;

export type DoctorCheckId = (typeof doctorCheckIds)[number];

/** Titles for humans, one per check. */
export const doctorCheckTitles: Readonly<Record<DoctorCheckId, string>> = {
  probe: 'Probe found and accessible',
  'probe-firmware': 'Probe firmware',
  'target-voltage': 'Target voltage',
  swd: 'SWD response',
  'device-id': 'Device identification',
  'flash-size': 'Flash size',
  'read-protection': 'Read protection (RDP)',
  'write-protection': 'Write protection',
  'option-bytes': 'Option bytes',
  'ram-code': 'Code runs from RAM (flash loader, on-chip CRC)',
  image: 'Image fits the flash',
};

/** ok: nothing to do. warn: works, but read the hint. fail: this stops a run. */
export type Verdict = 'ok' | 'warn' | 'fail' | 'skipped';

/**
 * One explanation: what was found (`message`), what to do (`hint`) and, for warnings and
 * failures, the catalogue entry (`code`) that fixes the exit code. The pipeline throws
 * the same explanation as a FlashwrightError (`diagnosisError`), so `doctor` and `run`
 * word a problem identically.
 */
export interface Diagnosis {
  readonly check: DoctorCheckId;
  readonly verdict: Verdict;
  /** One or two sentences: what is the case. */
  readonly message: string;
  readonly code?: ErrorCode | undefined;
  /** The fix, or for `ok` anything worth knowing (a quirk that was applied). */
  readonly hint?: string | undefined;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

export function ok(check: DoctorCheckId, message: string, hint?: string): Diagnosis {
  return { check, verdict: 'ok', message, hint };
}

export function skipped(check: DoctorCheckId, message: string): Diagnosis {
  return { check, verdict: 'skipped', message };
}

interface ProblemFields {
  readonly message: string;
  readonly code: ErrorCode;
  /** Defaults to the catalogue's hint for the code. */
  readonly hint?: string | undefined;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/** A warning never sets the exit code; `code` is optional (hazards no error stands for). */
export function warn(
  check: DoctorCheckId,
  fields: Omit<ProblemFields, 'code'> & { readonly code?: ErrorCode | undefined },
): Diagnosis {
  if (fields.code === undefined) return { check, verdict: 'warn', ...fields };
  return { check, verdict: 'warn', ...withHint({ ...fields, code: fields.code }) };
}

export function fail(check: DoctorCheckId, fields: ProblemFields): Diagnosis {
  return { check, verdict: 'fail', ...withHint(fields) };
}

function withHint(fields: ProblemFields): ProblemFields {
  return { ...fields, hint: fields.hint ?? catalogue[fields.code].hint };
}

/**
 * The error a failing (or warning) diagnosis stands for: the same code, message and hint.
 * `details` carry the check id so that JSON consumers can tell which check spoke.
 */
export function diagnosisError(
  diagnosis: Diagnosis,
  options: { cause?: unknown; source?: RecipeSource | undefined } = {},
): FlashwrightError {
  if (diagnosis.code === undefined) {
    throw new FlashwrightError(
      'INTERNAL',
      `The ${diagnosis.check} diagnosis (${diagnosis.verdict}) has no catalogue code`,
    );
  }
  return new FlashwrightError(diagnosis.code, diagnosis.message, {
    hint: diagnosis.hint,
    cause: options.cause,
    source: options.source,
    details: { check: diagnosis.check, ...diagnosis.details },
  });
}

/** A diagnosis from an error something else threw: its code, message and hint carry over. */
export function fromError(
  check: DoctorCheckId,
  error: FlashwrightError,
  verdict: 'warn' | 'fail' = 'fail',
): Diagnosis {
  return {
    check,
    verdict,
    message: error.message,
    code: error.code,
    hint: error.hint,
    details: error.details,
  };
}
