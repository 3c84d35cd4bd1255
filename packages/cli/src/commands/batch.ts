import { hostname } from 'node:os';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { RecipeProduction } from '@flashwright/core/runner';
import type { BoardResult } from '@flashwright/production';
import { runCommand, type CommandContext, type CommandResult } from '../context.js';
import { importProduction } from '../production.js';
import { parseInteger, withCommonOptions, withExamples, type CommonOptions } from '../options.js';
import { reportRecipe } from './execute.js';

interface BatchOptions extends CommonOptions {
  readonly all?: boolean;
  readonly serials?: readonly string[];
  readonly index?: string;
  readonly jobs?: number;
  readonly watch?: boolean;
  readonly station?: string;
  readonly database?: string;
  readonly force?: boolean;
  readonly pollMs?: number;
}

export function registerBatch(program: Command): void {
  const command = withCommonOptions(
    program
      .command('batch')
      .argument('[recipe]', 'recipe file (the same as -c)')
      .description(
        'Program many boards with one recipe, each through the whole pipeline, with serial numbers and a production log',
      ),
  )
    .option('--all', 'every connected probe of the recipe’s transport (the default)')
    .option('--serials <list>', 'only these probes, by serial: S1,S2', (text: string) =>
      text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    )
    .option('--index <list>', 'only these probes, by position in `flashwright probes`: 0-7,9')
    .option('-j, --jobs <n>', 'boards programmed at once (default: all of them)', parsePositive)
    .option('--watch', 'station mode: wait for boards and program each as it appears, until Ctrl-C')
    .option(
      '--station <name>',
      'this station’s name in the log (default: production.station, else the host name)',
    )
    .option(
      '--database <location>',
      'production database: SQLite file or postgres:// URL (overrides production.database)',
    )
    .option('--force', 'rewrite every sector the image touches, changed or not')
    .addOption(
      // For tests and slow USB hubs: how often station mode looks for boards.
      new Option('--poll-ms <ms>', 'station mode: how often probes are polled')
        .argParser(parsePositive)
        .hideHelp(),
    );
  withExamples(command, [
    ['flashwright batch', 'program every connected probe with flashwright.config.yaml'],
    ['flashwright batch -c line.yaml --serials 0671FF,0672FF', 'only these two probes'],
    ['flashwright batch --index 0-7 --jobs 4', 'the first eight probes, four at a time'],
    ['flashwright batch --watch', 'station mode: program boards as they are plugged in'],
    ['flashwright batch --json | jq .', 'NDJSON events tagged with the board, summary last'],
  ]);
  command.action(async (recipe: string | undefined, options: BatchOptions) =>
    runCommand('batch', options, async (ctx) => runBatchCommand(ctx, recipe, options)),
  );
}

function parsePositive(value: string): number {
  const n = parseInteger(value);
  if (n < 1) throw new InvalidArgumentError(`expected 1 or more, got ${value}`);
  return n;
}

async function runBatchCommand(
  ctx: CommandContext,
  recipe: string | undefined,
  options: BatchOptions,
): Promise<CommandResult> {
  const { FlashwrightError } = ctx.core;
  const chosen = [options.all, options.serials, options.index].filter((o) => o !== undefined);
  if (chosen.length > 1) {
    throw new FlashwrightError('USAGE', 'Give one of --all, --serials and --index', {
      hint: 'Without any of them, every connected probe is programmed.',
    });
  }
  if (options.watch === true && (options.serials !== undefined || options.index !== undefined)) {
    throw new FlashwrightError(
      'USAGE',
      '--watch programs every board that appears: it takes no --serials or --index',
    );
  }
  const resolved = await ctx.loadRecipe({ file: recipe });
  reportRecipe(ctx, resolved);
  for (const warning of resolved.warnings) ctx.reporter.message('warning', warning);
  const production = await importProduction(ctx);
  const { recipe: r } = resolved;
  const plugins = ctx.plugins(resolved.baseDir);
  for (const p of r.plugins) await plugins.add(p.name, p.options);
  if (r.probe.transport === undefined) {
    throw new FlashwrightError('RECIPE_INVALID', 'No probe transport is set', {
      hint: 'Set probe.transport in the recipe (stlink, virtual), or pass --probe TRANSPORT.',
      source: { keyPath: 'probe.transport' },
    });
  }
  const transport = await plugins.transport(r.probe.transport);
  const boardData = new production.BoardData(r.production.serial, r.production.data);

  if (ctx.options.dryRun === true) {
    const pipeline = await ctx.core.Pipeline.prepare({
      resolved,
      plugins,
      emit: ctx.reporter.event,
      signal: ctx.signal,
      yes: ctx.options.yes === true,
      confirmPhrases: ctx.options.confirm,
    });
    await pipeline.dryRun();
    const listings = await production.listProbes(resolved, transport, ctx.signal);
    const boards = production.selectBoards(listings, selectionOf(ctx, options));
    ctx.reporter.output({
      kind: 'boards',
      data: { boards },
      lines: [
        `Boards: ${boards.map((b) => b.probe).join(', ') || 'none connected'}`,
        ...perBoardLines(r.production),
      ],
    });
    return { result: { boards } };
  }

  const database = production.databaseLocation({
    flag: options.database,
    recipe: r.production.database,
    recipeDir: resolved.file === undefined ? undefined : resolved.baseDir,
    cwd: ctx.cwd,
  });
  const store = await production.openStore(database);
  try {
    const view = await (
      await import('../output/batch-view.js')
    ).createBatchView(ctx, options.watch === true);
    const runContext = {
      resolved,
      plugins: () => ctx.plugins(resolved.baseDir),
      store,
      boardData,
      station: options.station ?? r.production.station ?? hostname(),
      signal: ctx.signal,
      yes: ctx.options.yes === true,
      confirmPhrases: ctx.options.confirm,
      force: options.force,
      emit: view.event,
    };
    let results;
    if (options.watch === true) {
      ctx.reporter.message('info', 'Station: waiting for boards (Ctrl-C to stop).');
      results = await view.run(undefined, () =>
        production.runStation(runContext, transport, {
          ...production.defaultStationOptions,
          ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
          ...(options.jobs === undefined ? {} : { jobs: options.jobs }),
        }),
      );
    } else {
      const listings = await production.listProbes(resolved, transport, ctx.signal);
      const boards = production.selectBoards(listings, selectionOf(ctx, options));
      if (boards.length === 0) {
        throw new FlashwrightError(
          'PROBE_NOT_FOUND',
          `No ${r.probe.transport} probe is connected`,
          {
            hint: 'Connect the probes and check them with `flashwright probes`.',
          },
        );
      }
      results = await view.run(boards, () =>
        production.runBatch(runContext, boards, options.jobs ?? boards.length),
      );
    }
    const { resultJson, summaryTable } = await import('../output/batch-view.js');
    ctx.reporter.output({
      kind: 'batch',
      data: { boards: results.map(resultJson) },
      lines: ['', ...summaryTable(results)],
    });
    if (options.watch === true) {
      // Only Ctrl-C stops a station: 130, whatever the boards did (each is in the table).
      const failed = results.filter((b) => b.status !== 'pass').length;
      throw new FlashwrightError(
        'INTERRUPTED',
        `Station stopped after ${results.length} boards (${failed} not passed)`,
      );
    }
    const worst = production.worstResult(results);
    if (worst !== undefined) throw batchFailure(ctx, worst, results.length);
    return { result: { boards: results.map(resultJson) } };
  } finally {
    await store.close();
  }
}

function selectionOf(ctx: CommandContext, options: BatchOptions) {
  if (options.serials !== undefined) return { kind: 'serials', serials: options.serials } as const;
  if (options.index !== undefined) {
    return { kind: 'indexes', indexes: parseIndexes(ctx, options.index) } as const;
  }
  return { kind: 'all' } as const;
}

/** What --dry-run says each board gets besides the image. */
function perBoardLines(production: RecipeProduction): string[] {
  const lines = ['Each board: its chip’s unique ID is read and logged.'];
  const { serial, data } = production;
  if (serial !== undefined) {
    const source =
      serial.source.kind === 'counter'
        ? `counted from ${serial.source.start} by ${serial.source.step}`
        : `from ${serial.source.file}`;
    lines.push(
      `Each board: a serial from pool "${serial.pool}" (${source}), written at 0x${serial.address.toString(16).toUpperCase().padStart(8, '0')} as ${serial.encoding}.`,
    );
  }
  for (const field of data?.fields ?? []) {
    lines.push(
      `Each board: column "${field.column}" of ${data?.file ?? ''}, written at 0x${field.address.toString(16).toUpperCase().padStart(8, '0')} as ${field.encoding}.`,
    );
  }
  return lines;
}

/** "0-7,9": positions in the transport's list, in order, without duplicates. */
function parseIndexes(ctx: CommandContext, text: string): number[] {
  const indexes = new Set<number>();
  for (const item of text.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(item);
    const first = Number(match?.[1]);
    const last = Number(match?.[2] ?? match?.[1]);
    if (match === null || last < first || last > 1023) {
      throw new ctx.core.FlashwrightError(
        'USAGE',
        `--index ${text}: "${item}" is not a position or range`,
        {
          hint: 'Positions as `flashwright probes` lists them, from 0: --index 0-7,9',
        },
      );
    }
    for (let i = first; i <= last; i++) indexes.add(i);
  }
  return [...indexes];
}

/**
 * The batch's error: the worst board's code (so its exit code), saying how many failed; the
 * worst board's journal goes into the summary.
 */
function batchFailure(ctx: CommandContext, worst: BoardResult, total: number): Error {
  const error = worst.error;
  const code = error?.code ?? 'INTERNAL';
  return new ctx.core.FlashwrightError(
    code,
    `Board ${worst.board.probe}${worst.serial === undefined ? '' : ` (serial ${worst.serial})`} ${worst.status === 'skipped' ? 'was not started' : 'failed'}: ${error?.message ?? worst.status}`,
    {
      hint: `${error?.hint ?? ''}${total > 1 ? ` The other boards of the ${total} ran on.` : ''} Rerun the batch to finish the failed boards: each keeps its serial number.`.trim(),
      details: {
        board: worst.board.probe,
        ...(worst.journal === undefined ? {} : { journal: worst.journal }),
      },
    },
  );
}
