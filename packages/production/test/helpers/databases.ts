/**
 * Databases for the store tests: a fresh SQLite file, or a fresh PostgreSQL database on the
 * server FLASHWRIGHT_TEST_PG_URL names (.ci/start-postgres starts one and prints its URL;
 * the role must be allowed to create databases). Without the variable the PostgreSQL tests
 * skip with a message, except in CI (FLASHWRIGHT_REQUIRE_PEERS=1), where they fail.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout } from 'node:timers/promises';
import { join } from 'node:path';
import type { ExecutionContext, TestFn } from 'ava';
import pg from 'pg';

export type Backend = 'sqlite' | 'postgres';

const adminUrl = process.env['FLASHWRIGHT_TEST_PG_URL'];
const peersRequired = process.env['FLASHWRIGHT_REQUIRE_PEERS'] === '1';

/** Why the PostgreSQL tests cannot run, or undefined when they can. */
export const postgresMissing: string | undefined =
  adminUrl === undefined || adminUrl === ''
    ? 'FLASHWRIGHT_TEST_PG_URL is not set (run `export FLASHWRIGHT_TEST_PG_URL=$(.ci/start-postgres)`)'
    : undefined;

/**
 * The backends to test here. PostgreSQL is left out with a message when no server is
 * configured; in CI a test that says so fails instead.
 */
export function backends(test: TestFn, title: string): Backend[] {
  if (postgresMissing === undefined) return ['sqlite', 'postgres'];
  if (peersRequired) {
    test(`${title}: PostgreSQL is required (FLASHWRIGHT_REQUIRE_PEERS=1)`, (t) =>
      t.fail(postgresMissing));
  } else {
    console.log(`Skipping the PostgreSQL part of ${title}: ${postgresMissing}`);
  }
  return ['sqlite'];
}

/**
 * A location for a fresh, empty database of `backend`, removed when the test ends: an SQLite
 * file in a new directory, or a new PostgreSQL database.
 */
export async function freshDatabase(t: ExecutionContext, backend: Backend): Promise<string> {
  if (backend === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'fw-store-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    return join(dir, 'production.db');
  }
  const database = await createPostgresDatabase('fw_test');
  t.teardown(database.drop);
  return database.url;
}

/**
 * A new, empty PostgreSQL database on the test server, and `drop` to remove it. No ava here:
 * the end-to-end batch tests and the scale suite use it too.
 */
export async function createPostgresDatabase(
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (adminUrl === undefined) throw new Error(postgresMissing);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => dropDatabase(name) };
}

/** SQLSTATE insufficient_privilege. */
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * Drops a test database, ending the sessions still connected to it. WITH (FORCE) may
 * terminate only sessions of roles the test role is a member of; an autovacuum worker that
 * has just started on the database belongs to none, and PostgreSQL then refuses the whole
 * statement with 42501 ("must be a member of the role whose process is being terminated";
 * TerminateOtherDBBackends in src/backend/storage/ipc/procarray.c). The worker is gone
 * within moments, so the drop is tried again.
 */
async function dropDatabase(name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== INSUFFICIENT_PRIVILEGE || attempt === 50) throw error;
      await setTimeout(200);
    }
  }
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
