import { FlashwrightError } from '../errors/flashwright-error.js';
import { didYouMean } from '../util/did-you-mean.js';

/** The slots a recipe names a plugin for: probe.transport, target.family, image.format. */
export type PluginKind = 'transport' | 'family' | 'format';

/** flashwright's own plugins by short name; each is an @flashwright package the CLI ships. */
export const builtinTransports = ['stlink', 'gdb', 'virtual'] as const;
export const builtinFamilies = ['stm32', 'nrf'] as const;
export const builtinFormats = ['ihex', 'srec', 'elf', 'bin'] as const;

const builtinByKind: Readonly<Record<PluginKind, readonly string[]>> = {
  transport: builtinTransports,
  family: builtinFamilies,
  format: builtinFormats,
};

const packagePrefix: Readonly<Record<PluginKind, string>> = {
  transport: '@flashwright/transport-',
  family: '@flashwright/target-',
  format: '@flashwright/format-',
};

const kindNames: Readonly<Record<PluginKind, { one: string; many: string }>> = {
  transport: { one: 'transport', many: 'transports' },
  family: { one: 'target family', many: 'target families' },
  format: { one: 'image format', many: 'image formats' },
};

const kinds = Object.keys(builtinByKind) as PluginKind[];

/** "transport", "target family", "image format". */
export function pluginKindName(kind: PluginKind): string {
  return kindNames[kind].one;
}

/**
 * Short names a recipe may use for the plugins flashwright publishes. Anything else is a
 * package name or a path relative to the recipe.
 */
export const pluginShortNames: Readonly<Record<string, string>> = Object.fromEntries(
  kinds.flatMap((kind) => builtinByKind[kind].map((name) => [name, packagePrefix[kind] + name])),
);

/**
 * Names a user may reasonably try that flashwright has no plugin for (yet). They are not
 * npm packages of ours, so the loader must not tell anyone to install them.
 */
const unsupportedPlugins: Readonly<Record<string, { kind: PluginKind; what: string }>> = {
  'cmsis-dap': { kind: 'transport', what: 'CMSIS-DAP probes' },
  dfu: { kind: 'transport', what: 'USB DFU bootloaders' },
  uart: { kind: 'transport', what: 'UART (serial) bootloaders' },
};

/**
 * Whether an unresolved package name may be a plugin package the user can install: a
 * scoped name or one that says flashwright. A bare word ("dfu", "jlink") is taken for the
 * name of a plugin flashwright does not have, as npm has unrelated packages by such names.
 */
export function looksLikePluginPackage(name: string): boolean {
  return name.startsWith('@') || name.includes('flashwright');
}

/**
 * PLUGIN_UNKNOWN for a bare name that is none of flashwright's plugins: what exists (of
 * `kind`, when known, plus `provided`, the ids the recipe's plugins offer), a did-you-mean,
 * and whether flashwright plans to support it.
 */
export function unknownPluginError(
  spec: string,
  kind?: PluginKind,
  provided: readonly string[] = [],
): FlashwrightError {
  const known = unsupportedPlugins[spec];
  const unsupported = kind === undefined || known?.kind === kind ? known : undefined;
  const names = [
    ...(kind === undefined ? kinds.flatMap((k) => builtinByKind[k]) : builtinByKind[kind]),
    ...provided,
  ];
  const suggestion = didYouMean(spec, names);
  const what = kind === undefined ? 'plugin' : kindNames[kind].one;
  const reason = unsupported === undefined ? '' : `: ${unsupported.what} are not supported yet`;
  const available =
    kind === undefined
      ? `flashwright's plugins are ${kinds.map((k) => `${kindNames[k].many} ${listOf(builtinByKind[k])}`).join('; ')}`
      : `flashwright's ${kindNames[kind].many} are ${listOf(builtinByKind[kind])}${provided.length > 0 ? `; the recipe's plugins add ${listOf(provided)}` : ''}`;
  return new FlashwrightError(
    'PLUGIN_UNKNOWN',
    `flashwright has no ${what} "${spec}"${reason}.${suggestion === undefined ? '' : ` Did you mean "${suggestion}"?`}`,
    {
      hint: `${available}. Any other plugin is named by its package name (installed in the project) or by its path.`,
      details: { plugin: spec, kind, available: names, suggestion },
    },
  );
}

function listOf(names: readonly string[]): string {
  return names.length > 1
    ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
    : (names[0] ?? '');
}
