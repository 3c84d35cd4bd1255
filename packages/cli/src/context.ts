import type { FlashwrightError } from '@flashwright/core';
import type {
  JournalSummary,
  PluginSet,
  RecipeFlags,
  ResolvedRecipe,
} from '@flashwright/core/runner';
import { importPluginModule, resolveBuiltinPlugin } from './builtin-plugins.js';
import type * as FullCore from './full-core.js';
import type { CommonOptions } from './options.js';
import { JsonReporter } from './output/json-reporter.js';
import { PlainReporter } from './output/plain-reporter.js';
import type { Reporter, Summary } from './output/reporter.js';
import type * as Standalone from './standalone-core.js';

/** The parts of core the commands use: its errors, the runner, images and doctor. */
export type CoreModule = typeof FullCore;

/**
 * What the commands that need no recipe use (convert, devices, probes): errors, plugins
 * and image files, without the recipe loader (zod, yaml) and the pipeline.
 */
export type StandaloneCore = typeof Standalone;

/** What every context needs of core to load plugins. */
type PluginCore = Pick<CoreModule, 'PluginLoader' | 'PluginSet' | 'resolverFrom'>;

/** Imported when a command runs, never at start-up (see runCommand). */
function loadCore(): Promise<CoreModule> {
  return import('./full-core.js');
}

/** What a command body gets: core (loaded lazily), the reporter, and Ctrl-C. */
export interface CommandContext<Core extends PluginCore = CoreModule> {
  readonly core: Core;
  readonly options: CommonOptions;
  readonly reporter: Reporter;
  readonly signal: AbortSignal;
  readonly cwd: string;
  /** Loads the recipe; `optional` lets commands like `info` work from --probe alone. */
  loadRecipe(extra?: {
    file?: string | undefined;
    optional?: boolean;
    flags?: RecipeFlags;
  }): Promise<ResolvedRecipe>;
  /** The plugins, resolved from the recipe's directory first, then from flashwright itself. */
  plugins(baseDir: string): PluginSet;
  /**
   * The plugins of a command that needs no recipe (convert, devices, probes). It does not
   * search for a recipe, since a recipe may be a program and would run for nothing; a
   * recipe named with -c adds its plugins.
   */
  standalonePlugins(): Promise<PluginSet>;
}

export interface CommandResult {
  readonly result?: unknown;
  readonly journal?: JournalSummary | undefined;
}

/**
 * Runs a command body with a reporter, Ctrl-C handling and error mapping, then prints the
 * summary and sets the exit code. Core is imported here, not at startup, so `--version`
 * and `--help` stay fast.
 */
export function runCommand(
  command: string,
  options: CommonOptions,
  body: (ctx: CommandContext) => Promise<CommandResult | undefined>,
): Promise<void> {
  return runWith(command, options, loadCore, body);
}

/**
 * runCommand for the commands that need no recipe: they load only StandaloneCore, and the
 * recipe loader only when a recipe is named with -c.
 */
export function runStandaloneCommand(
  command: string,
  options: CommonOptions,
  body: (ctx: CommandContext<StandaloneCore>) => Promise<CommandResult | undefined>,
): Promise<void> {
  return runWith(command, options, () => import('./standalone-core.js'), body);
}

type ModuleResolver = (specifier: string) => string | undefined;

/**
 * Where a command's plugin packages resolve and their imported modules, shared by its plugin
 * sets: a batch makes one set per board (each board binds its own plugin instances), and
 * resolving every package again for each board was a good part of its cost.
 */
class PluginModules {
  readonly #resolvers = new Map<string, readonly ModuleResolver[]>();
  readonly #imports = new Map<string, Promise<unknown>>();

  /** The recipe's directory (project-installed plugins) first, then the built-in ones. */
  resolvers(baseDir: string, core: PluginCore): readonly ModuleResolver[] {
    let resolvers = this.#resolvers.get(baseDir);
    if (resolvers === undefined) {
      resolvers = [core.resolverFrom(baseDir), resolveBuiltinPlugin].map(remembered);
      this.#resolvers.set(baseDir, resolvers);
    }
    return resolvers;
  }

  readonly importModule = (url: string): Promise<unknown> => {
    let loading = this.#imports.get(url);
    if (loading === undefined) {
      loading = importPluginModule(url);
      this.#imports.set(url, loading);
    }
    return loading;
  };
}

/** A resolver that answers each specifier once. */
function remembered(resolve: ModuleResolver): ModuleResolver {
  const answers = new Map<string, string | undefined>();
  return (specifier) => {
    if (!answers.has(specifier)) answers.set(specifier, resolve(specifier));
    return answers.get(specifier);
  };
}

async function runWith<Core extends PluginCore>(
  command: string,
  options: CommonOptions,
  loadCommandCore: () => Promise<Core>,
  body: (ctx: CommandContext<Core>) => Promise<CommandResult | undefined>,
): Promise<void> {
  const started = performance.now();
  const reporter = await createReporter(options);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    reporter.message('warning', 'Stopping at the next safe point (Ctrl-C again to quit at once).');
    controller.abort(new DOMException('Interrupted by Ctrl-C', 'AbortError'));
  };
  process.on('SIGINT', onSigint);

  let outcome: CommandResult | undefined;
  let failure: FlashwrightError | undefined;
  const modules = new PluginModules();
  try {
    const loaded = await loadCommandCore();
    const cwd = process.cwd();
    const ctx: CommandContext<Core> = {
      core: loaded,
      options,
      reporter,
      signal: controller.signal,
      cwd,
      loadRecipe: async (extra = {}) =>
        (await loadCore()).loadRecipe({
          cwd,
          configFile: extra.file ?? options.config,
          optional: extra.optional,
          flags: { probe: options.probe, ...extra.flags },
        }),
      plugins: (baseDir) =>
        new loaded.PluginSet(
          new loaded.PluginLoader({
            baseDir,
            resolvers: modules.resolvers(baseDir, loaded),
            importModule: modules.importModule,
          }),
        ),
      standalonePlugins: async () => {
        if (options.config === undefined) return ctx.plugins(cwd);
        const resolved = await ctx.loadRecipe();
        const plugins = ctx.plugins(resolved.baseDir);
        for (const p of resolved.recipe.plugins) await plugins.add(p.name, p.options);
        return plugins;
      },
    };
    outcome = await body(ctx);
  } catch (error) {
    failure = await toFlashwrightError(error);
  } finally {
    process.off('SIGINT', onSigint);
  }

  const exitCode = failure?.exitCode ?? 0;
  const summary: Summary = {
    type: 'summary',
    command,
    status:
      exitCode === 0
        ? wasVerified(outcome?.result) === false
          ? 'unverified'
          : 'ok'
        : exitCode === 6
          ? 'refused'
          : exitCode === 130
            ? 'interrupted'
            : 'failed',
    exitCode,
    durationMs: Math.round(performance.now() - started),
    dryRun: options.dryRun === true,
    error: failure?.toJSON(),
    journal: outcome?.journal ?? (failure?.details?.journal as JournalSummary | undefined),
    result: outcome?.result,
  };
  reporter.finish(summary, failure);
  process.exitCode = exitCode;
}

/** A run that wrote flash without a verify step reports `verified: false` in its result. */
function wasVerified(result: unknown): boolean | undefined {
  return (result as { verified?: boolean } | undefined)?.verified;
}

async function createReporter(options: CommonOptions): Promise<Reporter> {
  const verbose = options.verbose === true;
  if (options.json === true) return new JsonReporter();
  // A terminal too narrow to draw on (or one that reports no width) gets plain lines.
  if (process.stdout.isTTY && process.env.CI === undefined && (process.stdout.columns ?? 0) >= 40) {
    // listr2 is only loaded when it will draw something.
    const { ListrReporter } = await import('./output/listr-reporter.js');
    return new ListrReporter({ verbose });
  }
  return new PlainReporter({ verbose });
}

/** Anything thrown becomes a FlashwrightError: aborts are INTERRUPTED, the rest INTERNAL. */
async function toFlashwrightError(error: unknown): Promise<FlashwrightError> {
  const c = await import('@flashwright/core');
  if (c.isFlashwrightError(error)) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return new c.FlashwrightError('INTERRUPTED', 'Interrupted', { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new c.FlashwrightError('INTERNAL', `Unexpected error: ${message}`, { cause: error });
}
