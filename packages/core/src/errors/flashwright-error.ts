import { catalogue, type ErrorCode } from './catalogue.js';
import { ExitCode } from './exit-codes.js';

/** Where in a recipe a problem was found: the file, the dotted key path and 1-based position. */
export interface RecipeSource {
  readonly file?: string | undefined;
  readonly keyPath?: string | undefined;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
}

export interface FlashwrightErrorOptions {
  /** What to do about it. Defaults to the catalogue's hint for the code. */
  readonly hint?: string | undefined;
  readonly cause?: unknown;
  readonly source?: RecipeSource | undefined;
  /** Structured facts for `--json` output and for tests (addresses, ranges, values). */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Marks a FlashwrightError whichever copy of core made it. The CLI bundles its own core, and
 * a plugin installed in the project imports the project's: a plugin's error is still ours.
 */
const BRAND = Symbol.for('flashwright.error');

/**
 * The one error class flashwright throws on purpose. `code` selects the catalogue entry,
 * which fixes the exit code; `message` says what happened, `hint` what to do next.
 */
export class FlashwrightError extends Error {
  override readonly name = 'FlashwrightError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly source: RecipeSource | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: FlashwrightErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint ?? catalogue[code].hint;
    this.source = options.source;
    this.details = options.details;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `instanceof FlashwrightError` holds for errors from any copy of core (see BRAND). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== FlashwrightError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && BRAND in value;
  }

  get exitCode(): ExitCode {
    return catalogue[this.code].exitCode;
  }

  /** A plain object for NDJSON output. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      exitCode: this.exitCode,
      message: this.message,
      hint: this.hint,
      source: this.source,
      details: this.details,
      cause: this.cause instanceof Error ? this.cause.message : this.cause,
    };
  }
}

export function isFlashwrightError(error: unknown): error is FlashwrightError {
  return error instanceof FlashwrightError;
}

/** Exit code for anything thrown: catalogue codes for ours, 130 for aborts, 1 for bugs. */
export function exitCodeOf(error: unknown): ExitCode {
  if (isFlashwrightError(error)) return error.exitCode;
  if (error instanceof Error && error.name === 'AbortError') return ExitCode.interrupted;
  return ExitCode.internal;
}
