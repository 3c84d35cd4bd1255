/**
 * The plugins that ship with the CLI, imported by name so that a bundler sees each one and
 * gives it a chunk of its own, loaded only when a command asks for that plugin. A recipe
 * names them by short name or package name; a copy installed in the recipe's project is
 * still preferred (see context.ts).
 */
const builtinPlugins: Readonly<Record<string, () => Promise<unknown>>> = {
  '@flashwright/format-bin': () => import('@flashwright/format-bin'),
  '@flashwright/format-elf': () => import('@flashwright/format-elf'),
  '@flashwright/format-ihex': () => import('@flashwright/format-ihex'),
  '@flashwright/format-srec': () => import('@flashwright/format-srec'),
  '@flashwright/target-nrf': () => import('@flashwright/target-nrf'),
  '@flashwright/target-stm32': () => import('@flashwright/target-stm32'),
  '@flashwright/transport-gdb': () => import('@flashwright/transport-gdb'),
  '@flashwright/transport-stlink': () => import('@flashwright/transport-stlink'),
  '@flashwright/transport-virtual': () => import('@flashwright/transport-virtual'),
};

/** The scheme of the module "URL" a built-in plugin resolves to. */
const BUILTIN_SCHEME = 'flashwright-builtin:';

/** Resolves a built-in plugin's package name, for core's PluginLoader. */
export function resolveBuiltinPlugin(specifier: string): string | undefined {
  return Object.hasOwn(builtinPlugins, specifier) ? `${BUILTIN_SCHEME}${specifier}` : undefined;
}

/** Imports a plugin module: a built-in one from the CLI itself, anything else by URL. */
export function importPluginModule(url: string): Promise<unknown> {
  if (url.startsWith(BUILTIN_SCHEME)) {
    const load = builtinPlugins[url.slice(BUILTIN_SCHEME.length)];
    if (load !== undefined) return load();
  }
  return import(url);
}
