import type { z } from 'zod';
import { didYouMean } from '../util/did-you-mean.js';
import { makeIssue, recipeInvalid, type RecipeIssue } from './issues.js';
import { formatKeyPath, isPlainObject, type KeyPath } from './key-path.js';
import { sourceOf, type ValueSource } from './provenance.js';
import type { Recipe, RecipeImage, RecipePlugin, RecipeStep } from './recipe.js';
import { normaliseProduction, productionProblems } from './production-schema.js';
import { recipeSchema } from './schema.js';
import {
  builtinStepIds,
  builtinStepSchemas,
  PLUGIN_STEP_ID,
  type BuiltinStepId,
} from './steps-schema.js';
import { parseAddress, parseSizeBytes } from './units.js';
import { convertZodIssues } from './zod-issues.js';

type Sources = ReadonlyMap<string, ValueSource>;

/**
 * Validates a merged recipe and normalises it. Collects every problem (schema errors,
 * unknown steps) and throws one RECIPE_INVALID listing all.
 */
export function validateRecipe(merged: Record<string, unknown>, sources: Sources): Recipe {
  const issues: RecipeIssue[] = [];
  // jitless: a recipe is validated once per process, and compiling zod's fast path for each
  // object schema (new Function) costs more start-up time than it saves.
  const parsed = recipeSchema.safeParse(merged, { jitless: true });
  if (!parsed.success) {
    issues.push(...convertZodIssues(parsed.error.issues, recipeSchema, [], sources, merged));
  }
  const steps: RecipeStep[] = [];
  if (Array.isArray(merged.steps)) {
    for (const [index, entry] of merged.steps.entries()) {
      const result = parseStep(entry as unknown, index, sources);
      if ('issues' in result) issues.push(...result.issues);
      else steps.push(result.step);
    }
  }
  if (parsed.success) {
    for (const problem of productionProblems(parsed.data.production)) {
      issues.push(makeIssue(problem.path, problem.message, sourceOf(sources, problem.path)));
    }
  }
  if (issues.length > 0 || !parsed.success) throw recipeInvalid(sortIssues(dedupe(issues)));

  const data = parsed.data;
  return {
    probe: {
      transport: data.probe?.transport,
      serial: data.probe?.serial,
      index: data.probe?.index,
      speedKhz: data.probe?.speed,
      connect: data.probe?.connect ?? 'normal',
      // The transport reads its address with its other settings (ProbeRequest.options).
      options:
        data.probe?.address === undefined
          ? (data.probe?.options ?? {})
          : { ...data.probe.options, address: data.probe.address },
    },
    target: {
      family: data.target?.family,
      device: data.target?.device,
      flashSizeBytes:
        data.target?.flashSize === undefined ? undefined : parseSizeBytes(data.target.flashSize),
    },
    flash: { loader: data.flash?.loader ?? 'auto' },
    images: normaliseImages(data.image),
    steps,
    plugins: (data.plugins ?? []).map((p): RecipePlugin =>
      typeof p === 'string' ? { name: p, options: {} } : { name: p[0], options: p[1] },
    ),
    production: normaliseProduction(data.production),
  };
}

function normaliseImages(image: z.output<typeof recipeSchema>['image']): RecipeImage[] {
  if (image === undefined) return [];
  const list = Array.isArray(image) ? image : [image];
  return list.map((entry, index): RecipeImage => {
    const keyPath = Array.isArray(image) ? `image[${index}]` : 'image';
    if (typeof entry === 'string') return { file: entry, keyPath };
    return {
      file: entry.file,
      format: entry.format,
      base: entry.base === undefined ? undefined : parseAddress(entry.base),
      keyPath,
    };
  });
}

type StepResult = { step: RecipeStep } | { issues: RecipeIssue[] };

function parseStep(entry: unknown, index: number, sources: Sources): StepResult {
  const path: KeyPath = ['steps', index];
  const keyPath = formatKeyPath(path);
  const source = sourceOf(sources, path);
  const fail = (message: string, at: KeyPath = path, suggestion?: string): StepResult => ({
    issues: [makeIssue(at, message, source, suggestion)],
  });

  let name: string;
  let options: unknown;
  let optionsPath: KeyPath;
  if (typeof entry === 'string') {
    name = entry;
    options = null;
    optionsPath = path;
  } else if (isPlainObject(entry)) {
    const keys = Object.keys(entry);
    if (keys.length !== 1) {
      return fail(
        keys.length === 0
          ? 'a step needs a name, e.g. "- write" or "- erase: auto".'
          : `one step per list entry; this one names ${keys.map((k) => `"${k}"`).join(' and ')} (start each with "- ").`,
      );
    }
    name = keys[0]!;
    options = entry[name];
    optionsPath = [...path, name];
  } else {
    return fail(
      `a step must be a name or { name: options }, not ${entry === null ? 'empty' : typeof entry}.`,
    );
  }

  if (PLUGIN_STEP_ID.test(name)) return { step: { id: name, options, keyPath, source } };
  if (!isBuiltin(name)) {
    return fail(
      `unknown step "${name}" (steps: ${builtinStepIds.join(', ')}; plugin steps are namespaced, e.g. "nrf/recover").`,
      typeof entry === 'string' ? path : [...path, name],
      didYouMean(name, builtinStepIds),
    );
  }
  if (name === 'read' && typeof entry === 'string') {
    return fail('"read" needs options: { address, length, file }.');
  }
  const schema = builtinStepSchemas[name] as z.ZodType;
  const parsed = schema.safeParse(options, { jitless: true });
  if (!parsed.success) {
    return { issues: convertZodIssues(parsed.error.issues, schema, optionsPath, sources, options) };
  }
  // The step's definition parses the options again into its own type (core's builtinSteps).
  return { step: { id: name, options, keyPath, source } };
}

function isBuiltin(name: string): name is BuiltinStepId {
  return (builtinStepIds as readonly string[]).includes(name);
}

/** Issues grouped by file (in the order files first appear), then by line. */
function sortIssues(issues: readonly RecipeIssue[]): RecipeIssue[] {
  const order = new Map<string, number>();
  for (const issue of issues) {
    const origin = issue.source?.origin ?? '';
    if (!order.has(origin)) order.set(origin, order.size);
  }
  return [...issues].sort(
    (a, b) =>
      (order.get(a.source?.origin ?? '') ?? 0) - (order.get(b.source?.origin ?? '') ?? 0) ||
      (a.line ?? Infinity) - (b.line ?? Infinity),
  );
}

function dedupe(issues: readonly RecipeIssue[]): RecipeIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.keyPath}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
