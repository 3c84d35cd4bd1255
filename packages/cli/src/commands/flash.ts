import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { ProbeListing } from '@flashwright/core/plugin';
import type {
  RecipeImage,
  RecipeStep,
  ResolvedRecipe,
  ValueSource,
} from '@flashwright/core/runner';
import { runCommand, type CommandContext, type CoreModule } from '../context.js';
import { parseInteger, withCommonOptions, withExamples, type CommonOptions } from '../options.js';
import { executeRecipe, reportRecipe } from './execute.js';
import { findTheProbe, probeSpec } from './find-probe.js';

interface FlashOptions extends CommonOptions {
  readonly base?: number;
  readonly chip?: string;
  readonly erase?: 'auto' | 'mass';
  /** false with --no-verify */
  readonly verify: boolean;
  /** false with --no-reset */
  readonly reset: boolean;
}

export function registerFlash(program: Command): void {
  const command = withCommonOptions(
    program
      .command('flash')
      .argument('<file>', 'image file: Intel HEX, S-record, ELF, or a raw binary with --base')
      .description(
        'Program a file, no recipe needed: find the probe, identify the chip, erase, write, verify, reset',
      ),
  )
    .option('--base <address>', 'load address of a raw binary, e.g. 0x08000000', parseInteger)
    .option(
      '--chip <part>',
      'the part expected, e.g. STM32F411RE (another is an error); with --probe virtual, the part simulated',
    )
    .addOption(
      new Option(
        '--erase <mode>',
        'auto: only the sectors the image touches (default); mass: the whole flash (needs --yes or --confirm mass-erase)',
      ).choices(['auto', 'mass']),
    )
    .option(
      '--no-verify',
      'skip the verify (the run is then reported unverified); it reads the flash back or has the chip compute its CRC-32, whichever is estimated faster (verify: readback | crc in a recipe fixes the way)',
    )
    .option('--no-reset', 'leave the chip halted after writing');
  command.addHelpText(
    'after',
    '\nA recipe found as `run` finds one (or named with -c) supplies defaults: the probe, the\ntarget, plugins, and the options of its erase, verify and reset steps.\n',
  );
  withExamples(command, [
    ['flashwright flash build/app.hex', 'the one connected probe; the chip is identified'],
    ['flashwright flash app.bin --base 0x08000000', 'a raw binary needs its load address'],
    ['flashwright flash app.elf --chip STM32F411RE', 'refuse any other part'],
    [
      'flashwright flash app.hex --probe virtual --chip STM32F411RE',
      'rehearse on a simulated F411',
    ],
    [
      'flashwright flash app.hex --probe gdb:localhost:3333',
      'through a GDB server (OpenOCD, QEMU)',
    ],
    ['flashwright flash app.hex --erase mass --yes', 'erase the whole flash first'],
    ['flashwright flash app.hex --dry-run', 'show what would be erased and written'],
    ['flashwright flash app.hex --json', 'NDJSON events, summary last (for CI)'],
  ]);
  command.action(async (file: string, options: FlashOptions) =>
    runCommand('flash', options, async (ctx) => {
      const loaded = await ctx.loadRecipe({ optional: true, flags: { device: options.chip } });
      let resolved = flashRecipe(ctx.core, loaded, resolve(ctx.cwd, file), options);
      try {
        if (resolved.recipe.probe.transport === undefined) {
          if (options.dryRun === true) {
            ctx.reporter.message(
              'info',
              'No probe named: a real run uses the one connected probe (not searched in a dry run).',
            );
          } else {
            resolved = withProbe(ctx.core, resolved, await searchProbe(ctx, resolved));
          }
        }
        reportRecipe(ctx, resolved);
        return await executeRecipe(ctx, resolved);
      } catch (error) {
        throw inFlashTerms(ctx, error, file);
      }
    }),
  );
}

/**
 * The recipe `flash` runs: the loaded one (or defaults, environment and flags) with FILE as
 * its image and flash's own steps, each taking the recipe's options where it has that step.
 */
function flashRecipe(
  core: CoreModule,
  loaded: ResolvedRecipe,
  file: string,
  options: FlashOptions,
): ResolvedRecipe {
  const { recipe } = loaded;
  // The recipe's entry for this very file knows its base and format.
  const known = recipe.images.find((i) => i.file === file);
  const image: RecipeImage = {
    file,
    format: known?.format,
    base: options.base ?? known?.base,
    keyPath: 'image',
  };
  const fromRecipe = (id: string): RecipeStep | undefined => recipe.steps.find((s) => s.id === id);
  const step = (id: string, stepOptions: unknown = null): RecipeStep => ({
    id,
    options: stepOptions,
    keyPath: 'flash',
  });
  const steps = [
    step('connect'),
    options.erase === undefined
      ? (fromRecipe('erase') ?? step('erase', 'auto'))
      : step('erase', options.erase),
    step('write'),
    ...(options.verify ? [fromRecipe('verify') ?? step('verify')] : []),
    ...(options.reset ? [fromRecipe('reset') ?? step('reset', { run: true })] : []),
  ];
  const withImage = replaceValues(
    core,
    { ...loaded, recipe: { ...recipe, images: [image], steps } },
    { image: image.base === undefined ? file : { file, base: image.base } },
    { kind: 'command', origin: 'flash FILE' },
  );
  return replaceValues(
    core,
    withImage,
    { steps: steps.map((s) => (s.options === null ? s.id : { [s.id]: s.options })) },
    { kind: 'command', origin: 'flash' },
  );
}

/** The search's probe, as if the recipe named it. */
function withProbe(
  core: CoreModule,
  resolved: ResolvedRecipe,
  probe: ProbeListing,
): ResolvedRecipe {
  const { recipe } = resolved;
  const found = { transport: probe.transport, serial: probe.serial };
  return replaceValues(
    core,
    { ...resolved, recipe: { ...recipe, probe: { ...recipe.probe, ...found } } },
    { 'probe.transport': found.transport, 'probe.serial': found.serial },
    { kind: 'command', origin: `flash: the one connected probe, ${probeSpec(probe)}` },
  );
}

/** The search runs on the recipe's plugins too, so that their transports are asked. */
async function searchProbe(ctx: CommandContext, resolved: ResolvedRecipe): Promise<ProbeListing> {
  const plugins = ctx.plugins(resolved.baseDir);
  for (const p of resolved.recipe.plugins) await plugins.add(p.name, p.options);
  // A command-line mistake is reported before any hardware is looked at.
  for (const image of resolved.recipe.images) await ctx.core.loadImage(image, plugins);
  return findTheProbe(ctx, plugins);
}

/**
 * `merged` and `sources` with values replaced by key path ("image", "probe.transport"), for
 * --dry-run, -v and --json. Undefined values are removed.
 */
function replaceValues(
  core: CoreModule,
  resolved: ResolvedRecipe,
  values: Readonly<Record<string, unknown>>,
  source: ValueSource,
): ResolvedRecipe {
  const keys = Object.keys(values);
  const replaced = (key: string): boolean =>
    keys.some((k) => key === k || key.startsWith(`${k}.`) || key.startsWith(`${k}[`));
  const sources = Object.entries(resolved.sources).filter(([key]) => !replaced(key));
  const merged: Record<string, unknown> = { ...resolved.merged };
  for (const [keyPath, value] of Object.entries(values)) {
    const [head, ...rest] = keyPath.split('.');
    if (head === undefined) continue;
    let node = merged;
    let key = head;
    for (const next of rest) {
      const child = node[key];
      node = node[key] =
        typeof child === 'object' && child !== null
          ? { ...(child as Record<string, unknown>) }
          : {};
      key = next;
    }
    if (value === undefined) delete node[key];
    else {
      node[key] = value;
      sources.push([keyPath, source]);
    }
  }
  return {
    ...resolved,
    merged,
    sources: core.sourcesByKeyPath(sources),
  };
}

/**
 * Errors that name what `flash` itself set, said in its own terms: a raw binary without
 * --base is a command-line mistake, FILE is relative to the current directory, and an
 * unconfirmed step of flash's is confirmed with a flag (there is no recipe step to add the
 * phrase to).
 */
function inFlashTerms(ctx: CommandContext, error: unknown, file: string): unknown {
  const { FlashwrightError, isFlashwrightError } = ctx.core;
  if (!isFlashwrightError(error)) return error;
  if (error.code === 'IMAGE_BASE_REQUIRED') {
    return new FlashwrightError('USAGE', error.message, {
      hint: `Give its load address with --base, e.g. \`flashwright flash ${file} --base 0x08000000\`.`,
      cause: error,
      details: error.details,
    });
  }
  if (error.code === 'IMAGE_NOT_FOUND') {
    return new FlashwrightError(error.code, error.message, {
      hint: 'Build the firmware first, or fix the path (relative to the current directory).',
      cause: error.cause,
    });
  }
  if (error.code === 'CONFIRMATION_REQUIRED' && error.source?.keyPath === 'flash') {
    return new FlashwrightError(error.code, error.message, {
      hint: `Pass --yes or --confirm ${String(error.details?.['confirm'])}.`,
      source: error.source,
      details: error.details,
    });
  }
  return error;
}
