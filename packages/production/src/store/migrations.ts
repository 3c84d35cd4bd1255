import { FlashwrightError } from '@flashwright/core';
import type { Dialect, Driver, Sql } from './driver.js';

/**
 * A schema change. Versions count up from 1; each runs once, in order, in the transaction
 * that records it in schema_migrations. Never edit a released migration: add the next one.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(d: Dialect): readonly string[];
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'serials and attempts',
    up: (d) => [
      // One row per pool: the next sequence never handed out. Allocation locks this row.
      `CREATE TABLE pools (
        pool TEXT PRIMARY KEY,
        next_sequence INTEGER NOT NULL
      )`,
      `CREATE TABLE serials (
        pool TEXT NOT NULL REFERENCES pools (pool),
        sequence INTEGER NOT NULL,
        chip_uid TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('bound', 'voided')),
        station TEXT NOT NULL,
        allocated_at ${d.timeColumn} NOT NULL,
        voided_at ${d.timeColumn},
        void_reason TEXT,
        PRIMARY KEY (pool, sequence)
      )`,
      // A chip holds at most one live serial per pool; a voided one no longer binds it.
      `CREATE UNIQUE INDEX serials_bound_chip ON serials (pool, chip_uid) WHERE state = 'bound'`,
      `CREATE TABLE attempts (
        id ${d.idColumn},
        started_at ${d.timeColumn} NOT NULL,
        finished_at ${d.timeColumn},
        station TEXT NOT NULL,
        probe TEXT NOT NULL,
        chip_uid TEXT,
        device TEXT,
        image_sha256 TEXT NOT NULL,
        pool TEXT,
        sequence INTEGER,
        serial_text TEXT,
        recipe TEXT,
        result TEXT CHECK (result IN ('pass', 'fail')),
        error_code TEXT,
        exit_code INTEGER,
        durations_ms ${d.jsonColumn},
        journal ${d.jsonColumn}
      )`,
    ],
  },
  {
    version: 2,
    name: 'indexes for the log filters',
    up: () => [
      'CREATE INDEX attempts_serial ON attempts (pool, sequence)',
      'CREATE INDEX attempts_chip ON attempts (chip_uid)',
      'CREATE INDEX attempts_started ON attempts (started_at)',
    ],
  },
];

/** The version the database is at: the highest migration recorded, 0 for an empty database. */
export async function schemaVersion(driver: Driver, sql: Sql = driver): Promise<number> {
  if (!(await driver.tableExists(sql, 'schema_migrations'))) return 0;
  const rows = await sql.query<{ version: number | string | null }>(
    'SELECT max(version) AS version FROM schema_migrations',
  );
  return Number(rows[0]?.version ?? 0);
}

/**
 * Applies the migrations the database lacks, in one transaction that holds the migration
 * lock: a process that waits for it sees the schema the other one left and applies nothing.
 */
export async function migrate(
  driver: Driver,
  list: readonly Migration[] = migrations,
): Promise<void> {
  const newest = list.at(-1)?.version ?? 0;
  await driver.transaction(async (sql) => {
    await driver.lockForMigration(sql);
    await sql.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at ${driver.dialect.timeColumn} NOT NULL
      )`,
    );
    const current = await schemaVersion(driver, sql);
    if (current > newest) {
      throw new FlashwrightError(
        'DATABASE_TOO_NEW',
        `The production database ${driver.location} is at schema version ${current}; this flashwright knows versions up to ${newest}`,
      );
    }
    for (const migration of list) {
      if (migration.version <= current) continue;
      for (const statement of migration.up(driver.dialect)) await sql.query(statement);
      await sql.query(
        `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ${driver.dialect.now})`,
        [migration.version, migration.name],
      );
    }
  });
}
