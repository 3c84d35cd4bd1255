import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FlashwrightError } from '../errors/flashwright-error.js';
import { looksLikePluginPackage, pluginShortNames, unknownPluginError } from './known-plugins.js';
import { PLUGIN_API_VERSION, type FlashwrightPlugin, type PluginFactory } from './types.js';

/** Resolves a package specifier to a module URL, or returns undefined when not found there. */
export type ModuleResolver = (specifier: string) => string | undefined;

/** A resolver that looks where Node would look for a file in `directory`. */
export function resolverFrom(directory: string): ModuleResolver {
  const require = createRequire(join(directory, 'noop.js'));
  return (specifier) => {
    try {
      return pathToFileURL(require.resolve(specifier)).href;
    } catch {
      return undefined;
    }
  };
}

/** What a plugin spec in a recipe refers to. */
export type PluginReference =
  | { readonly kind: 'package'; readonly spec: string; readonly packageName: string }
  | { readonly kind: 'path'; readonly spec: string; readonly path: string };

/** Short name, package name or path (relative to `baseDir`). */
export function parsePluginSpec(spec: string, baseDir: string): PluginReference {
  if (spec.startsWith('.') || isAbsolute(spec)) {
    return { kind: 'path', spec, path: resolve(baseDir, spec) };
  }
  return { kind: 'package', spec, packageName: pluginShortNames[spec] ?? spec };
}

export interface LoadedPlugin {
  /** As written in the recipe. */
  readonly spec: string;
  /** Package name or path. */
  readonly id: string;
  readonly url: string;
  readonly plugin: FlashwrightPlugin;
}

export interface PluginLoaderOptions {
  /** Directory relative plugin paths are resolved against (the recipe's). */
  readonly baseDir: string;
  /**
   * Where package names are looked up, in order. The CLI passes the recipe's directory
   * (project-installed plugins) and then its own dependencies (the built-in plugins).
   */
  readonly resolvers: readonly ModuleResolver[];
  /** Imports a module URL; replaceable in tests. */
  readonly importModule?: ((url: string) => Promise<unknown>) | undefined;
}

/**
 * Loads plugin packages on demand: only what a command needs is imported, which keeps
 * `flashwright --version` and `--help` fast. Each plugin is loaded once per options value.
 */
export class PluginLoader {
  readonly #options: PluginLoaderOptions;
  readonly #cache = new Map<string, Promise<LoadedPlugin>>();

  constructor(options: PluginLoaderOptions) {
    this.#options = options;
  }

  load(spec: string, options: Readonly<Record<string, unknown>> = {}): Promise<LoadedPlugin> {
    const key = `${spec}\u0000${JSON.stringify(options)}`;
    let loading = this.#cache.get(key);
    if (loading === undefined) {
      loading = this.#load(spec, options);
      this.#cache.set(key, loading);
    }
    return loading;
  }

  /** True when the spec can be resolved (for "is the plugin installed?" questions). */
  isInstalled(spec: string): boolean {
    const ref = parsePluginSpec(spec, this.#options.baseDir);
    return ref.kind === 'path'
      ? existsSync(ref.path)
      : this.#resolve(ref.packageName) !== undefined;
  }

  async #load(spec: string, options: Readonly<Record<string, unknown>>): Promise<LoadedPlugin> {
    const ref = parsePluginSpec(spec, this.#options.baseDir);
    const url = ref.kind === 'path' ? pathPluginUrl(ref.path, spec) : this.#resolvePackage(ref);
    const id = ref.kind === 'path' ? ref.path : ref.packageName;
    let module: unknown;
    try {
      module = await (this.#options.importModule ?? ((u: string) => import(u)))(url);
    } catch (error) {
      throw new FlashwrightError(
        'PLUGIN_INVALID',
        `Plugin ${id} failed to load: ${messageOf(error)}`,
        {
          cause: error,
          hint: 'Reinstall the plugin; if it is your own, run its build and check its imports.',
        },
      );
    }
    return { spec, id, url, plugin: instantiate(module, id, options) };
  }

  #resolvePackage(ref: Extract<PluginReference, { kind: 'package' }>): string {
    const url = this.#resolve(ref.packageName);
    if (url !== undefined) return url;
    const name = ref.packageName;
    // A bare word that is none of our short names is no package to tell anyone to install.
    if (!looksLikePluginPackage(name)) throw unknownPluginError(ref.spec);
    const shortNote = ref.spec === name ? '' : ` (${ref.spec})`;
    throw new FlashwrightError(
      'PLUGIN_NOT_INSTALLED',
      `Plugin ${name}${shortNote} is not installed`,
      {
        hint: `Install it in your project: \`pnpm add -D ${name}\` or \`npm i -D ${name}\`.`,
        details: {
          plugin: name,
          install: { pnpm: `pnpm add -D ${name}`, npm: `npm i -D ${name}` },
        },
      },
    );
  }

  #resolve(packageName: string): string | undefined {
    for (const resolver of this.#options.resolvers) {
      const url = resolver(packageName);
      if (url !== undefined) return url;
    }
    return undefined;
  }
}

/** A plugin given by path: a module file, or a package directory (its main export). */
function pathPluginUrl(path: string, spec: string): string {
  if (!existsSync(path)) {
    throw new FlashwrightError('PLUGIN_NOT_INSTALLED', `Plugin ${spec} not found at ${path}`, {
      hint: 'Plugin paths are relative to the recipe file that names them.',
    });
  }
  if (!statSync(path).isDirectory()) return pathToFileURL(path).href;
  const manifest = join(path, 'package.json');
  let entry = 'index.js';
  if (existsSync(manifest)) {
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
    entry = packageEntry(pkg) ?? entry;
  }
  const file = resolve(path, entry);
  if (!existsSync(file)) {
    throw new FlashwrightError(
      'PLUGIN_INVALID',
      `Plugin ${spec}: entry point ${file} does not exist`,
      {
        hint: 'Build the plugin, or point its package.json "exports" (or "main") at the module.',
      },
    );
  }
  return pathToFileURL(file).href;
}

/** The main entry of a package.json: exports["."] (import/default), else main. */
function packageEntry(pkg: Record<string, unknown>): string | undefined {
  const pick = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && value !== null) {
      const conditions = value as Record<string, unknown>;
      return pick(conditions['.']) ?? pick(conditions.import) ?? pick(conditions.default);
    }
    return undefined;
  };
  return pick(pkg.exports) ?? (typeof pkg.main === 'string' ? pkg.main : undefined);
}

/** Calls the module's `plugin(options)` and checks what it returns. */
function instantiate(
  module: unknown,
  id: string,
  options: Readonly<Record<string, unknown>>,
): FlashwrightPlugin {
  const factory = (module as { plugin?: unknown } | undefined)?.plugin;
  if (typeof factory !== 'function') {
    const hasDefault = (module as { default?: unknown } | undefined)?.default !== undefined;
    throw new FlashwrightError(
      'PLUGIN_INVALID',
      `${id} does not export a function named "plugin"`,
      {
        hint: hasDefault
          ? 'Export the factory by name: `export function plugin(options) { ... }` (default exports are not used).'
          : 'A plugin module exports `plugin(options)`, returning { meta, transports?, families?, formats?, steps? }. See docs/plugins.md.',
      },
    );
  }
  let plugin: unknown;
  try {
    plugin = (factory as PluginFactory)(options);
  } catch (error) {
    if (error instanceof FlashwrightError) throw error;
    throw new FlashwrightError(
      'PLUGIN_INVALID',
      `${id}: plugin(options) threw: ${messageOf(error)}`,
      {
        cause: error,
        hint: 'Check the plugin options in the recipe.',
      },
    );
  }
  return checkPlugin(plugin, id);
}

function checkPlugin(value: unknown, id: string): FlashwrightPlugin {
  const invalid = (what: string): FlashwrightError =>
    new FlashwrightError('PLUGIN_INVALID', `${id}: plugin(options) returned ${what}`, {
      hint: 'It must return { meta: { name, version, apiVersion }, transports?, families?, formats?, steps? }. See docs/plugins.md.',
    });
  if (typeof value !== 'object' || value === null) throw invalid('no object');
  const plugin = value as Partial<FlashwrightPlugin>;
  const meta = plugin.meta;
  if (
    meta === undefined ||
    typeof meta.name !== 'string' ||
    typeof meta.version !== 'string' ||
    typeof meta.apiVersion !== 'number'
  ) {
    throw invalid('no valid meta { name, version, apiVersion }');
  }
  if (meta.apiVersion !== PLUGIN_API_VERSION) {
    throw new FlashwrightError(
      'PLUGIN_API_MISMATCH',
      `${meta.name}@${meta.version} was built for plugin API ${meta.apiVersion}; this flashwright uses API ${PLUGIN_API_VERSION}`,
      {
        hint:
          meta.apiVersion > PLUGIN_API_VERSION
            ? 'Update flashwright, or install an older version of the plugin.'
            : `Update the plugin: \`pnpm add -D ${meta.name}@latest\`.`,
        details: { plugin: meta.name, apiVersion: meta.apiVersion, expected: PLUGIN_API_VERSION },
      },
    );
  }
  for (const slot of ['transports', 'families', 'formats', 'steps'] as const) {
    if (plugin[slot] !== undefined && !Array.isArray(plugin[slot]))
      throw invalid(`a non-list "${slot}"`);
  }
  return plugin as FlashwrightPlugin;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
