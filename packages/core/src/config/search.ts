import { existsSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { readRecipe, type RecipeFile } from './files.js';

/** What the search looks for in each directory, first match wins. */
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

/** A directory holding one of these is a project root: the search goes no higher. */
const projectRootMarkers = ['package.json', '.git'] as const;

/**
 * The directories searched for a recipe, nearest first: from `cwd` up to the project root
 * (the nearest directory with package.json or .git), and never above `home`. Outside the
 * home directory with no project root above, only `cwd` itself: a recipe may be code, and
 * a directory such as /tmp is writable by everyone.
 */
export function searchDirectories(cwd: string, home: string = homedir()): string[] {
  const start = resolve(cwd);
  const stop = realPath(home);
  const dirs: string[] = [];
  for (let dir = start; ;) {
    dirs.push(dir);
    if (dir === stop || realPath(dir) === stop) return dirs;
    if (projectRootMarkers.some((m) => existsSync(join(dir, m)))) return dirs;
    const parent = dirname(dir);
    if (parent === dir) return [start];
    dir = parent;
  }
}

/** Searches the directories of searchDirectories for the first recipe. */
export async function searchRecipe(cwd: string, home?: string): Promise<RecipeFile | undefined> {
  for (const dir of searchDirectories(cwd, home)) {
    for (const place of recipeSearchPlaces) {
      const file = join(dir, place);
      if (!isFile(file)) continue;
      const values = await readRecipe(file);
      if (values !== undefined) return { file, values };
    }
  }
  return undefined;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function realPath(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return resolve(path);
  }
}
