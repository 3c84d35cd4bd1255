import { isAbsolute, join, resolve } from 'node:path';
import {
  DEFAULT_DATABASE_FILE,
  type OpenStoreOptions,
  type ProductionStore,
  type StoreKind,
} from './types.js';

/**
 * Which database a command uses: the one named on the command line (a path relative to
 * `cwd`, or a URL), else the recipe's `production.database` (already absolute, or a URL),
 * else flashwright-production.db in the recipe's directory (`cwd` without a recipe).
 */
export function databaseLocation(choice: {
  readonly flag?: string | undefined;
  readonly recipe?: string | undefined;
  readonly recipeDir?: string | undefined;
  readonly cwd: string;
}): string {
  if (choice.flag !== undefined) {
    return storeKind(choice.flag) === 'postgres' ? choice.flag : resolve(choice.cwd, choice.flag);
  }
  return choice.recipe ?? join(choice.recipeDir ?? choice.cwd, DEFAULT_DATABASE_FILE);
}

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
