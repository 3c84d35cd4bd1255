/** A path into a recipe object: property names and array indices. */
export type KeyPath = readonly (string | number)[];

/** "steps[2].erase", "probe.speed", "" for the root. */
export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path`, or undefined. */
export function getAt(root: unknown, path: KeyPath): unknown {
  let node = root;
  for (const part of path) {
    if (typeof part === 'number') {
      if (!Array.isArray(node)) return undefined;
      node = node[part] as unknown;
    } else {
      if (!isPlainObject(node)) return undefined;
      node = node[part];
    }
  }
  return node;
}
