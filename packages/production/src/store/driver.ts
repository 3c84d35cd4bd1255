import type { StoreKind } from './types.js';

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | null;

/** Runs statements on one connection (or inside one transaction). */
export interface Sql {
  /** Runs one statement with `?` placeholders; returns its rows (none for a statement without). */
  query<Row = Record<string, unknown>>(text: string, params?: readonly SqlValue[]): Promise<Row[]>;
}

/**
 * What the store needs of a backend. The SQL the store writes is common to SQLite (3.35 or
 * newer: RETURNING, ON CONFLICT, partial indexes) and PostgreSQL; the differences are here.
 */
export interface Driver extends Sql {
  readonly kind: StoreKind;
  /** The file path, or the URL without its password. */
  readonly location: string;
  readonly dialect: Dialect;
  /**
   * Runs `body` in a transaction that may write: committed when it resolves, rolled back when
   * it throws (or when the process dies: both backends undo an uncommitted transaction). On
   * SQLite it holds the database's write lock from the start (BEGIN IMMEDIATE), so a
   * read-then-write cannot interleave with another process's.
   */
  transaction<T>(body: (sql: Sql) => Promise<T>): Promise<T>;
  /** Inside a transaction: waits until no other process migrates (PostgreSQL: an advisory lock). */
  lockForMigration(sql: Sql): Promise<void>;
  tableExists(sql: Sql, table: string): Promise<boolean>;
  /** The error is a unique-constraint violation (the statement's transaction is rolled back). */
  isUniqueViolation(error: unknown): boolean;
  close(): Promise<void>;
}

/** How the two backends spell types and expressions. */
export interface Dialect {
  /** An auto-numbered primary key column type. */
  readonly idColumn: string;
  /** A point in time. */
  readonly timeColumn: string;
  readonly jsonColumn: string;
  /** The current time, as an expression (stored as SQLite text or PostgreSQL timestamptz). */
  readonly now: string;
  /** Appended to a SELECT to lock the rows it reads until commit ('' where the whole file is). */
  readonly forUpdate: string;
}
