/**
 * The production database: which serial number each chip got, and one log row per
 * programming attempt. Two backends keep the same data: an SQLite file (one station, or
 * several processes on one machine) and PostgreSQL (several stations).
 */

/** How an attempt ended; `unfinished` is an attempt whose process never reported back. */
export type AttemptResult = 'pass' | 'fail' | 'unfinished';

export interface AllocateSerialRequest {
  /** The counter the serial comes from (e.g. the recipe's serial-number name). */
  readonly pool: string;
  /** The chip's unique ID as text (e.g. 96-bit STM32 UID in hex). */
  readonly chipUid: string;
  /** Who asks: the station's name (host name by default). */
  readonly station: string;
  /** Hand out the lowest voided sequence before a new one. */
  readonly reuseVoided?: boolean;
}

export interface AllocatedSerial {
  /** The sequence number in the pool: 0 for the first serial ever handed out, then 1, 2, … */
  readonly sequence: number;
  /** The chip already had this serial (a rerun of the same board, failed or not). */
  readonly reused: boolean;
  /** The sequence had been voided and is handed out again (only with reuseVoided). */
  readonly wasVoided: boolean;
}

export interface StartAttempt {
  readonly station: string;
  /** The probe that programs the board (its serial, or the spec it was opened with). */
  readonly probe: string;
  readonly chipUid?: string | undefined;
  /** The device name (STM32F411xC/E) or part (STM32F411RE). */
  readonly device?: string | undefined;
  /** SHA-256 of the image as programmed (with the per-board data in it), lower-case hex. */
  readonly imageSha256: string;
  readonly pool?: string | undefined;
  readonly sequence?: number | undefined;
  /** The serial as written into the image (e.g. "SN-000123"). */
  readonly serialText?: string | undefined;
  /** The recipe file, for the record. */
  readonly recipe?: string | undefined;
}

export interface FinishAttempt {
  readonly result: 'pass' | 'fail';
  /** The FlashwrightError code of a failure. */
  readonly errorCode?: string | undefined;
  readonly exitCode: number;
  /** Time per step (connect, erase, write, verify, …) in milliseconds. */
  readonly durationsMs: Readonly<Record<string, number>>;
  /** The flash journal of a failure (erased, written and unknown ranges); any JSON value. */
  readonly journal?: unknown;
}

export interface AttemptRow {
  readonly id: number;
  readonly startedAt: Date;
  readonly finishedAt: Date | undefined;
  readonly station: string;
  readonly probe: string;
  readonly chipUid: string | undefined;
  readonly device: string | undefined;
  readonly imageSha256: string;
  readonly pool: string | undefined;
  readonly sequence: number | undefined;
  readonly serialText: string | undefined;
  readonly recipe: string | undefined;
  readonly result: AttemptResult;
  readonly errorCode: string | undefined;
  readonly exitCode: number | undefined;
  readonly durationsMs: Readonly<Record<string, number>> | undefined;
  readonly journal: unknown;
}

export type SerialState = 'bound' | 'voided';

export interface SerialRow {
  readonly pool: string;
  readonly sequence: number;
  /** The chip the serial was handed to (kept after voiding, for the record). */
  readonly chipUid: string;
  readonly state: SerialState;
  readonly station: string;
  readonly allocatedAt: Date;
  readonly voidedAt: Date | undefined;
  readonly voidReason: string | undefined;
  /** The serial text of the newest attempt that used this serial. */
  readonly serialText: string | undefined;
  /** The result of the newest attempt that used this serial; undefined when none started. */
  readonly lastResult: AttemptResult | undefined;
}

export interface AttemptFilter {
  readonly pool?: string | undefined;
  readonly chipUid?: string | undefined;
  readonly result?: AttemptResult | undefined;
  /** Attempts started at or after this time. */
  readonly since?: Date | undefined;
}

export interface ProductionStore {
  /** `sqlite` or `postgres`. */
  readonly kind: StoreKind;
  /** The file path or the URL without its password, for messages. */
  readonly location: string;
  /** Brings the schema to the newest version; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /**
   * The serial of this chip in this pool: the one already bound to chipUid (whether its
   * earlier attempts failed or not), else the next sequence number never handed out (voided
   * ones are skipped unless reuseVoided), bound to chipUid atomically across processes and
   * stations. No sequence is ever bound to two chips, and sequences have no gaps except
   * voided ones.
   */
  allocateSerial(request: AllocateSerialRequest): Promise<AllocatedSerial>;
  /**
   * Voids a handed-out serial (its board was abandoned): it is never handed out again unless
   * asked, and its chip, if it comes back, gets a new one. Voiding a voided serial changes
   * nothing; a sequence never handed out is an error (SERIAL_UNKNOWN).
   */
  voidSerial(pool: string, sequence: number, reason: string): Promise<void>;
  /** Logs the start of an attempt; returns its id. Unfinished until finishAttempt. */
  startAttempt(attempt: StartAttempt): Promise<number>;
  finishAttempt(id: number, outcome: FinishAttempt): Promise<void>;
  /** Attempts, oldest first. */
  attempts(filter?: AttemptFilter): Promise<readonly AttemptRow[]>;
  /** Serials, by pool then sequence. */
  serials(pool?: string): Promise<readonly SerialRow[]>;
  /** The schema version the database is at (0 before migrate). */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'postgres';

export interface OpenStoreOptions {
  /** Relative file paths are resolved from here (the recipe's directory); default: cwd. */
  readonly baseDir?: string | undefined;
  /** SQLite: how long to wait for another process's write lock (default 30 s). */
  readonly busyTimeoutMs?: number | undefined;
  /** PostgreSQL: connections in the pool (default 4). */
  readonly maxConnections?: number | undefined;
  /** Run migrate() on open (default true). */
  readonly migrate?: boolean | undefined;
  /** SQLite: create the file when it does not exist (default true; false: DATABASE_UNAVAILABLE). */
  readonly create?: boolean | undefined;
}

/** The database file used when the recipe names none, next to the recipe. */
export const DEFAULT_DATABASE_FILE = 'flashwright-production.db';
