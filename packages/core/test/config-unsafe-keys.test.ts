import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mergeLayers } from '../src/config/provenance.js';
import { loadRecipe, type RecipeIssue } from '../src/exports/runner.js';
import { exitCodeOf, type FlashwrightError } from '../src/index.js';
import { projectDir } from './helpers/recipe-dir.js';

// A key "__proto__" (or "constructor", "prototype") merged into a plain object reaches
// Object.prototype: merging { probe: { __proto__: { x: 1 } } } into { probe: {} } used to
// set Object.prototype.x.

/** Object.prototype has none of the keys the tests try to plant. */
function assertUnpolluted(t: { is(a: unknown, b: unknown, m?: string): void }): void {
  const probe: Record<string, unknown> = {};
  for (const key of ['fwPolluted', 'fwPollutedJson', 'fwPollutedBase', 'fwPollutedMerge']) {
    t.is(probe[key], undefined, `Object.prototype.${key}`);
  }
}

async function loadError(dir: string): Promise<FlashwrightError> {
  try {
    await loadRecipe({ cwd: dir, env: {} });
  } catch (error) {
    return error as FlashwrightError;
  }
  throw new Error('expected the recipe to be rejected');
}

const issuesOf = (error: FlashwrightError): RecipeIssue[] => error.details?.issues as RecipeIssue[];

test('__proto__ in a YAML recipe is RECIPE_INVALID (exit 2) with file, line and key path', async (t) => {
  const dir = await projectDir({
    'flashwright.config.yaml': 'probe:\n  transport: virtual\n  __proto__:\n    fwPolluted: 1\n',
  });
  const error = await loadError(dir);
  t.is(error.code, 'RECIPE_INVALID');
  t.is(exitCodeOf(error), 2);
  t.like(issuesOf(error)[0], { keyPath: 'probe.__proto__', line: 3 });
  t.regex(
    error.message,
    /flashwright\.config\.yaml:3: probe\.__proto__: "__proto__" is not allowed/,
  );
  t.like(error.source, { file: join(dir, 'flashwright.config.yaml'), line: 3 });
  assertUnpolluted(t);
});

test('constructor and prototype keys in JSON are refused too, all at once', async (t) => {
  const dir = await projectDir({
    'flashwright.config.json': [
      '{',
      '  "probe": { "constructor": { "prototype": { "fwPollutedJson": 1 } } },',
      '  "steps": [{ "option-bytes": { "prototype": 1 } }],',
      '  "__proto__": { "fwPollutedJson": 1 }',
      '}',
    ].join('\n'),
  });
  const error = await loadError(dir);
  t.deepEqual(
    issuesOf(error).map((i) => [i.keyPath, i.line]),
    [
      ['probe.constructor', 2],
      ['steps[0].option-bytes.prototype', 3],
      ['__proto__', 4],
    ],
  );
  assertUnpolluted(t);
});

test('an unsafe key in an extended file names that file and line', async (t) => {
  const dir = await projectDir({
    'flashwright.config.yaml': 'extends: ./base.yaml\n',
    'base.yaml': '# a base\ntarget:\n  family: stm32\n  __proto__: { fwPollutedBase: 1 }\n',
  });
  const error = await loadError(dir);
  t.like(issuesOf(error)[0], {
    keyPath: 'target.__proto__',
    line: 4,
    source: { origin: join(dir, 'base.yaml') },
  });
  t.regex(error.message, /base\.yaml:4: target\.__proto__/);
  assertUnpolluted(t);
});

test('an unsafe key under "flashwright" in package.json, or in a JS recipe, is refused', async (t) => {
  const dir = await projectDir({});
  await writeFile(
    join(dir, 'package.json'),
    '{\n  "name": "x",\n  "flashwright": {\n    "probe": { "__proto__": { "fwPolluted": 1 } }\n  }\n}\n',
  );
  const fromPackage = await loadError(dir);
  t.like(issuesOf(fromPackage)[0], { keyPath: 'probe.__proto__', line: 4 });

  const js = await projectDir({
    'flashwright.config.mjs':
      "export default { probe: { ['__proto__']: { fwPolluted: 1 }, transport: 'virtual' } };\n",
  });
  const fromJs = await loadError(js);
  t.like(issuesOf(fromJs)[0], { keyPath: 'probe.__proto__' });
  assertUnpolluted(t);
});

test('a JS recipe whose value contains itself is refused, not a stack overflow', async (t) => {
  const dir = await projectDir({
    'flashwright.config.mjs':
      "const probe = { transport: 'virtual' };\nprobe.options = { again: probe };\nexport default { probe };\n",
  });
  const error = await loadError(dir);
  t.is(error.code, 'RECIPE_INVALID');
  t.like(issuesOf(error)[0], { keyPath: 'probe.options.again' });
  t.regex(error.message, /contains itself/);
});

test('the merge builds null-prototype objects, so even an unchecked layer cannot pollute', (t) => {
  const hostile = JSON.parse('{ "probe": { "__proto__": { "fwPollutedMerge": 1 } } }') as Record<
    string,
    unknown
  >;
  const { merged } = mergeLayers([
    { source: { kind: 'default', origin: 'defaults' }, values: { probe: { connect: 'normal' } } },
    { source: { kind: 'file', origin: '/x.json' }, values: hostile },
  ]);
  assertUnpolluted(t);
  t.is(Object.getPrototypeOf(merged), null);
  const probe = merged.probe as Record<string, unknown>;
  t.is(Object.getPrototypeOf(probe), null);
  t.deepEqual(Object.keys(probe), ['connect', '__proto__'], 'kept as a plain key');
});

test('YAML merge keys (<<) are not applied: "<<" is an unknown key', async (t) => {
  const dir = await projectDir({
    'flashwright.config.yaml':
      'probe:\n  transport: virtual\ntarget:\n  <<: { device: STM32F103C8 }\n',
  });
  const error = await loadError(dir);
  t.like(issuesOf(error)[0], { keyPath: 'target["<<"]', line: 4 });
});
