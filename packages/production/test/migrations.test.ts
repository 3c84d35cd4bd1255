import test from 'ava';
import { openStore } from '../src/index.js';
import type { Driver } from '../src/store/driver.js';
import { migrate, migrations } from '../src/store/migrations.js';
import { openPostgresDriver } from '../src/store/postgres.js';
import { openSqliteDriver } from '../src/store/sqlite.js';
import { createStore } from '../src/store/store.js';
import { startFixture } from './helpers/children.js';
import { backends, freshDatabase, type Backend } from './helpers/databases.js';

const newest = migrations.at(-1)?.version ?? 0;

async function openDriver(
  t: Parameters<typeof freshDatabase>[0],
  backend: Backend,
): Promise<Driver> {
  const location = await freshDatabase(t, backend);
  const driver =
    backend === 'sqlite'
      ? await openSqliteDriver(location, {})
      : await openPostgresDriver(location, {});
  t.teardown(() => driver.close());
  return driver;
}

const applied = (driver: Driver) =>
  driver.query<{ version: number; name: string }>(
    'SELECT version, name FROM schema_migrations ORDER BY version',
  );

test('migrations count up from 1 without gaps', (t) => {
  t.deepEqual(
    migrations.map((m) => m.version),
    migrations.map((_, i) => i + 1),
  );
});

for (const backend of backends(test, 'migrations')) {
  test(`${backend}: a fresh database migrates to the newest version, and again changes nothing`, async (t) => {
    const driver = await openDriver(t, backend);
    const store = createStore(driver);
    t.is(await store.schemaVersion(), 0);
    await store.migrate();
    t.is(await store.schemaVersion(), newest);
    await store.migrate();
    t.deepEqual(
      (await applied(driver)).map((r) => [r.version, r.name]),
      migrations.map((m) => [m.version, m.name]),
    );
  });

  test(`${backend}: a database at version 1 is upgraded and keeps its data`, async (t) => {
    const driver = await openDriver(t, backend);
    await migrate(driver, migrations.slice(0, 1));
    const store = createStore(driver);
    t.is(await store.schemaVersion(), 1);
    await store.allocateSerial({ pool: 'sn', chipUid: 'A', station: 'old' });
    await store.startAttempt({
      station: 'old',
      probe: 'p',
      imageSha256: '00',
      pool: 'sn',
      sequence: 0,
    });
    await store.migrate();
    t.is(await store.schemaVersion(), newest);
    t.deepEqual(
      (await applied(driver)).map((r) => r.version),
      migrations.map((m) => m.version),
    );
    t.like((await store.serials())[0], { sequence: 0, chipUid: 'A', state: 'bound' });
    t.is((await store.attempts({ pool: 'sn' })).length, 1);
    t.like(await store.allocateSerial({ pool: 'sn', chipUid: 'A', station: 'new' }), {
      sequence: 0,
      reused: true,
    });
  });

  test(`${backend}: a database from a newer flashwright is refused (DATABASE_TOO_NEW)`, async (t) => {
    const driver = await openDriver(t, backend);
    await migrate(driver);
    await driver.query(
      `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', ${driver.dialect.now})`,
      [newest + 1],
    );
    const error = await t.throwsAsync(migrate(driver));
    t.like(error, { code: 'DATABASE_TOO_NEW', exitCode: 3 });
    t.regex(error?.message ?? '', new RegExp(`version ${newest + 1}.*up to ${newest}`));
  });

  test(`${backend}: four processes migrating a fresh database at once apply each migration once`, async (t) => {
    const location = await freshDatabase(t, backend);
    const children = Array.from({ length: 4 }, (_, i) =>
      startFixture('allocator', [
        JSON.stringify({ location, station: `m${i}`, pool: 'sn', count: 1, migrateOnGo: true }),
      ]),
    );
    t.teardown(() => children.forEach((c) => c.process.kill('SIGKILL')));
    await Promise.all(children.map((c) => c.waitFor(/^ready$/)));
    for (const c of children) c.process.stdin?.end('go\n');
    t.deepEqual(
      await Promise.all(children.map((c) => c.exited)),
      [0, 0, 0, 0],
      children.map((c) => c.stderr()).join('\n'),
    );
    const store = await openStore(location, { migrate: false });
    t.teardown(() => store.close());
    t.is(await store.schemaVersion(), newest);
    t.deepEqual(
      (await store.serials()).map((s) => s.sequence),
      [0, 1, 2, 3],
    );
  });
}

test('sqlite: a file in a directory that does not exist is DATABASE_UNAVAILABLE', async (t) => {
  const error = await t.throwsAsync(openStore('/nonexistent-dir/x/production.db'));
  t.like(error, { code: 'DATABASE_UNAVAILABLE', exitCode: 3 });
  t.regex(error?.message ?? '', /nonexistent-dir/);
});

if (backends(test, 'PostgreSQL errors').includes('postgres')) {
  test('postgres: a database that does not exist, or a wrong password, is DATABASE_UNAVAILABLE', async (t) => {
    const url = new URL(process.env['FLASHWRIGHT_TEST_PG_URL'] ?? '');
    url.pathname = '/fw_no_such_database';
    const missing = await t.throwsAsync(openStore(url.toString()));
    t.like(missing, { code: 'DATABASE_UNAVAILABLE', exitCode: 3 });
    t.regex((missing as { hint?: string } | undefined)?.hint ?? '', /createdb/);
    url.pathname = '/postgres';
    url.password = 'wrong-password';
    const denied = await t.throwsAsync(openStore(url.toString()));
    t.like(denied, { code: 'DATABASE_UNAVAILABLE' });
    t.notRegex(denied?.message ?? '', /wrong-password/, 'the password is not in the message');
  });
}
