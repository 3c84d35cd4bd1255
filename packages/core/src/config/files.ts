import { readFileSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type Alias,
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
} from 'yaml';
import { FlashwrightError } from '../errors/flashwright-error.js';
import { fileKind, fileTooLarge, MAX_FILE_BYTES } from '../util/bounded-file.js';
import { lineOf, makeIssue, recipeInvalid } from './issues.js';
import { findJsonSyntaxError } from './json-syntax.js';
import { isPlainObject } from './key-path.js';
import { describeUnsafeKey, findUnsafeKeys } from './unsafe-keys.js';

/** A recipe file as read from disk, before validation. */
export interface RecipeFile {
  readonly file: string;
  readonly values: Record<string, unknown>;
}

/**
 * `code`: the recipe is a program (JavaScript or TypeScript) and loading it runs it.
 * `data`: YAML or JSON (a file without extension, like `.flashwrightrc`, is YAML), only read.
 */
export type RecipeFileKind = 'code' | 'data';

const codeExtensions: readonly string[] = ['.js', '.mjs', '.cjs', '.ts', '.mts'];
const dataExtensions: readonly string[] = ['.json', '.yaml', '.yml', ''];

/** What loading `file` does, by its extension; undefined for a file that is no recipe. */
export function recipeFileKind(file: string): RecipeFileKind | undefined {
  const ext = extname(file);
  if (codeExtensions.includes(ext)) return 'code';
  if (dataExtensions.includes(ext)) return 'data';
  return undefined;
}

/**
 * Reads one recipe file. Undefined when it holds nothing: an empty file, a YAML document of
 * comments only, a package.json without a "flashwright" key, a module without a default export.
 * cosmiconfig's loaders are used for TypeScript only: its explorer would also read
 * `.config/config.*` in the cwd (which may set search places or be JavaScript) and follow
 * `$import` keys from any file, a YAML `$import: ./x.mjs` included.
 */
export async function readRecipe(file: string): Promise<Record<string, unknown> | undefined> {
  const kind = recipeFileKind(file);
  if (kind === undefined) {
    throw new FlashwrightError(
      'RECIPE_PARSE',
      `${file} is not a recipe file: flashwright reads .yaml, .yml and .json recipes, and runs .js, .mjs, .cjs, .ts and .mts ones`,
      { source: { file }, hint: 'Rename the recipe, e.g. to flashwright.config.yaml.' },
    );
  }
  let config: unknown;
  try {
    config = kind === 'code' ? await runModule(file) : readData(file);
  } catch (error) {
    throw parseFailure(error, file);
  }
  if (config === undefined || config === null) return undefined;
  return recipeObject(config, file);
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
  // Reading loads the whole file: bound it as every other input file is.
  if (stats.size > MAX_FILE_BYTES) {
    throw fileTooLarge('Recipe file', file, `${stats.size} bytes`, MAX_FILE_BYTES, { file });
  }
  return { file, values: (await readRecipe(file)) ?? {} };
}

async function runModule(file: string): Promise<unknown> {
  const ext = extname(file);
  if (ext === '.ts' || ext === '.mts') {
    // cosmiconfig (and through it TypeScript) is loaded for TypeScript recipes only.
    const { defaultLoaders } = await import('cosmiconfig');
    return defaultLoaders['.ts'](file, readFileSync(file, 'utf8'));
  }
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  return module.default;
}

function readData(file: string): unknown {
  // A byte order mark is no content (editors on Windows may write one).
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return undefined;
  if (extname(file) !== '.json') return parseYaml(file, text);
  const value = parseJson(file, text);
  return basename(file) === 'package.json' && isPlainObject(value) ? value.flashwright : value;
}

/**
 * YAML through the `yaml` package (YAML 1.2: `0x08000000` is a number, duplicate keys are
 * errors), so that error positions match the ones validation reports. `<<` merge keys stay
 * off (YAML 1.2 has none, so `<<` is an unknown key); aliases are capped by the package's
 * maxAliasCount (100), against documents that expand exponentially.
 */
function parseYaml(file: string, text: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, merge: false, lineCounter });
  const error = doc.errors[0];
  if (error !== undefined) {
    const at = error.linePos?.[0];
    const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw syntaxError(file, at?.line, at?.col, message, 'Fix the YAML syntax there.', error);
  }
  keepRawOptionValues(doc);
  try {
    return doc.toJS() as unknown;
  } catch (cause) {
    throw aliasFailure(doc, lineCounter, file, cause);
  }
}

/**
 * Aliases are resolved by toJS: one without its anchor, or too many of them, fails there,
 * with no position. Point at the first alias that does not resolve, else at the first one.
 */
function aliasFailure(
  doc: Document,
  lines: LineCounter,
  file: string,
  cause: unknown,
): FlashwrightError {
  const aliases: Alias[] = [];
  visit(doc, { Alias: (_, node) => void aliases.push(node) });
  const culprit = aliases.find((a) => a.resolve(doc) === undefined) ?? aliases[0];
  const at = culprit?.range?.[0];
  const position = at === undefined ? undefined : lines.linePos(at);
  const message = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0] ?? '';
  return syntaxError(
    file,
    position?.line,
    position?.col,
    message,
    'Fix the YAML alias there.',
    cause,
  );
}

/**
 * YAML reads an unquoted `0x02` as the number 2, and for an option field with named
 * values the number 2 is a name (RDP level 2), while the text "0x02" is the raw byte
 * (RDP level 1). Option values written in hex or octal keep their text so that they stay
 * raw register values, as written.
 */
function keepRawOptionValues(doc: Document): void {
  const steps = doc.get('steps');
  if (!isSeq(steps)) return;
  for (const step of steps.items) {
    const options = isMap(step) ? step.get('option-bytes') : undefined;
    if (!isMap(options)) continue;
    for (const { value } of options.items) {
      if (isScalar(value) && typeof value.value === 'number' && value.format !== undefined)
        value.value = value.source;
    }
  }
}

/**
 * JSON.parse for the value; on an error, the line and column come from findJsonSyntaxError,
 * because Node's message gives a position for some errors only (and a line in newer versions).
 */
function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const at = findJsonSyntaxError(text);
    const message = at?.message ?? (cause instanceof Error ? cause.message : String(cause));
    throw syntaxError(file, at?.line, at?.column, message, 'Fix the JSON syntax there.', cause);
  }
}

function syntaxError(
  file: string,
  line: number | undefined,
  column: number | undefined,
  message: string,
  hint: string,
  cause: unknown,
): FlashwrightError {
  const where =
    line === undefined ? file : `${file}:${line}${column === undefined ? '' : `:${column}`}`;
  return new FlashwrightError('RECIPE_PARSE', `${where}: ${message}`, {
    source: { file, line, column },
    cause,
    hint,
  });
}

/** Checks a loaded recipe's shape, and refuses keys that would pollute prototypes when merged. */
function recipeObject(config: unknown, file: string): Record<string, unknown> {
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
  const unsafe = findUnsafeKeys(config);
  if (unsafe.length > 0) {
    throw recipeInvalid(
      unsafe.map((u) => makeIssue(u.path, describeUnsafeKey(u), { kind: 'file', origin: file })),
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
