import { FlashwrightError } from '@flashwright/core';
import type { Pool, PoolClient } from 'pg';
import type { Dialect, Driver, Sql, SqlValue } from './driver.js';
import { createStore } from './store.js';
import type { OpenStoreOptions, ProductionStore } from './types.js';

const dialect: Dialect = {
  idColumn: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
  timeColumn: 'TIMESTAMPTZ',
  jsonColumn: 'JSONB',
  // The server's clock, so that stations with drifting clocks still log in order.
  now: 'clock_timestamp()',
  forUpdate: ' FOR UPDATE',
};

/** pg_advisory_xact_lock key of migrations: "flashwri" in ASCII. */
const MIGRATION_LOCK_KEY = 0x666c617368777269n;

export async function openPostgresStore(
  url: string,
  options: OpenStoreOptions,
): Promise<ProductionStore> {
  return createStore(await openPostgresDriver(url, options));
}

/**
 * A PostgreSQL database through node-postgres (pure JavaScript). Transactions run at READ
 * COMMITTED on one pooled connection each; allocation serialises on the pool's row with
 * SELECT … FOR UPDATE, and a station that dies mid-transaction has its transaction rolled back
 * by the server when the connection drops.
 */
export async function openPostgresDriver(url: string, options: OpenStoreOptions): Promise<Driver> {
  const pg = (await import('pg')).default;
  const location = withoutPassword(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 4,
    application_name: 'flashwright',
  });
  // An idle connection that breaks (server restart) must not crash the process; the next
  // query gets a fresh connection or reports the error.
  pool.on('error', () => undefined);
  const driver = new PostgresDriver(pool, location);
  // Connect now, so a wrong URL is reported at open with its reason.
  await driver.query('SELECT 1');
  return driver;
}

class PostgresDriver implements Driver {
  readonly kind = 'postgres';
  readonly dialect = dialect;

  constructor(
    private readonly pool: Pool,
    readonly location: string,
  ) {}

  async query<Row>(text: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    try {
      return (await this.pool.query(numbered(text), [...params])).rows as Row[];
    } catch (error) {
      throw databaseError(error, this.location);
    }
  }

  async transaction<T>(body: (sql: Sql) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw databaseError(error, this.location);
    }
    const sql: Sql = {
      query: async <Row>(text: string, params: readonly SqlValue[] = []) => {
        try {
          return (await client.query(numbered(text), [...params])).rows as Row[];
        } catch (error) {
          throw databaseError(error, this.location);
        }
      },
    };
    let broken: Error | undefined;
    try {
      await sql.query('BEGIN');
      const result = await body(sql);
      await sql.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is gone: the server has rolled back; do not reuse it.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async lockForMigration(sql: Sql): Promise<void> {
    await sql.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
  }

  async tableExists(sql: Sql, table: string): Promise<boolean> {
    const rows = await sql.query<{ found: string | null }>('SELECT to_regclass(?) AS found', [
      table,
    ]);
    return rows[0]?.found != null;
  }

  isUniqueViolation(error: unknown): boolean {
    // SQLSTATE 23505 unique_violation (PostgreSQL documentation, Appendix A).
    return (error as { code?: unknown }).code === '23505';
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** `?` placeholders to PostgreSQL's `$1`, `$2`, … (the store's SQL has no `?` in literals). */
function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

/**
 * SQLSTATE classes that say the server or the connection, not flashwright, is the problem
 * (PostgreSQL documentation, Appendix A, "PostgreSQL Error Codes"): 08 connection exception,
 * 28 invalid authorization, 3D invalid catalog name (no such database), 53 insufficient
 * resources, 57 operator intervention, 42501 insufficient privilege.
 */
const serverProblems = /^(08|28|3D|53|57)|^42501$/;
const networkProblems = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
]);

function databaseError(error: unknown, location: string): unknown {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const connectionEnded =
    /Connection terminated|connection is closed|Client has encountered a connection error/i.test(
      message,
    );
  if (typeof code === 'string' && (serverProblems.test(code) || networkProblems.has(code))) {
    return new FlashwrightError(
      'DATABASE_UNAVAILABLE',
      `The production database ${location} cannot be used: ${message} (${code})`,
      {
        cause: error,
        ...(code === '3D000'
          ? { hint: 'Create the database first (`createdb NAME`), or correct its name in the URL.' }
          : {}),
      },
    );
  }
  if (connectionEnded) {
    return new FlashwrightError(
      'DATABASE_UNAVAILABLE',
      `The production database ${location} cannot be used: ${message}`,
      { cause: error },
    );
  }
  return error;
}
