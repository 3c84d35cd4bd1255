import { FlashwrightError } from '@flashwright/core';
import type { Driver, Sql, SqlValue } from './driver.js';
import { migrate, schemaVersion } from './migrations.js';
import type {
  AllocateSerialRequest,
  AllocatedSerial,
  AttemptFilter,
  AttemptResult,
  AttemptRow,
  FinishAttempt,
  ProductionStore,
  SerialRow,
  SerialState,
  StartAttempt,
} from './types.js';

/** Test seams: called inside a transaction, before it commits. */
export interface StoreHooks {
  beforeCommit?(operation: 'allocateSerial'): Promise<void>;
}

export function createStore(driver: Driver, hooks: StoreHooks = {}): ProductionStore {
  return new SqlStore(driver, hooks);
}

/** The store's logic, once for both backends: the SQL below runs on SQLite and PostgreSQL. */
class SqlStore implements ProductionStore {
  readonly kind;
  readonly location;

  constructor(
    private readonly driver: Driver,
    private readonly hooks: StoreHooks,
  ) {
    this.kind = driver.kind;
    this.location = driver.location;
  }

  migrate(): Promise<void> {
    return migrate(this.driver);
  }

  schemaVersion(): Promise<number> {
    return schemaVersion(this.driver);
  }

  async allocateSerial(request: AllocateSerialRequest): Promise<AllocatedSerial> {
    for (let tries = 1; ; tries++) {
      // A chip seen before gets its serial back at the cost of one read, without a lock.
      const bound = await this.driver.query<{ sequence: number }>(
        "SELECT sequence FROM serials WHERE pool = ? AND chip_uid = ? AND state = 'bound'",
        [request.pool, request.chipUid],
      );
      if (bound[0] !== undefined) {
        return { sequence: Number(bound[0].sequence), reused: true, wasVoided: false };
      }
      try {
        return await this.driver.transaction((sql) => this.#bindNew(sql, request));
      } catch (error) {
        // Another process bound this chip since the read above (the unique index on bound
        // chips refused the second binding, and its transaction rolled back): read again.
        if (tries >= 3 || !this.driver.isUniqueViolation(error)) throw error;
      }
    }
  }

  /**
   * Binds the chip to the lowest voided serial (when asked) or the next one. The pool's row
   * is locked from the first statement to the commit (SQLite: the whole file, from BEGIN
   * IMMEDIATE), so allocations in a pool are serialised and the counter has no gaps.
   */
  async #bindNew(sql: Sql, request: AllocateSerialRequest): Promise<AllocatedSerial> {
    const { pool, chipUid, station } = request;
    const { now, forUpdate } = this.driver.dialect;
    if (request.reuseVoided === true) {
      const locked = await sql.query(`SELECT pool FROM pools WHERE pool = ?${forUpdate}`, [pool]);
      const voided =
        locked.length === 0
          ? []
          : await sql.query<{ sequence: number | null }>(
              "SELECT min(sequence) AS sequence FROM serials WHERE pool = ? AND state = 'voided'",
              [pool],
            );
      const sequence = voided[0]?.sequence;
      if (sequence !== null && sequence !== undefined) {
        await sql.query(
          `UPDATE serials SET chip_uid = ?, state = 'bound', station = ?, allocated_at = ${now},
             voided_at = NULL, void_reason = NULL
           WHERE pool = ? AND sequence = ?`,
          [chipUid, station, pool, sequence],
        );
        await this.hooks.beforeCommit?.('allocateSerial');
        return { sequence: Number(sequence), reused: false, wasVoided: true };
      }
    }
    // One statement takes the lock and moves the counter: the lock is held for this, the
    // insert and the commit, no longer.
    const take = () =>
      sql.query<{ sequence: number }>(
        'UPDATE pools SET next_sequence = next_sequence + 1 WHERE pool = ? RETURNING next_sequence - 1 AS sequence',
        [pool],
      );
    let taken = await take();
    if (taken[0] === undefined) {
      // The pool's first serial. Two first allocations may both insert: the second waits
      // for the first to commit, then does nothing.
      await sql.query(
        'INSERT INTO pools (pool, next_sequence) VALUES (?, 0) ON CONFLICT (pool) DO NOTHING',
        [pool],
      );
      taken = await take();
    }
    const sequence = Number(taken[0]?.sequence);
    await sql.query(
      `INSERT INTO serials (pool, sequence, chip_uid, state, station, allocated_at)
       VALUES (?, ?, ?, 'bound', ?, ${now})`,
      [pool, sequence, chipUid, station],
    );
    await this.hooks.beforeCommit?.('allocateSerial');
    return { sequence, reused: false, wasVoided: false };
  }

  voidSerial(pool: string, sequence: number, reason: string): Promise<void> {
    const { now } = this.driver.dialect;
    return this.driver.transaction(async (sql) => {
      const rows = await sql.query<{ state: SerialState }>(
        'SELECT state FROM serials WHERE pool = ? AND sequence = ?',
        [pool, sequence],
      );
      const state = rows[0]?.state;
      if (state === undefined) {
        throw new FlashwrightError(
          'SERIAL_UNKNOWN',
          `Serial ${sequence} of pool "${pool}" was never handed out, so it cannot be voided`,
          { details: { pool, sequence } },
        );
      }
      if (state === 'voided') return;
      await sql.query(
        `UPDATE serials SET state = 'voided', voided_at = ${now}, void_reason = ?
         WHERE pool = ? AND sequence = ?`,
        [reason, pool, sequence],
      );
    });
  }

  async startAttempt(a: StartAttempt): Promise<number> {
    const rows = await this.driver.query<{ id: number | string }>(
      `INSERT INTO attempts (started_at, station, probe, chip_uid, device, image_sha256, pool,
         sequence, serial_text, recipe)
       VALUES (${this.driver.dialect.now}, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        a.station,
        a.probe,
        a.chipUid ?? null,
        a.device ?? null,
        a.imageSha256,
        a.pool ?? null,
        a.sequence ?? null,
        a.serialText ?? null,
        a.recipe ?? null,
      ],
    );
    return Number(rows[0]?.id);
  }

  async finishAttempt(id: number, o: FinishAttempt): Promise<void> {
    const rows = await this.driver.query(
      `UPDATE attempts SET finished_at = ${this.driver.dialect.now}, result = ?, error_code = ?,
         exit_code = ?, durations_ms = ?, journal = ?
       WHERE id = ? RETURNING id`,
      [
        o.result,
        o.errorCode ?? null,
        o.exitCode,
        JSON.stringify(o.durationsMs),
        o.journal === undefined ? null : JSON.stringify(o.journal),
        id,
      ],
    );
    if (rows.length === 0) {
      throw new FlashwrightError('INTERNAL', `No attempt ${id} in the production database`);
    }
  }

  async attempts(filter: AttemptFilter = {}): Promise<readonly AttemptRow[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const add = (clause: string, value?: SqlValue): void => {
      where.push(clause);
      if (value !== undefined) params.push(value);
    };
    if (filter.pool !== undefined) add('pool = ?', filter.pool);
    if (filter.chipUid !== undefined) add('chip_uid = ?', filter.chipUid);
    if (filter.result === 'unfinished') add('result IS NULL');
    else if (filter.result !== undefined) add('result = ?', filter.result);
    if (filter.since !== undefined) add('started_at >= ?', filter.since.toISOString());
    const rows = await this.driver.query<Record<string, unknown>>(
      `SELECT * FROM attempts${where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`} ORDER BY id`,
      params,
    );
    return rows.map(attemptRow);
  }

  async serials(pool?: string): Promise<readonly SerialRow[]> {
    const latest = (column: string): string =>
      `(SELECT ${column} FROM attempts a WHERE a.pool = s.pool AND a.sequence = s.sequence
        ORDER BY a.id DESC LIMIT 1)`;
    const rows = await this.driver.query<Record<string, unknown>>(
      `SELECT s.*, ${latest('serial_text')} AS serial_text,
         ${latest("COALESCE(result, 'unfinished')")} AS last_result
       FROM serials s${pool === undefined ? '' : ' WHERE s.pool = ?'}
       ORDER BY s.pool, s.sequence`,
      pool === undefined ? [] : [pool],
    );
    return rows.map(serialRow);
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}

function attemptRow(r: Record<string, unknown>): AttemptRow {
  return {
    id: Number(r.id),
    startedAt: date(r.started_at) ?? new Date(Number.NaN),
    finishedAt: date(r.finished_at),
    station: String(r.station),
    probe: String(r.probe),
    chipUid: text(r.chip_uid),
    device: text(r.device),
    imageSha256: String(r.image_sha256),
    pool: text(r.pool),
    sequence: int(r.sequence),
    serialText: text(r.serial_text),
    recipe: text(r.recipe),
    result: (text(r.result) ?? 'unfinished') as AttemptResult,
    errorCode: text(r.error_code),
    exitCode: int(r.exit_code),
    durationsMs: json(r.durations_ms) as Record<string, number> | undefined,
    journal: json(r.journal),
  };
}

function serialRow(r: Record<string, unknown>): SerialRow {
  return {
    pool: String(r.pool),
    sequence: Number(r.sequence),
    chipUid: String(r.chip_uid),
    state: r.state as SerialState,
    station: String(r.station),
    allocatedAt: date(r.allocated_at) ?? new Date(Number.NaN),
    voidedAt: date(r.voided_at),
    voidReason: text(r.void_reason),
    serialText: text(r.serial_text),
    lastResult: text(r.last_result) as AttemptResult | undefined,
  };
}

/** SQLite keeps times as ISO text, PostgreSQL as timestamptz (pg gives a Date). */
function date(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  return typeof value === 'string' ? new Date(value) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function int(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

/** SQLite keeps JSON as text, PostgreSQL as jsonb (pg parses it). */
function json(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}
