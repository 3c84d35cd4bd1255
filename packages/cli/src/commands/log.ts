import { InvalidArgumentError, Option, type Command } from 'commander';
import type * as Production from '@flashwright/production';
import type { AttemptResult, ProductionStore } from '@flashwright/production';
import { importProduction } from '../production.js';
import { runCommand, type CommandContext } from '../context.js';
import { parseInteger, withCommonOptions, withExamples, type CommonOptions } from '../options.js';
import type * as LogOutput from './log-output.js';

interface DatabaseOptions extends CommonOptions {
  readonly database?: string | undefined;
}

interface ListOptions extends DatabaseOptions {
  readonly format: 'table' | 'csv' | 'ndjson';
  readonly pool?: string | undefined;
}

interface AttemptsOptions extends ListOptions {
  readonly chip?: string | undefined;
  readonly result?: AttemptResult | undefined;
  readonly since?: Date | undefined;
}

interface VoidOptions extends DatabaseOptions {
  readonly reason: string;
}

/**
 * `flashwright log`: the production database (issue 14): attempts, serials, and voiding a
 * serial. @flashwright/production, and its SQLite or PostgreSQL driver, load only here.
 */
export function registerLog(program: Command): void {
  const log = program
    .command('log')
    .description(
      'Show the production log (attempts, serials) or void a serial; `log` alone is `log attempts`',
    )
    .addHelpText(
      'after',
      '\nFilters, --format and --database: `flashwright log attempts --help`, `flashwright log serials --help`.',
    );
  withExamples(log, [
    ['flashwright log', 'every programming attempt, as a table'],
    ['flashwright log --result fail --since 24h', 'what failed in the last day'],
    ['flashwright log --format csv > attempts.csv', 'export the attempts'],
    ['flashwright log serials --pool sn', 'the serials handed out, and to which chip'],
    ['flashwright log void sn 17 --reason "board cracked"', 'never hand out serial 17 again'],
    ['flashwright log --database postgres://line@db/prod', 'the log of a PostgreSQL database'],
  ]);

  const attempts = listCommand(log, 'attempts', { isDefault: true })
    .description('One row per programming attempt: time, station, probe, chip, serial, result')
    .option('--chip <uid>', 'only this chip UID')
    .addOption(
      new Option('--result <result>', 'only these results').choices(['pass', 'fail', 'unfinished']),
    )
    .option(
      '--since <when>',
      'only attempts started since then: an ISO date or time (2026-12-01, 2026-12-01T08:00Z) or an age (30m, 12h, 7d)',
      (value: string) => parseSince(value),
    );
  attempts.action(async (options: AttemptsOptions) =>
    runCommand('log', options, async (ctx) =>
      withStore(ctx, options, async (store, production) => {
        const rows = await store.attempts({
          pool: options.pool,
          chipUid: options.chip,
          result: options.result,
          since: options.since,
        });
        ctx.reporter.output({
          kind: 'attempts',
          data: { database: store.location, attempts: rows },
          lines: production.formatAttempts(rows, options.format),
        });
        return { result: { database: store.location, attempts: rows.length } };
      }),
    ),
  );

  const serials = listCommand(log, 'serials').description(
    'The serials handed out: pool, sequence, chip UID, state, the newest attempt’s result',
  );
  serials.action(async (options: ListOptions) =>
    runCommand('log', options, async (ctx) =>
      withStore(ctx, options, async (store, production) => {
        const rows = await store.serials(options.pool);
        ctx.reporter.output({
          kind: 'serials',
          data: { database: store.location, serials: rows },
          lines: production.formatSerials(rows, options.format),
        });
        return { result: { database: store.location, serials: rows.length } };
      }),
    ),
  );

  const voidCommand = withDatabase(
    withCommonOptions(
      log
        .command('void')
        .argument('<pool>', 'the serial’s pool (the recipe’s serial-number name)')
        .argument(
          '<sequence>',
          'the serial’s sequence number (`flashwright log serials`)',
          parseInteger,
        )
        .requiredOption('--reason <text>', 'why, for the record (e.g. "board cracked")')
        .description(
          'Void a serial whose board was abandoned: it is never handed out again unless the recipe allows reuse',
        ),
    ),
  );
  voidCommand.action(async (pool: string, sequence: number, options: VoidOptions) =>
    runCommand('log', options, async (ctx) =>
      withStore(ctx, options, async (store) => {
        await store.voidSerial(pool, sequence, options.reason);
        ctx.reporter.output({
          kind: 'voided',
          data: { pool, sequence, reason: options.reason },
          lines: [`Voided serial ${sequence} of pool ${pool}: ${options.reason}`],
        });
        return { result: { database: store.location, pool, sequence } };
      }),
    ),
  );
}

function listCommand(log: Command, name: string, opts: { isDefault?: boolean } = {}): Command {
  return withDatabase(
    withCommonOptions(
      log
        .command(name, opts)
        .option('--pool <name>', 'only this serial-number pool')
        .addOption(
          new Option('--format <format>', 'table, csv or ndjson (one JSON object per row)')
            .choices(['table', 'csv', 'ndjson'])
            .default('table'),
        ),
    ),
  );
}

function withDatabase(command: Command): Command {
  return command.option(
    '--database <path|url>',
    'an SQLite file or a postgres:// URL (default: the recipe’s production.database, else flashwright-production.db next to the recipe)',
  );
}

/** Opens the database the options and the recipe name, runs `body`, and closes it. */
async function withStore<T>(
  ctx: CommandContext,
  options: DatabaseOptions,
  body: (store: ProductionStore, production: ProductionModule) => Promise<T>,
): Promise<T> {
  const production = await loadProduction(ctx);
  let recipe: { database?: string | undefined; dir?: string | undefined } = {};
  if (options.database === undefined) {
    const resolved = await ctx.loadRecipe({ optional: true });
    recipe = {
      database: resolved.recipe.production.database,
      dir: resolved.file === undefined ? undefined : resolved.baseDir,
    };
  }
  const location = production.databaseLocation({
    flag: options.database,
    recipe: recipe.database,
    recipeDir: recipe.dir,
    cwd: ctx.cwd,
  });
  // Reading the log never creates an empty database where the user mistyped a path.
  const store = await production.openStore(location, { create: false });
  try {
    return await body(store, production);
  } finally {
    await store.close();
  }
}

type ProductionModule = typeof LogOutput & typeof Production;

async function loadProduction(ctx: CommandContext): Promise<ProductionModule> {
  return { ...(await importProduction(ctx)), ...(await import('./log-output.js')) };
}

/** --since: an ISO date or time, or an age such as 30m, 12h or 7d. */
export function parseSince(value: string, now = Date.now()): Date {
  const age = /^(\d+)\s*(m|h|d)$/i.exec(value.trim());
  if (age !== null) {
    const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000 }[
      (age[2] ?? 'm').toLowerCase() as 'm' | 'h' | 'd'
    ];
    return new Date(now - Number(age[1]) * unitMs);
  }
  const parsed = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(parsed.getTime())) {
    throw new InvalidArgumentError(
      `not a date or an age: ${value} (give 2026-12-01, 2026-12-01T08:00Z, 30m, 12h or 7d)`,
    );
  }
  return parsed;
}
