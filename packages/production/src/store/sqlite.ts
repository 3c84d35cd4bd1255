import { FlashwrightError } from '@flashwright/core';
import type BetterSqlite3 from 'better-sqlite3';
import type { Dialect, Driver, Sql, SqlValue } from './driver.js';
import { createStore } from './store.js';
import type { OpenStoreOptions, ProductionStore } from './types.js';

const DEFAULT_BUSY_TIMEOUT_MS = 30_000;

/**
 * Every Database and Statement object this module creates, referenced until the process
 * ends. better-sqlite3 12 wraps them in Node's raw ObjectWrap, whose destructor on Node 24
 * asserts that a Node environment is current; when the garbage collector finalises one
 * outside it (at process exit, typically) the process aborts with "Assertion failed: (env)
 * != nullptr" in node::RemoveEnvironmentCleanupHook (WiseLibs/better-sqlite3 issue 1515;
 * 13.x moved to Node-API, but 13.x does not run on Node 20). Objects that stay referenced
 * are never finalised by the collector. Statements are cached per SQL text, so this holds a
 * few dozen objects per database opened.
 */
const keepAlive: object[] = [];

const dialect: Dialect = {
  idColumn: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  timeColumn: 'TEXT',
  jsonColumn: 'TEXT',
  // The same text as Date.prototype.toISOString, so times sort and compare as strings.
  now: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
  forUpdate: '',
};

export async function openSqliteStore(
  file: string,
  options: OpenStoreOptions,
): Promise<ProductionStore> {
  return createStore(await openSqliteDriver(file, options));
}

/**
 * An SQLite file through better-sqlite3. Several processes may share the file: it is in WAL
 * mode (readers never wait for the writer), every transaction that writes starts with BEGIN
 * IMMEDIATE (it takes the write lock before reading, so two processes cannot both read the
 * same next sequence), and a process that finds the lock held waits up to the busy timeout
 * (SQLite's busy handler, https://www.sqlite.org/c3ref/busy_timeout.html) before SQLITE_BUSY.
 */
export async function openSqliteDriver(file: string, options: OpenStoreOptions): Promise<Driver> {
  let Database: typeof BetterSqlite3;
  try {
    Database = (await import('better-sqlite3')).default;
  } catch (error) {
    throw new FlashwrightError(
      'DATABASE_UNAVAILABLE',
      `The SQLite driver (better-sqlite3) cannot be loaded for ${file}: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
        hint: 'Reinstall it for this Node version: `npm rebuild better-sqlite3` (it compiles from source where no prebuilt binary downloads: a C++ compiler and Python are needed).',
      },
    );
  }
  let db: BetterSqlite3.Database;
  try {
    db = new Database(file, {
      timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
      fileMustExist: options.create === false,
    });
    // WAL: https://www.sqlite.org/wal.html. synchronous stays FULL (the default): a commit is
    // on disk before allocateSerial returns, so a power cut loses no serial handed out.
    keepAlive.push(db);
    // exec, not pragma(): pragma() prepares a Statement and drops it (see keepAlive).
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA foreign_keys = ON');
  } catch (error) {
    throw databaseError(error, file, true);
  }
  return new SqliteDriver(db, file);
}

class SqliteDriver implements Driver {
  readonly kind = 'sqlite';
  readonly dialect = dialect;
  /** better-sqlite3 is synchronous, but a transaction body awaits: one body at a time. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  constructor(
    private readonly db: BetterSqlite3.Database,
    readonly location: string,
  ) {}

  query<Row>(text: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return this.#exclusive(() => Promise.resolve(this.#run<Row>(text, params)));
  }

  transaction<T>(body: (sql: Sql) => Promise<T>): Promise<T> {
    return this.#exclusive(async () => {
      this.#exec('BEGIN IMMEDIATE');
      let result: T;
      try {
        result = await body({
          query: <Row>(text: string, params: readonly SqlValue[] = []) =>
            Promise.resolve(this.#run<Row>(text, params)),
        });
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
      try {
        this.#exec('COMMIT');
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
      return result;
    });
  }

  /** BEGIN IMMEDIATE already excludes every other writer, migrations included. */
  lockForMigration(): Promise<void> {
    return Promise.resolve();
  }

  async tableExists(sql: Sql, table: string): Promise<boolean> {
    const rows = await sql.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [
      table,
    ]);
    return rows.length > 0;
  }

  isUniqueViolation(error: unknown): boolean {
    // https://www.sqlite.org/rescode.html#constraint_unique
    return (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
  }

  close(): Promise<void> {
    return this.#exclusive(() => {
      this.db.close();
      return Promise.resolve();
    });
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #exec(text: string): void {
    try {
      this.db.exec(text);
    } catch (error) {
      throw databaseError(error, this.location);
    }
  }

  #run<Row>(text: string, params: readonly SqlValue[]): Row[] {
    try {
      let statement = this.#statements.get(text);
      if (statement === undefined) {
        statement = this.db.prepare(text);
        this.#statements.set(text, statement);
        keepAlive.push(statement);
      }
      if (statement.reader) return statement.all(...params) as Row[];
      statement.run(...params);
      return [];
    } catch (error) {
      throw databaseError(error, this.location);
    }
  }
}

/** SQLite result codes that say the file, not flashwright, is the problem (sqlite.org/rescode.html). */
const fileProblems =
  /^SQLITE_(BUSY|LOCKED|CANTOPEN|READONLY|FULL|IOERR|CORRUPT|NOTADB|PERM|AUTH|PROTOCOL)/;

function databaseError(error: unknown, file: string, always = false): unknown {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && fileProblems.test(code)) {
    const busy = code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
    return new FlashwrightError(
      'DATABASE_UNAVAILABLE',
      `The production database ${file} cannot be used: ${message} (${code})`,
      {
        cause: error,
        ...(busy
          ? {
              hint: 'Another process held the database for longer than the busy timeout; check for a stuck flashwright process on this machine. For several stations use PostgreSQL.',
            }
          : {}),
      },
    );
  }
  if (!always) return error;
  // The addon was built for another Node (ERR_DLOPEN_FAILED), or not built at all (the
  // `bindings` package found no better_sqlite3.node).
  const notBuilt =
    (error as { code?: unknown }).code === 'ERR_DLOPEN_FAILED' ||
    /Could not locate the bindings file/.test(message);
  return new FlashwrightError(
    'DATABASE_UNAVAILABLE',
    `The production database ${file} cannot be opened: ${message}`,
    {
      cause: error,
      ...(notBuilt
        ? {
            hint: 'better-sqlite3 is not built for this Node version: run `npm rebuild better-sqlite3` (in a pnpm workspace: `pnpm rebuild -r better-sqlite3`).',
          }
        : {}),
    },
  );
}
