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

  allocateSerial(request: AllocateSerialRequest): Promise<AllocatedSerial> {
    const { pool, chipUid, station } = request;
    const { now, forUpdate } = this.driver.dialect;
    return this.driver.transaction(async (sql) => {
      // Every allocation in a pool takes the pool's row lock first (SQLite: the file's write
      // lock, already held), so what is read below cannot change before the commit.
      let next = await nextSequence(sql, pool, forUpdate);
      if (next === undefined) {
        // Two first allocations may both insert: the second waits, then does nothing.
        await sql.query(
          'INSERT INTO pools (pool, next_sequence) VALUES (?, 0) ON CONFLICT (pool) DO NOTHING',
          [pool],
        );
        next = (await nextSequence(sql, pool, forUpdate)) ?? 0;
      }
      const bound = await sql.query<{ sequence: number }>(
        "SELECT sequence FROM serials WHERE pool = ? AND chip_uid = ? AND state = 'bound'",
        [pool, chipUid],
      );
      if (bound[0] !== undefined) {
        return { sequence: Number(bound[0].sequence), reused: true, wasVoided: false };
      }
      if (request.reuseVoided === true) {
        const voided = await sql.query<{ sequence: number | null }>(
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
      await sql.query(
        `INSERT INTO serials (pool, sequence, chip_uid, state, station, allocated_at)
         VALUES (?, ?, ?, 'bound', ?, ${now})`,
        [pool, next, chipUid, station],
      );
      await sql.query('UPDATE pools SET next_sequence = ? WHERE pool = ?', [next + 1, pool]);
      await this.hooks.beforeCommit?.('allocateSerial');
      return { sequence: next, reused: false, wasVoided: false };
    });
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

async function nextSequence(sql: Sql, pool: string, forUpdate: string) {
  const rows = await sql.query<{ next_sequence: number }>(
    `SELECT next_sequence FROM pools WHERE pool = ?${forUpdate}`,
    [pool],
  );
  return rows[0] === undefined ? undefined : Number(rows[0].next_sequence);
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
