import { formatKeyPath, isPlainObject, type KeyPath } from './key-path.js';

/**
 * Where a recipe value came from, lowest precedence first. `command`: set by the command
 * itself, above every layer (`flashwright flash FILE`: its image, steps and the probe found).
 */
export type ValueSourceKind = 'default' | 'extends' | 'file' | 'env' | 'flag' | 'command';

export interface ValueSource {
  readonly kind: ValueSourceKind;
  /**
   * File path, environment variable name, or flag ("--probe"); "defaults" for defaults; for
   * a command, what set the value ("flash FILE").
   */
  readonly origin: string;
}

/**
 * Sources as a record in key-path order, for reports and `--json`. Code-unit order: the same
 * on every machine (localeCompare follows the user's locale), and it does not initialise
 * ICU's collator, which costs a command several milliseconds of start-up.
 */
export function sourcesByKeyPath(
  entries: Iterable<readonly [string, ValueSource]>,
): Record<string, ValueSource> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** One layer of configuration: its values and where they came from. */
export interface ConfigLayer {
  readonly source: ValueSource;
  readonly values: Record<string, unknown>;
}

/**
 * Deep-merges layers, lowest precedence first. Objects merge key by key; arrays and scalars
 * replace what lower layers set (so a file's `steps` replaces a preset's, never appends).
 * Returns the merged object and, for every leaf (scalar or array), the layer that set it.
 */
export function mergeLayers(layers: readonly ConfigLayer[]): {
  merged: Record<string, unknown>;
  sources: Map<string, ValueSource>;
} {
  const merged = nullPrototypeRecord();
  const sources = new Map<string, ValueSource>();
  for (const layer of layers) mergeLayer(merged, sources, layer);
  return { merged, sources };
}

/**
 * An object without a prototype: a key "__proto__" in it is a plain key, so a merge into it
 * cannot reach Object.prototype. The merged recipe is built of these (files.ts also refuses
 * such keys when a recipe is read).
 */
export function nullPrototypeRecord(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

/** Merges one layer on top of `merged` (a nullPrototypeRecord), updating `sources`. */
export function mergeLayer(
  merged: Record<string, unknown>,
  sources: Map<string, ValueSource>,
  layer: ConfigLayer,
): void {
  mergeInto(merged, layer.values, [], layer.source, sources);
}

function mergeInto(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
  path: KeyPath,
  origin: ValueSource,
  sources: Map<string, ValueSource>,
): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const childPath = [...path, key];
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) {
      mergeInto(existing, value, childPath, origin, sources);
      continue;
    }
    forgetBelow(sources, childPath);
    target[key] = cloneValue(value);
    recordLeaves(value, childPath, origin, sources);
  }
}

function recordLeaves(
  value: unknown,
  path: KeyPath,
  origin: ValueSource,
  sources: Map<string, ValueSource>,
): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) {
      recordLeaves(child, [...path, key], origin, sources);
    }
  } else {
    sources.set(formatKeyPath(path), origin);
  }
}

/** Drops provenance of `path` and everything below it (the value is being replaced). */
export function forgetBelow(sources: Map<string, ValueSource>, path: KeyPath): void {
  const prefix = formatKeyPath(path);
  for (const key of [...sources.keys()]) {
    if (key === prefix || key.startsWith(`${prefix}.`) || key.startsWith(`${prefix}[`)) {
      sources.delete(key);
    }
  }
}

/**
 * The source of the value at `path`, or of its nearest ancestor (an array element's
 * source is the array's). Undefined when nothing set it.
 */
export function sourceOf(
  sources: ReadonlyMap<string, ValueSource>,
  path: KeyPath,
): ValueSource | undefined {
  for (let length = path.length; length >= 0; length--) {
    const found = sources.get(formatKeyPath(path.slice(0, length)));
    if (found !== undefined) return found;
  }
  // An object path (e.g. "probe" for an unknown key inside it, or "image.file" for a key
  // missing from it): a leaf below it, or below the nearest parent that has one; a file's
  // rather than the defaults', which are never the mistake.
  for (let length = path.length; length >= Math.min(1, path.length); length--) {
    const prefix = formatKeyPath(path.slice(0, length));
    let found: ValueSource | undefined;
    for (const [key, source] of sources) {
      if (prefix === '' || key.startsWith(`${prefix}.`) || key.startsWith(`${prefix}[`)) {
        if (source.kind !== 'default') return source;
        found ??= source;
      }
    }
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * A deep copy of plain objects (into null-prototype ones) and arrays; anything else, such as
 * a function from a JS recipe (validation reports it), is kept as it is.
 */
function cloneValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneValue);
  if (!isPlainObject(value)) return value;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy = nullPrototypeRecord();
  for (const [key, child] of Object.entries(value)) copy[key] = cloneValue(child);
  return copy;
}
