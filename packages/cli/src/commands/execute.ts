import type { PipelineResult, RecipeStep, ResolvedRecipe } from '@flashwright/core/runner';
import type { CommandContext, CommandResult } from '../context.js';

/**
 * Runs a resolved recipe through core's pipeline with the command's reporter: the plan
 * for --dry-run, the steps otherwise. The probe is closed whatever happens.
 */
export async function executeRecipe(
  ctx: CommandContext,
  resolved: ResolvedRecipe,
  run: { readonly force?: boolean | undefined } = {},
): Promise<CommandResult> {
  for (const warning of resolved.warnings) ctx.reporter.message('warning', warning);
  const pipeline = await ctx.core.Pipeline.prepare({
    resolved,
    plugins: ctx.plugins(resolved.baseDir),
    emit: ctx.reporter.event,
    signal: ctx.signal,
    yes: ctx.options.yes === true,
    confirmPhrases: ctx.options.confirm,
    force: run.force,
  });
  if (ctx.options.dryRun === true) {
    await pipeline.dryRun();
    return { result: resultOf(pipeline.result()) };
  }
  try {
    await ctx.reporter.runSteps(pipeline);
  } finally {
    await pipeline.close();
  }
  const result = pipeline.result();
  return { result: resultOf(result), journal: result.journal };
}

function resultOf(result: PipelineResult): Record<string, unknown> {
  return {
    steps: result.steps.map(
      ({ index, id, status, summary, bytes, counts, durationMs, virtualMs }) => ({
        index,
        id,
        status,
        summary,
        bytes,
        counts,
        durationMs: Math.round(durationMs),
        virtualMs,
      }),
    ),
    image: result.image,
    virtualMs: result.virtualMs,
    verified: verifiedOf(result),
  };
}

/**
 * Whether what was written was also verified: true after a passing verify step, false when
 * a write ran without one (the run is then not reported as ok), undefined without a write.
 */
function verifiedOf(result: PipelineResult): boolean | undefined {
  const done = (id: string): boolean =>
    result.steps.some((s) => s.id === id && s.status === 'done');
  if (!done('write')) return undefined;
  return done('verify');
}

/** The same recipe (probe, target, plugins) with other steps: for `read`, `erase`, `info`. */
export function withSteps(resolved: ResolvedRecipe, steps: readonly RecipeStep[]): ResolvedRecipe {
  return { ...resolved, recipe: { ...resolved.recipe, steps } };
}

/**
 * A step a command builds from its arguments. Its layer is a flag, so core words its
 * errors and confirmations for the command line ("pass --yes"), not for a recipe step,
 * and a confirmation phrase could never come from it.
 */
export function commandStep(command: string, id: string, options: unknown): RecipeStep {
  return {
    id,
    options,
    keyPath: command,
    source: { kind: 'flag', origin: `flashwright ${command}` },
  };
}

/**
 * The merged recipe and where each value came from: always in --json, and for humans on
 * --dry-run or -v (the answer to "why is the speed 1800?").
 */
export function reportRecipe(ctx: CommandContext, resolved: ResolvedRecipe): void {
  const lines: string[] = [];
  if (ctx.options.dryRun === true || ctx.options.verbose === true) {
    lines.push(`Recipe: ${resolved.file ?? '(none: defaults, environment and flags)'}`);
    const width = Math.max(0, ...Object.keys(resolved.sources).map((k) => k.length));
    for (const [key, source] of Object.entries(resolved.sources)) {
      const value = JSON.stringify(valueAt(resolved.merged, key));
      lines.push(
        `  ${key.padEnd(width)}  ${truncate(value ?? '', 48)}  <- ${ctx.core.describeSource(source)}`,
      );
    }
  }
  ctx.reporter.output({
    kind: 'recipe',
    data: {
      file: resolved.file,
      recipe: resolved.merged,
      sources: resolved.sources,
      layers: resolved.layers,
    },
    lines,
  });
}

function valueAt(root: unknown, keyPath: string): unknown {
  let node = root;
  for (const match of keyPath.matchAll(/([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g)) {
    const key = match[1] ?? match[2] ?? match[3] ?? '';
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
