import { extname } from 'node:path';
import { FlashwrightError } from '../errors/flashwright-error.js';
import type { LoadedPlugin, PluginLoader } from './loader.js';
import type { ImageFormat, StepDefinition, TargetFamily, TransportFactory } from './types.js';
import { didYouMeanText } from '../util/did-you-mean.js';
import {
  builtinFormats,
  pluginKindName,
  unknownPluginError,
  type PluginKind,
} from './known-plugins.js';

/** Extensions of the built-in formats, so a file loads just the format it needs. */
export const formatByExtension: Readonly<Record<string, string>> = {
  '.hex': 'ihex',
  '.ihex': 'ihex',
  '.ihx': 'ihex',
  '.srec': 'srec',
  '.s19': 'srec',
  '.s28': 'srec',
  '.s37': 'srec',
  '.mot': 'srec',
  '.sx': 'srec',
  '.srecord': 'srec',
  '.elf': 'elf',
  '.axf': 'elf',
  '.out': 'elf',
  '.bin': 'bin',
};

/**
 * The plugins a command uses, loaded lazily through the PluginLoader. A name in a recipe
 * (`probe.transport: virtual`) first matches what the recipe's `plugins:` already
 * provide (by transport/family/format id), then loads as a plugin spec.
 */
export class PluginSet {
  readonly #loader: PluginLoader;
  readonly #loaded: LoadedPlugin[] = [];

  constructor(loader: PluginLoader) {
    this.#loader = loader;
  }

  get loaded(): readonly LoadedPlugin[] {
    return this.#loaded;
  }

  /** Loads a plugin (recipe `plugins:` entries, or anything by spec). */
  async add(spec: string, options: Readonly<Record<string, unknown>> = {}): Promise<LoadedPlugin> {
    const plugin = await this.#loader.load(spec, options);
    if (!this.#loaded.includes(plugin)) this.#loaded.push(plugin);
    return plugin;
  }

  async transport(spec: string): Promise<TransportFactory> {
    return this.#pick(spec, 'transport', 'transports', (p) => p.plugin.transports ?? []);
  }

  async family(spec: string): Promise<TargetFamily> {
    return this.#pick(spec, 'family', 'families', (p) => p.plugin.families ?? []);
  }

  async format(spec: string): Promise<ImageFormat> {
    return this.#pick(spec, 'format', 'formats', (p) => p.plugin.formats ?? []);
  }

  /** Families already loaded, for identification. */
  families(): TargetFamily[] {
    return this.#loaded.flatMap((p) => p.plugin.families ?? []);
  }

  formats(): ImageFormat[] {
    return this.#loaded.flatMap((p) => p.plugin.formats ?? []);
  }

  transports(): TransportFactory[] {
    return this.#loaded.flatMap((p) => p.plugin.transports ?? []);
  }

  /** A plugin step by its namespaced id, among loaded plugins. */
  step(id: string): StepDefinition | undefined {
    return this.#loaded.flatMap((p) => p.plugin.steps ?? []).find((s) => s.id === id);
  }

  stepIds(): string[] {
    return this.#loaded.flatMap((p) => (p.plugin.steps ?? []).map((s) => s.id));
  }

  /**
   * Loads every built-in plugin of a kind that is installed, skipping those that are not
   * (for `devices`, `probes` and format sniffing). Returns what could not be loaded.
   */
  async addInstalled(
    specs: readonly string[],
  ): Promise<{ spec: string; error: FlashwrightError }[]> {
    const failures: { spec: string; error: FlashwrightError }[] = [];
    for (const spec of specs) {
      try {
        await this.add(spec);
      } catch (error) {
        if (!(error instanceof FlashwrightError)) throw error;
        failures.push({ spec, error });
      }
    }
    return failures;
  }

  /**
   * The format for an image file: the recipe's `format`, else by extension, else by
   * sniffing the first bytes with every format available.
   */
  async formatForFile(file: string, head: Uint8Array, explicit?: string): Promise<ImageFormat> {
    if (explicit !== undefined) return this.format(explicit);
    const ext = extname(file).toLowerCase();
    const byLoadedExtension = this.formats().find((f) => f.extensions.includes(ext));
    if (byLoadedExtension !== undefined) return byLoadedExtension;
    const builtin = formatByExtension[ext];
    if (builtin !== undefined) return this.format(builtin);
    const sniffed = this.formats().find((f) => f.sniff(head));
    if (sniffed !== undefined) return sniffed;
    await this.addInstalled(builtinFormats);
    const found = this.formats().find((f) => f.sniff(head));
    if (found !== undefined) return found;
    throw new FlashwrightError(
      'IMAGE_FORMAT_UNKNOWN',
      `${file}: the format cannot be told from its extension or contents`,
    );
  }

  async #pick<T extends { readonly id: string }>(
    spec: string,
    kind: PluginKind,
    slot: string,
    items: (plugin: LoadedPlugin) => readonly T[],
  ): Promise<T> {
    const provided = this.#loaded.flatMap(items);
    const already = provided.find((item) => item.id === spec);
    if (already !== undefined) return already;
    const plugin = await this.add(spec).catch((error: unknown) => {
      // The loader knows no slot; say which ones of this kind exist.
      if (error instanceof FlashwrightError && error.code === 'PLUGIN_UNKNOWN') {
        throw unknownPluginError(
          spec,
          kind,
          provided.map((item) => item.id),
        );
      }
      throw error;
    });
    const offered = items(plugin);
    const match =
      offered.find((item) => item.id === spec) ?? (offered.length === 1 ? offered[0] : undefined);
    if (match !== undefined) return match;
    const ids = offered.map((item) => item.id);
    throw new FlashwrightError(
      'PLUGIN_INVALID',
      offered.length === 0
        ? `${plugin.id} provides no ${slot}, so it cannot be used as the ${pluginKindName(kind)} "${spec}"`
        : `${plugin.id} provides several ${slot} (${ids.join(', ')}) and none is called "${spec}".${didYouMeanText(spec, ids)}`,
      { hint: `Name one of its ${slot} by id, and list the plugin under plugins: in the recipe.` },
    );
  }
}
