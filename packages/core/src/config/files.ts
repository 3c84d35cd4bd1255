import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { cosmiconfig, defaultLoaders, type Loader } from 'cosmiconfig';
import { type Alias, type Document, LineCounter, parseDocument, visit } from 'yaml';
import { FlashwrightError } from '../errors/flashwright-error.js';
import { fileKind, fileTooLarge, MAX_FILE_BYTES } from '../util/bounded-file.js';
import { lineOf } from './issues.js';
import { isPlainObject } from './key-path.js';

/** Where cosmiconfig looks for a recipe, in each directory from the cwd up to the project root. */
export const recipeSearchPlaces = [
  'flashwright.config.ts',
  'flashwright.config.mts',
  'flashwright.config.js',
  'flashwright.config.mjs',
  'flashwright.config.cjs',
  'flashwright.config.json',
  'flashwright.config.yaml',
  'flashwright.config.yml',
  '.flashwrightrc',
  '.flashwrightrc.json',
  '.flashwrightrc.yaml',
  '.flashwrightrc.yml',
  '.flashwrightrc.js',
  '.flashwrightrc.mjs',
  '.flashwrightrc.cjs',
  'package.json',
] as const;

/** A recipe file as read from disk, before validation. */
export interface RecipeFile {
  readonly file: string;
  readonly values: Record<string, unknown>;
}

/**
 * YAML through the `yaml` package (YAML 1.2: `0x08000000` is a number, duplicate keys are
 * errors), so that error positions match the ones validation reports.
 */
const loadYaml: Loader = (filepath, content) => {
  const lineCounter = new LineCounter();
  const doc = parseDocument(content, { prettyErrors: true, lineCounter });
  const error = doc.errors[0];
  if (error !== undefined) {
    const line = error.linePos?.[0].line;
    throw new FlashwrightError(
      'RECIPE_PARSE',
      `${filepath}${line === undefined ? '' : `:${line}`}: ${error.message.split('\n')[0]}`,
      { source: { file: filepath }, cause: error, hint: 'Fix the YAML syntax at that line.' },
    );
  }
  try {
    return doc.toJS() as unknown;
  } catch (cause) {
    throw aliasFailure(doc, lineCounter, filepath, cause);
  }
};

/**
 * Aliases are resolved by toJS: one without its anchor, or too many of them, fails there,
 * with no position. Point at the first alias that does not resolve, else at the first one.
 */
function aliasFailure(
  doc: Document,
  lines: LineCounter,
  filepath: string,
  cause: unknown,
): FlashwrightError {
  const aliases: Alias[] = [];
  visit(doc, { Alias: (_, node) => void aliases.push(node) });
  const culprit = aliases.find((a) => a.resolve(doc) === undefined) ?? aliases[0];
  const at = culprit?.range?.[0];
  const message = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return new FlashwrightError(
    'RECIPE_PARSE',
    `${filepath}${at === undefined ? '' : `:${lines.linePos(at).line}`}: ${message}`,
    { source: { file: filepath }, cause, hint: 'Fix the YAML alias at that line.' },
  );
}

const typeScriptLoader = defaultLoaders['.ts'];

function explorer() {
  return cosmiconfig('flashwright', {
    searchStrategy: 'project',
    searchPlaces: [...recipeSearchPlaces],
    loaders: {
      '.yaml': loadYaml,
      '.yml': loadYaml,
      noExt: loadYaml,
      '.mts': typeScriptLoader,
    },
    cache: false,
  });
}

/** Searches from `cwd` upward (stopping at the project root) for a recipe. */
export async function searchRecipe(cwd: string): Promise<RecipeFile | undefined> {
  let result;
  try {
    result = await explorer().search(cwd);
  } catch (error) {
    throw parseFailure(error);
  }
  if (result === null) return undefined;
  return { file: result.filepath, values: asRecipeObject(result.config, result.filepath) };
}

/** Loads one recipe file (from -c, or a file named by `extends`). */
export async function loadRecipeFile(path: string): Promise<RecipeFile> {
  const file = resolve(path);
  const stats = statSync(file, { throwIfNoEntry: false });
  if (stats === undefined || !stats.isFile()) {
    const problem = stats === undefined ? 'does not exist' : `is ${fileKind(stats)}, not a file`;
    throw new FlashwrightError('RECIPE_NOT_FOUND', `Recipe file ${file} ${problem}`, {
      source: { file },
      hint: 'Check the path given with -c (or in `extends`).',
    });
  }
  // The loaders read the whole file: bound it as every other input file is.
  if (stats.size > MAX_FILE_BYTES) {
    throw fileTooLarge('Recipe file', file, `${stats.size} bytes`, MAX_FILE_BYTES, { file });
  }
  let result;
  try {
    result = await explorer().load(file);
  } catch (error) {
    throw parseFailure(error, file);
  }
  return { file, values: asRecipeObject(result?.config, file) };
}

function asRecipeObject(config: unknown, file: string): Record<string, unknown> {
  if (config === undefined || config === null) return {};
  if (!isPlainObject(config)) {
    const line = lineOf(file, []);
    throw new FlashwrightError(
      'RECIPE_INVALID',
      `${file}${line === undefined ? '' : `:${line}`}: a recipe must be a mapping of keys (probe, target, image, steps), not ${Array.isArray(config) ? 'a list' : typeof config}`,
      {
        source: { file },
        hint: 'Start each top-level key at the start of a line, e.g. "image: app.hex".',
      },
    );
  }
  return config;
}

/** Turns a loader failure into RECIPE_PARSE, with a fix for a TypeScript recipe without TypeScript. */
export function parseFailure(error: unknown, file?: string): FlashwrightError {
  if (error instanceof FlashwrightError) return error;
  const filepath =
    file ??
    (isPlainObject(error) && typeof error.filepath === 'string' ? error.filepath : undefined);
  const message = error instanceof Error ? error.message : String(error);
  const code = isPlainObject(error) ? error.code : undefined;
  if (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    /['"]typescript['"]/.test(message)
  ) {
    return new FlashwrightError(
      'RECIPE_PARSE',
      `${filepath ?? 'The recipe'} is written in TypeScript, but the typescript package is not installed`,
      {
        cause: error,
        source: { file: filepath },
        hint: 'Install it in your project (`pnpm add -D typescript` or `npm i -D typescript`), or write the recipe as flashwright.config.yaml.',
      },
    );
  }
  return new FlashwrightError(
    'RECIPE_PARSE',
    `${filepath ?? 'The recipe'} cannot be read: ${message.split('\n').slice(0, 3).join(' ')}`,
    { cause: error, source: { file: filepath }, hint: 'Fix the syntax error named above.' },
  );
}

/** Directory relative paths in a file are resolved against. */
export function baseDirOf(file: string): string {
  return dirname(file);
}
