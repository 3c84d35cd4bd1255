import { dirname, resolve } from 'node:path';
import { FlashwrightError } from '../errors/flashwright-error.js';
import { loadLayerChain } from './extends.js';
import { loadRecipeFile, type RecipeFile } from './files.js';
import { clearLineCache } from './issues.js';
import { isPlainObject } from './key-path.js';
import {
  environmentLayers,
  environmentWarnings,
  flagLayers,
  type RecipeFlags,
} from './overrides.js';
import {
  forgetBelow,
  mergeLayer,
  nullPrototypeRecord,
  sourcesByKeyPath,
  type ConfigLayer,
  type ValueSource,
} from './provenance.js';
import type { Recipe } from './recipe.js';
import { searchDirectories, searchRecipe } from './search.js';
import { validateRecipe } from './validate.js';

/**
 * Values that apply when nothing else sets them. The default steps are the safe full cycle:
 * only the touched sectors are erased, and nothing is reported done without verify.
 */
export const recipeDefaults: Readonly<Record<string, unknown>> = Object.freeze({
  probe: { connect: 'normal' },
  steps: ['connect', { erase: 'auto' }, 'write', 'verify', { reset: { run: true } }],
});

export interface LoadRecipeOptions {
  /** Where the search starts and what relative env/flag paths are relative to. */
  readonly cwd?: string | undefined;
  /** `-c FILE`: use this file, no search. */
  readonly configFile?: string | undefined;
  /** Defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  readonly flags?: RecipeFlags | undefined;
  /** When no recipe file is found, continue with defaults, env and flags (e.g. `info`). */
  readonly optional?: boolean | undefined;
  /** The search never goes above this directory. Defaults to the user's home directory. */
  readonly homeDir?: string | undefined;
}

/** A recipe with where it came from, for the runner and for `run --dry-run --json`. */
export interface ResolvedRecipe {
  readonly recipe: Recipe;
  /** The merged values, paths absolute, before normalisation. */
  readonly merged: Readonly<Record<string, unknown>>;
  /** For each value (by key path, e.g. "probe.speed"), the layer that set it. */
  readonly sources: Readonly<Record<string, ValueSource>>;
  /** The recipe file, when there is one. */
  readonly file: string | undefined;
  /** The recipe file's directory (or the cwd): relative paths in transports start here. */
  readonly baseDir: string;
  /** Every layer, lowest precedence first. */
  readonly layers: readonly ValueSource[];
  /** Things worth telling the user that are not errors (e.g. a mistyped variable). */
  readonly warnings: readonly string[];
}

/**
 * Finds, loads, merges and validates the recipe. Precedence, lowest first: defaults, the
 * `extends` chain, the file, FLASHWRIGHT_* environment variables, command-line flags.
 */
export async function loadRecipe(options: LoadRecipeOptions = {}): Promise<ResolvedRecipe> {
  clearLineCache();
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const configFile = options.configFile;

  let recipeFile: RecipeFile | undefined;
  if (configFile !== undefined) {
    recipeFile = await loadRecipeFile(resolve(cwd, configFile));
  } else {
    recipeFile = await searchRecipe(cwd, options.homeDir);
    if (recipeFile === undefined && options.optional !== true) {
      const searched = searchDirectories(cwd, options.homeDir);
      throw new FlashwrightError('RECIPE_NOT_FOUND', `No recipe found in ${searched.join(', ')}`, {
        hint: 'Create flashwright.config.yaml in your project, or pass one with -c FILE. The search stops at the project root (package.json or .git) and at the home directory (README: What runs code).',
      });
    }
  }

  const layers: ConfigLayer[] = [
    { source: { kind: 'default', origin: 'defaults' }, values: structuredClone(recipeDefaults) },
  ];
  if (recipeFile !== undefined) layers.push(...(await loadLayerChain(recipeFile, 'file')));
  layers.push(...environmentLayers(env, cwd), ...flagLayers(options.flags ?? {}, cwd));

  const merged = nullPrototypeRecord();
  const sources = new Map<string, ValueSource>();
  for (const layer of layers) {
    dropProbeSelectionOnTransportChange(merged, sources, layer);
    mergeLayer(merged, sources, layer);
  }

  const recipe = validateRecipe(merged, sources);
  return {
    recipe,
    merged,
    sources: sourcesByKeyPath(sources),
    file: recipeFile?.file,
    baseDir: recipeFile === undefined ? cwd : dirname(recipeFile.file),
    layers: layers.map((l) => l.source),
    warnings: environmentWarnings(env),
  };
}

/**
 * `--probe virtual` on a recipe written for an ST-Link: the serial, index, address and
 * options of the recipe's probe belong to the other transport, so they do not carry over.
 */
function dropProbeSelectionOnTransportChange(
  merged: Record<string, unknown>,
  sources: Map<string, ValueSource>,
  layer: ConfigLayer,
): void {
  if (layer.source.kind !== 'env' && layer.source.kind !== 'flag') return;
  const next = isPlainObject(layer.values.probe) ? layer.values.probe.transport : undefined;
  const current = isPlainObject(merged.probe) ? merged.probe : undefined;
  if (typeof next !== 'string' || current === undefined || current.transport === next) return;
  for (const key of ['serial', 'index', 'address', 'options']) {
    delete current[key];
    forgetBelow(sources, ['probe', key]);
  }
}

/** Source of a value as one line, for humans: "configs/boards/rak5205.yaml (extends)". */
export function describeSource(source: ValueSource): string {
  return source.kind === 'default' ? 'defaults' : `${source.origin} (${source.kind})`;
}
