/**
 * Mutators for recipes: on the value tree (renamed and deleted keys, wrong types,
 * `__proto__`/`constructor`/`prototype` keys at any depth, odd `extends` and steps), then
 * written as YAML or JSON, then sometimes broken as text (stray syntax, truncation,
 * duplicated lines, aliases).
 */
import { stringify } from 'yaml';
import type { Rng } from './fuzz.js';

type Tree = unknown;
type Container = Record<string, unknown> | unknown[];

const KEYS = [
  'probe',
  'target',
  'image',
  'steps',
  'plugins',
  'extends',
  'transport',
  'serial',
  'index',
  'address',
  'speed',
  'connect',
  'options',
  'family',
  'device',
  'flashSize',
  'file',
  'format',
  'base',
  'confirm',
  'mode',
  'run',
  'kind',
  'length',
  'flashwright',
];

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Values that would pollute Object.prototype if a merge walked into them. */
const PROTO_VALUES: Tree[] = [
  { fuzzPolluted: 'yes' },
  { prototype: { fuzzPolluted: 'yes' } },
  { toString: 'fuzz' },
  JSON.parse('{"__proto__": {"fuzzPolluted": "yes"}}') as Tree,
  'fuzz',
  1,
  [{ fuzzPolluted: 'yes' }],
];

const VALUES: Tree[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 32,
  2 ** 53,
  1e308,
  '',
  ' ',
  '0x',
  '0xFFFFFFFF',
  '0x1FFFFFFFF',
  '128K',
  '99999999999M',
  '-1',
  'x'.repeat(300),
  '.',
  '..',
  'board:rak5205',
  'stlink',
  'virtual',
  'gdb',
  'stm32',
  'STM32F103RB',
  'ihex',
  'auto',
  'mass',
  'mass-erase',
  'write-option-bytes',
  'permanently-disable-debug',
  [],
  [1, 'a'],
  ['connect', 'write'],
  {},
  { a: 1 },
  { file: 'app.hex', base: '0x08000000' },
  { read: { address: 0xfffffff0, length: 32, file: 'r.bin' } },
];

const EXTENDS: Tree[] = [
  'board:rak5205',
  'board:nope',
  'board:',
  './base.yaml',
  './base.json',
  './SELF',
  '.',
  '../nope.yaml',
  '@acme/boards/x.yaml',
  'no-such-package',
  ['board:rak5205', './base.yaml'],
  ['./base.yaml', './base.yaml'],
  [1],
  42,
  null,
  {},
];

const STEPS: Tree[] = [
  'connect',
  'eraze',
  'read',
  'write',
  { erase: 'auto' },
  { erase: { mode: 'mass' } },
  { erase: { mode: 'mass', confirm: 'mass-erase' } },
  { verify: 'crc' },
  { verify: 'md5' },
  { read: { address: '0x08000000', length: '1K', file: 'r.bin' } },
  { read: { address: 0xffffffff, length: 16, file: 'r.bin' } },
  { 'option-bytes': { RDP: 2, confirm: 'write-option-bytes' } },
  { 'nrf/recover': null },
  { reset: { kind: 'warm' } },
  { write: 1, verify: 2 },
  {},
  null,
];

/** Sets an own property, so that "__proto__" is a key like any other. */
function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function clone(tree: Tree): Tree {
  if (Array.isArray(tree)) return tree.map(clone);
  if (typeof tree === 'object' && tree !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(tree)) setKey(out, k, clone(v));
    return out;
  }
  return tree;
}

/** Every object and array in the tree, with its depth. */
function containers(tree: Tree, depth = 0, out: [Container, number][] = []): [Container, number][] {
  if (Array.isArray(tree)) {
    out.push([tree, depth]);
    for (const item of tree) containers(item, depth + 1, out);
  } else if (typeof tree === 'object' && tree !== null) {
    out.push([tree as Record<string, unknown>, depth]);
    for (const value of Object.values(tree)) containers(value, depth + 1, out);
  }
  return out;
}

function typo(rng: Rng, key: string): string {
  if (key.length === 0) return 'x';
  const i = rng.int(key.length);
  switch (rng.int(4)) {
    case 0:
      return key.slice(0, i) + key.slice(i + 1);
    case 1:
      return key.slice(0, i) + key[i]! + key.slice(i);
    case 2:
      return key.toUpperCase();
    default:
      return `${key}s`;
  }
}

/** One change to the recipe's value tree. */
export function mutateTree(rng: Rng, input: Tree, log: string[], self: string): Tree {
  const root = clone(input);
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return root;
  const rootObject = root as Record<string, unknown>;
  const [node, depth] = rng.pick(containers(root));
  const keys: readonly (string | number)[] = Array.isArray(node)
    ? node.map((_, i) => i)
    : Object.keys(node);
  const key = keys.length === 0 ? undefined : rng.pick(keys);
  const put = (k: string | number, value: unknown): void => {
    if (Array.isArray(node)) node[Number(k)] = value;
    else setKey(node, String(k), value);
  };
  switch (rng.int(8)) {
    case 0: {
      // A __proto__, constructor or prototype key at this depth.
      const protoKey = rng.pick(PROTO_KEYS);
      if (Array.isArray(node)) node.push({ [protoKey]: rng.pick(PROTO_VALUES) });
      else setKey(node, protoKey, clone(rng.pick(PROTO_VALUES)));
      log.push(`${protoKey} at depth ${depth}`);
      break;
    }
    case 1: {
      if (key === undefined || Array.isArray(node)) break;
      const renamed = rng.chance(0.5) ? typo(rng, String(key)) : rng.pick([...KEYS, ...PROTO_KEYS]);
      const value = node[key];
      delete node[key];
      setKey(node, renamed, value);
      log.push(`rename ${key} to ${renamed}`);
      break;
    }
    case 2:
      if (key === undefined) break;
      put(key, clone(rng.pick(VALUES)));
      log.push(`value of ${key} replaced`);
      break;
    case 3:
      if (key === undefined) break;
      if (Array.isArray(node)) node.splice(Number(key), 1);
      else delete node[key];
      log.push(`delete ${key}`);
      break;
    case 4: {
      const value = clone(rng.pick(EXTENDS));
      setKey(rootObject, 'extends', value === './SELF' ? `./${self}` : value);
      log.push(`extends ${JSON.stringify(rootObject.extends)}`);
      break;
    }
    case 5: {
      const steps = Array.isArray(rootObject.steps) ? rootObject.steps : [];
      steps.splice(rng.int(steps.length + 1), rng.int(2), clone(rng.pick(STEPS)));
      setKey(rootObject, 'steps', steps);
      log.push('steps changed');
      break;
    }
    case 6:
      if (key === undefined) break;
      put(key, [clone(Array.isArray(node) ? node[Number(key)] : node[key])]);
      log.push(`wrap ${key} in a list`);
      break;
    default:
      setKey(rootObject, rng.pick(KEYS), clone(rng.pick(VALUES)));
      log.push('top-level key set');
  }
  return root;
}

/** The tree as YAML or JSON text. */
export function render(tree: Tree, format: 'yaml' | 'json'): string {
  return format === 'json' ? `${JSON.stringify(tree, null, 2)}\n` : stringify(tree);
}

const YAML_NOISE = [
  ': ',
  '- ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '#',
  '&a ',
  '*a',
  '!!str ',
  '|',
  '>',
  '\t',
  '? ',
  '%',
  '@',
  '`',
  '\n  ',
];
const JSON_NOISE = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  '//',
  '/*',
  'NaN',
  'true',
  '1e999',
  '\n',
];

/** One change to the text itself: stray syntax, truncation, duplicated or swapped lines. */
export function mutateText(rng: Rng, text: string, format: 'yaml' | 'json', log: string[]): string {
  const lines = text.split('\n');
  const i = rng.int(lines.length);
  switch (rng.int(6)) {
    case 0: {
      const at = rng.int(text.length + 1);
      const noise = rng.pick(format === 'yaml' ? YAML_NOISE : JSON_NOISE);
      log.push(`text insert ${JSON.stringify(noise)} at ${at}`);
      return text.slice(0, at) + noise + text.slice(at);
    }
    case 1: {
      const at = rng.int(text.length);
      log.push(`text delete at ${at}`);
      return text.slice(0, at) + text.slice(at + 1 + rng.int(4));
    }
    case 2: {
      const at = rng.int(text.length + 1);
      log.push(`text truncate at ${at}`);
      return text.slice(0, at);
    }
    case 3:
      lines.splice(i, 0, lines[i] ?? '');
      log.push(`text duplicate line ${i + 1}`);
      return lines.join('\n');
    case 4:
      lines[i] = rng.chance(0.5) ? `  ${lines[i] ?? ''}` : (lines[i] ?? '').trimStart();
      log.push(`text indent line ${i + 1}`);
      return lines.join('\n');
    default: {
      const extra =
        format === 'yaml'
          ? rng.pick([
              'x: &a [1, 2]\ny: *a',
              '<<: *nope',
              'a: !!binary xyz',
              'k: *a',
              '__proto__: { fuzzPolluted: yes }',
            ])
          : rng.pick(['"__proto__": {"fuzzPolluted": 1},', '"a": 1,,', '"a": [', '"a"']);
      const at = format === 'yaml' ? lines.length : Math.min(1, lines.length);
      lines.splice(at, 0, extra);
      log.push(`text add ${JSON.stringify(extra)}`);
      return lines.join('\n');
    }
  }
}
