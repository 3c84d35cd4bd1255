import { isPlainObject, type KeyPath } from './key-path.js';

/**
 * Keys that reach an object's prototype when a merge assigns them: `target.__proto__ = x`
 * replaces the prototype, and merging into `target.__proto__` writes Object.prototype
 * itself. No recipe key has these names, so a file that has one is refused.
 */
export const unsafeKeys: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** A key a recipe may not have, or a value that contains itself (possible in a JS recipe). */
export interface UnsafeKey {
  readonly path: KeyPath;
  readonly problem: 'prototype-key' | 'cycle';
}

/** Every unsafe key in a loaded recipe value, in document order. */
export function findUnsafeKeys(value: unknown): UnsafeKey[] {
  const found: UnsafeKey[] = [];
  const ancestors = new Set<unknown>();
  const visit = (node: unknown, path: KeyPath): void => {
    if (node === null || typeof node !== 'object') return;
    if (ancestors.has(node)) {
      found.push({ path, problem: 'cycle' });
      return;
    }
    ancestors.add(node);
    if (Array.isArray(node)) {
      node.forEach((item: unknown, index) => visit(item, [...path, index]));
    } else if (isPlainObject(node)) {
      for (const key of Object.keys(node)) {
        if (unsafeKeys.includes(key))
          found.push({ path: [...path, key], problem: 'prototype-key' });
        else visit(node[key], [...path, key]);
      }
    }
    ancestors.delete(node);
  };
  visit(value, []);
  return found;
}

/** The message for an unsafe key. */
export function describeUnsafeKey(unsafe: UnsafeKey): string {
  if (unsafe.problem === 'cycle')
    return 'this value contains itself (a cycle); a recipe is a tree.';
  return `"${String(unsafe.path.at(-1))}" is not allowed as a key: merging it would change the prototype of other objects (prototype pollution). Remove it.`;
}
