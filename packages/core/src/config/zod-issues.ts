import type * as z from 'zod/mini';
import { didYouMean } from '../util/did-you-mean.js';
import { makeIssue, type RecipeIssue } from './issues.js';
import type { KeyPath } from './key-path.js';
import { sourceOf, type ValueSource } from './provenance.js';

type ZodIssue = z.core.$ZodIssue;

/** The parts of a zod schema definition this module walks. */
interface SchemaDef {
  readonly type: string;
  readonly shape?: Readonly<Record<string, z.ZodMiniType>>;
  readonly innerType?: z.ZodMiniType;
  readonly element?: z.ZodMiniType;
  readonly options?: readonly z.ZodMiniType[];
  readonly in?: z.ZodMiniType;
  readonly items?: readonly z.ZodMiniType[];
}

function defOf(schema: z.ZodMiniType): SchemaDef {
  return schema._zod.def;
}

/** Object keys the schema allows at `path` (indices ignored), for "did you mean". */
export function knownKeysAt(schema: z.ZodMiniType, path: KeyPath): string[] {
  const keys = new Set<string>();
  const visit = (node: z.ZodMiniType, rest: KeyPath): void => {
    const def = defOf(node);
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'readonly':
        if (def.innerType) visit(def.innerType, rest);
        return;
      case 'pipe':
        if (def.in) visit(def.in, rest);
        return;
      case 'union':
        for (const option of def.options ?? []) visit(option, rest);
        return;
      case 'array':
        if (typeof rest[0] === 'number' && def.element) visit(def.element, rest.slice(1));
        return;
      case 'tuple':
        if (typeof rest[0] === 'number') {
          const item = def.items?.[rest[0]];
          if (item) visit(item, rest.slice(1));
        }
        return;
      case 'object': {
        const shape = def.shape ?? {};
        if (rest.length === 0) {
          for (const key of Object.keys(shape)) keys.add(key);
          return;
        }
        const child = shape[String(rest[0])];
        if (child) visit(child, rest.slice(1));
        return;
      }
      default:
        return;
    }
  };
  visit(schema, path);
  return [...keys];
}

/** Converts zod issues to recipe issues with key paths, sources and suggestions. */
export function convertZodIssues(
  issues: readonly ZodIssue[],
  schema: z.ZodMiniType,
  basePath: KeyPath,
  sources: ReadonlyMap<string, ValueSource>,
  value: unknown,
): RecipeIssue[] {
  const out: RecipeIssue[] = [];
  for (const issue of issues) out.push(...convertOne(issue, schema, basePath, sources, value));
  return out;
}

function convertOne(
  issue: ZodIssue,
  schema: z.ZodMiniType,
  basePath: KeyPath,
  sources: ReadonlyMap<string, ValueSource>,
  value: unknown,
): RecipeIssue[] {
  const relPath = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const path = [...basePath, ...relPath];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const keyPath = [...path, key];
        const known = knownKeysAt(schema, relPath);
        return makeIssue(
          keyPath,
          `unknown key "${key}" (${known.length > 0 ? `allowed: ${known.join(', ')}` : 'none allowed here'}).`,
          sourceOf(sources, keyPath),
          didYouMean(key, known),
        );
      });
    case 'invalid_union':
      return unionIssues(issue, schema, basePath, sources, value, path);
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v));
      const given = valueAt(value, relPath);
      const quoted = issue.values.map((v) => JSON.stringify(v) ?? String(v));
      return [
        makeIssue(
          path,
          quoted.length === 1
            ? `must be ${quoted[0]}, not ${describe(given)}.`
            : `${describe(given)} is not one of ${quoted.join(', ')}.`,
          sourceOf(sources, path),
          typeof given === 'string' ? didYouMean(given, allowed) : undefined,
        ),
      ];
    }
    case 'invalid_type': {
      const given = valueAt(value, relPath);
      const what =
        given === undefined
          ? 'is required'
          : `must be ${article(issue.expected)}, not ${describe(given)}`;
      return [makeIssue(path, `${what}.`, sourceOf(sources, path))];
    }
    case 'custom': {
      // A refinement may name the key it thinks was meant (params.suggestion).
      const suggestion: unknown = issue.params?.suggestion;
      return [
        makeIssue(
          path,
          `${lowerFirst(issue.message)}.`,
          sourceOf(sources, path),
          typeof suggestion === 'string' ? suggestion : undefined,
        ),
      ];
    }
    default:
      return [makeIssue(path, `${lowerFirst(issue.message)}.`, sourceOf(sources, path))];
  }
}

/**
 * A union failed (e.g. `erase` is neither empty, a mode nor { mode, ... }). Report the
 * branch of the kind the user wrote (a mapping: the mapping's errors; a string: the names
 * it may be), so the message is about the real mistake; if no branch takes that kind of
 * value, list what was expected.
 */
function unionIssues(
  issue: Extract<ZodIssue, { code: 'invalid_union' }>,
  schema: z.ZodMiniType,
  basePath: KeyPath,
  sources: ReadonlyMap<string, ValueSource>,
  value: unknown,
  path: KeyPath,
): RecipeIssue[] {
  const given = valueAt(value, path.slice(basePath.length));
  const kindMatched = issue.errors.filter((branch) => !wrongKind(branch, given));
  const best = kindMatched.sort((a, b) => a.length - b.length)[0];
  if (best !== undefined && best.length > 0) {
    const prefixed = best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }));
    return convertZodIssues(prefixed, schema, basePath, sources, value);
  }
  const expected = [...new Set(issue.errors.flatMap(expectedKinds))];
  const list =
    expected.length > 1
      ? `${expected.slice(0, -1).join(', ')} or ${expected.at(-1)}`
      : (expected[0] ?? 'something else');
  const what = given === undefined ? 'is required' : `must be ${list}, not ${describe(given)}`;
  return [makeIssue(path, `${what}.`, sourceOf(sources, path))];
}

/** Whether a union branch rejected the kind of value (a mapping where it takes a name). */
function wrongKind(branch: readonly ZodIssue[], given: unknown): boolean {
  return branch.some((i) => {
    if (i.path.length > 0) return false;
    switch (i.code) {
      case 'invalid_type':
        return true;
      case 'invalid_value':
        return !i.values.some((v) => typeof v === typeof given);
      case 'invalid_union':
        return i.errors.every((nested) => wrongKind(nested, given));
      default:
        return false;
    }
  });
}

/** What a branch that rejected the kind of value takes: "a mapping", "\"auto\"". */
function expectedKinds(branch: readonly ZodIssue[]): string[] {
  return branch.flatMap((i) => {
    if (i.path.length > 0) return [];
    switch (i.code) {
      case 'invalid_type':
        return [article(i.expected)];
      case 'invalid_value':
        return i.values.map((v) => JSON.stringify(v) ?? String(v));
      case 'invalid_union':
        return i.errors.flatMap(expectedKinds);
      default:
        return [];
    }
  });
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let node = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value}"`;
  return JSON.stringify(value) ?? typeof value;
}

function article(type: string): string {
  switch (type) {
    case 'object':
      return 'a mapping';
    case 'array':
    case 'tuple':
      return 'a list';
    case 'null':
      return 'empty';
    case 'integer':
    case 'int':
      return 'a whole number';
    default:
      return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
