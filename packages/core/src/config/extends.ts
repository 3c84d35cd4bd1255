import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileKind } from '../util/bounded-file.js';
import { didYouMean } from '../util/did-you-mean.js';
import { loadRecipeFile, recipeFileKind, type RecipeFile } from './files.js';
import { makeIssue, recipeInvalid } from './issues.js';
import { isPlainObject, type KeyPath } from './key-path.js';
import type { ConfigLayer, ValueSourceKind } from './provenance.js';

const BOARD_PREFIX = 'board:';

/** True for "./x", "../x", "/x" and Windows absolute paths: resolved relative to a file. */
export function isPathLike(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || isAbsolute(spec);
}

/** The directory of the board presets shipped in @flashwright/configs. */
export function boardsDirectory(): string {
  // Resolved through the package's exports, so it works from a workspace and from node_modules.
  return dirname(fileURLToPath(import.meta.resolve('@flashwright/configs/boards/rak5205.yaml')));
}

/** Names of the board presets, for `did you mean` and docs. */
export function boardNames(): string[] {
  return readdirSync(boardsDirectory())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * Resolves one `extends` entry declared in `fromFile`: `board:NAME`, a path relative to
 * that file, or a package (resolved from that file's directory, as Node would).
 * Returns the file, or an error message.
 */
export function resolveExtends(
  spec: string,
  fromFile: string,
): { file: string } | { problem: string; suggestion?: string | undefined } {
  if (spec.startsWith(BOARD_PREFIX)) {
    const name = spec.slice(BOARD_PREFIX.length);
    const names = boardNames();
    if (names.includes(name)) return { file: resolve(boardsDirectory(), `${name}.yaml`) };
    const close = didYouMean(name, names);
    return {
      problem: `no board preset "${name}" (presets: ${names.join(', ')})`,
      suggestion: close === undefined ? undefined : `${BOARD_PREFIX}${close}`,
    };
  }
  if (isPathLike(spec)) {
    const file = resolve(dirname(fromFile), spec);
    const stats = statSync(file, { throwIfNoEntry: false });
    if (stats === undefined) return { problem: `file ${file} does not exist` };
    return stats.isFile() ? { file } : { problem: `${file} is ${fileKind(stats)}, not a file` };
  }
  try {
    return { file: createRequire(fromFile).resolve(spec) };
  } catch {
    return {
      problem: `package "${spec}" is not installed (install it with \`pnpm add -D ${packageName(spec)}\` or \`npm i -D ${packageName(spec)}\`)`,
    };
  }
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
}

/**
 * The layers of a recipe file: its `extends` chain (depth first, each base before the file
 * that extends it), then the file itself. Paths inside each layer are made absolute
 * against the file that declares them. A YAML or JSON recipe may extend only YAML or JSON
 * files (reading a data recipe never runs code); a JS or TS recipe may extend anything.
 */
export async function loadLayerChain(
  recipe: RecipeFile,
  kind: ValueSourceKind,
  chain: readonly string[] = [],
): Promise<ConfigLayer[]> {
  const { extends: bases, ...values } = recipe.values;
  const layers: ConfigLayer[] = [];
  const specs = extendsList(bases, recipe.file);
  for (const [index, spec] of specs.entries()) {
    const keyPath: KeyPath = Array.isArray(bases) ? ['extends', index] : ['extends'];
    const source = { kind, origin: recipe.file };
    const resolved = resolveExtends(spec, recipe.file);
    if ('problem' in resolved) {
      throw recipeInvalid([
        makeIssue(
          keyPath,
          `cannot extend "${spec}": ${resolved.problem}.`,
          source,
          resolved.suggestion,
        ),
      ]);
    }
    if (resolved.file === recipe.file || chain.includes(resolved.file)) {
      throw recipeInvalid([
        makeIssue(
          keyPath,
          `"${spec}" extends itself (cycle through ${[...chain, recipe.file].join(' -> ')}).`,
          source,
        ),
      ]);
    }
    if (recipeFileKind(recipe.file) === 'data' && recipeFileKind(resolved.file) === 'code') {
      throw recipeInvalid([
        makeIssue(
          keyPath,
          `cannot extend "${spec}": ${resolved.file} is a program (JavaScript or TypeScript), and a YAML or JSON recipe may extend only YAML or JSON files, so that reading it never runs code. Extend a YAML version of it, or write this recipe as flashwright.config.mjs if it should run that code.`,
          source,
        ),
      ]);
    }
    const base = await loadRecipeFile(resolved.file);
    layers.push(...(await loadLayerChain(base, 'extends', [...chain, recipe.file])));
  }
  layers.push({
    source: { kind, origin: recipe.file },
    values: resolvePaths(values, dirname(recipe.file)),
  });
  return layers;
}

function extendsList(bases: unknown, file: string): string[] {
  if (bases === undefined) return [];
  if (typeof bases === 'string') return [bases];
  if (Array.isArray(bases) && bases.every((b) => typeof b === 'string')) return bases;
  throw recipeInvalid([
    makeIssue(['extends'], 'expected a preset name, path or package, or a list of them.', {
      kind: 'file',
      origin: file,
    }),
  ]);
}

/**
 * Makes relative paths absolute against `baseDir`: image files, path-like plugin and
 * transport/family/format names, files written by `read` steps and the production database
 * file. Tolerates wrong shapes (validation reports those later).
 */
export function resolvePaths(
  values: Record<string, unknown>,
  baseDir: string,
): Record<string, unknown> {
  const out = structuredCloneSafe(values);
  const abs = (spec: unknown): unknown =>
    typeof spec === 'string' && spec.length > 0 ? resolve(baseDir, spec) : spec;
  const absIfPath = (spec: unknown): unknown =>
    typeof spec === 'string' && isPathLike(spec) ? resolve(baseDir, spec) : spec;
  const imageEntry = (entry: unknown): unknown => {
    if (typeof entry === 'string') return abs(entry);
    if (!isPlainObject(entry)) return entry;
    const copy = { ...entry };
    if ('file' in copy) copy.file = abs(copy.file);
    if ('format' in copy) copy.format = absIfPath(copy.format);
    return copy;
  };
  if (Array.isArray(out.image)) out.image = out.image.map(imageEntry);
  else if ('image' in out) out.image = imageEntry(out.image);
  if (isPlainObject(out.probe) && 'transport' in out.probe) {
    out.probe.transport = absIfPath(out.probe.transport);
  }
  if (isPlainObject(out.target) && 'family' in out.target) {
    out.target.family = absIfPath(out.target.family);
  }
  if (Array.isArray(out.plugins)) {
    out.plugins = out.plugins.map((p: unknown) =>
      Array.isArray(p) ? [absIfPath(p[0]), ...(p.slice(1) as unknown[])] : absIfPath(p),
    );
  }
  if (isPlainObject(out.production)) {
    const { serial, data } = out.production;
    if (isPlainObject(serial)) {
      if (typeof serial.csv === 'string') serial.csv = abs(serial.csv);
      else if (isPlainObject(serial.csv)) serial.csv.file = abs(serial.csv.file);
    }
    if (isPlainObject(data)) data.file = abs(data.file);
  }
  if (isPlainObject(out.production) && typeof out.production.database === 'string') {
    // A URL (postgres://…) is not a path.
    const database = out.production.database;
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(database)) out.production.database = abs(database);
  }
  if (Array.isArray(out.steps)) {
    out.steps = out.steps.map((step: unknown) => {
      if (isPlainObject(step) && isPlainObject(step.read) && typeof step.read.file === 'string') {
        return { ...step, read: { ...step.read, file: abs(step.read.file) } };
      }
      return step;
    });
  }
  return out;
}

function structuredCloneSafe(values: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(values);
  } catch {
    return { ...values };
  }
}
