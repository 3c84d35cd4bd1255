import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

type ExportTarget = string | { readonly types?: string; readonly default?: string };

export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly license?: string;
  readonly type?: string;
  readonly engines?: { readonly node?: string };
  readonly types?: string;
  readonly bin?: Readonly<Record<string, string>>;
  readonly exports?: Readonly<Record<string, ExportTarget>>;
  readonly files?: readonly string[];
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
  /** Fields pnpm replaces in the published manifest (the CLI's bundle). */
  readonly publishConfig?: Partial<Pick<Manifest, 'bin' | 'exports' | 'types'>>;
}

export interface WorkspacePackage {
  /** Directory relative to the repository root, e.g. "plugins/format-ihex". */
  readonly dir: string;
  readonly manifest: Manifest;
}

/** The packages that are published: every workspace package that is not private. */
export function publishedPackages(): WorkspacePackage[] {
  const dirs = ['packages', 'plugins'].flatMap((parent) =>
    readdirSync(join(repoRoot, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`),
  );
  return [...dirs, 'configs']
    .map((dir) => ({
      dir,
      manifest: JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as Manifest,
    }))
    .filter((p) => p.manifest.private !== true)
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/** The manifest as published: publishConfig's fields replace the workspace ones. */
export function publishedManifest(manifest: Manifest): Manifest {
  return { ...manifest, ...manifest.publishConfig };
}

/** Every file an export map points at: `types` and `default` of each subpath. */
export function exportTargets(manifest: Manifest): string[] {
  return Object.values(manifest.exports ?? {}).flatMap((target) =>
    typeof target === 'string'
      ? [target]
      : [target.types, target.default].filter((t): t is string => t !== undefined),
  );
}

/**
 * Whether `files` publishes a path (as npm-packlist reads it: a listed directory includes
 * everything below it, `*` matches within a name, `**` across directories, and a later
 * `!pattern` excludes; package.json, the README and the LICENSE are always published).
 */
export function isPublished(files: readonly string[], path: string): boolean {
  const normalized = path.replace(/^\.\//, '');
  if (/^(package\.json|readme(\.[^/]*)?|licen[cs]e(\.[^/]*)?)$/i.test(normalized)) return true;
  let published = false;
  for (const entry of files) {
    const negated = entry.startsWith('!');
    const pattern = (negated ? entry.slice(1) : entry).replace(/^\.\//, '').replace(/\/$/, '');
    if (matchesPattern(pattern, normalized)) published = !negated;
  }
  return published;
}

function matchesPattern(pattern: string, path: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] ?? '';
    if (pattern.startsWith('**/', i)) {
      regex += '(?:.*/)?';
      i += 2;
    } else if (pattern.startsWith('**', i)) {
      regex += '.*';
      i += 1;
    } else if (char === '*') {
      regex += '[^/]*';
    } else {
      regex += char.replace(/[.+^${}()|[\]\\?]/g, '\\$&');
    }
  }
  // A directory includes everything below it.
  return new RegExp(`^${regex}(?:/.*)?$`).test(path);
}
