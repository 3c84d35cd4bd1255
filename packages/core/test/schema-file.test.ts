import test from 'ava';
import { readFile } from 'node:fs/promises';
import {
  builtinStepIds,
  MASS_ERASE_CONFIRMATION,
  OPTION_BYTES_CONFIRMATION,
  PERMANENT_CONFIRMATION,
  recipeEnvironmentVariables,
  recipeJsonSchema,
} from '../src/exports/runner.js';

const repo = new URL('../../../../', import.meta.url);

test('configs/flashwright.schema.json is generated from the current schema', async (t) => {
  const committed = JSON.parse(
    await readFile(new URL('configs/flashwright.schema.json', repo), 'utf8'),
  ) as unknown;
  t.deepEqual(
    committed,
    JSON.parse(JSON.stringify(recipeJsonSchema())),
    'stale: run `pnpm --filter @flashwright/configs generate-schema` after building core',
  );
});

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  anyOf?: SchemaNode[];
  items?: SchemaNode;
}

/** A node and the alternatives inside it (anyOf, list items), all the way down. */
function variants(node: SchemaNode): SchemaNode[] {
  return [
    node,
    ...(node.anyOf ?? []).flatMap(variants),
    ...(node.items ? variants(node.items) : []),
  ];
}

/** Every documented key path: probe.speed, image.file, ... */
function keyPaths(node: SchemaNode, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    out.push(path);
    for (const option of variants(child))
      if (option.properties) out.push(...keyPaths(option, path));
  }
  return [...new Set(out)];
}

test('the README recipe reference documents every key, step, phrase and variable of the schema', async (t) => {
  const readme = await readFile(new URL('README.md', repo), 'utf8');
  const start = readme.indexOf('## Recipe reference');
  t.true(start >= 0, 'README has a "Recipe reference" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const schema = recipeJsonSchema() as SchemaNode;
  const expected = [
    ...keyPaths(schema).filter((k) => k !== '$schema'),
    ...builtinStepIds,
    MASS_ERASE_CONFIRMATION,
    OPTION_BYTES_CONFIRMATION,
    PERMANENT_CONFIRMATION,
    ...Object.keys(recipeEnvironmentVariables),
  ];
  // Step options (steps.erase.mode) are documented in the step's row: their name must
  // appear inside a code span there, e.g. `{ mode: mass, confirm: mass-erase }`.
  const spans = [...section.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
  const documented = (key: string): boolean => {
    if (!key.startsWith('steps.')) return spans.includes(key);
    const [, step, option] = key.split('.');
    return (
      spans.includes(step ?? '') &&
      (option === undefined || spans.some((s) => new RegExp(`\\b${option}\\b`).test(s)))
    );
  };
  const missing = expected.filter((key) => !documented(key));
  t.deepEqual(missing, [], 'add these to the README recipe reference (in backticks)');
  t.true(
    expected.includes('probe.speed') && expected.includes('image.base'),
    'the walk found nested keys',
  );
});
