import { isAbsolute, resolve } from 'node:path';
import type { OpenStoreOptions, ProductionStore, StoreKind } from './types.js';

/** What a database location names: a PostgreSQL URL or an SQLite file. */
export function storeKind(location: string): StoreKind {
  return /^postgres(ql)?:\/\//i.test(location) ? 'postgres' : 'sqlite';
}

/**
 * Opens the production database at `location`: a `postgres://` or `postgresql://` URL is a
 * PostgreSQL database, anything else an SQLite file (relative to options.baseDir), created
 * if missing. The schema is migrated to the newest version unless options.migrate is false.
 * Each backend's driver (better-sqlite3, pg) is imported only when it is used.
 */
export async function openStore(
  location: string,
  options: OpenStoreOptions = {},
): Promise<ProductionStore> {
  const store =
    storeKind(location) === 'postgres'
      ? await (await import('./postgres.js')).openPostgresStore(location, options)
      : await (
          await import('./sqlite.js')
        ).openSqliteStore(
          isAbsolute(location) ? location : resolve(options.baseDir ?? process.cwd(), location),
          options,
        );
  if (options.migrate !== false) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}
