// Recipe errors the fuzz test (test/e2e/fuzz-inputs.test.ts) found without a line: each
// now names the file and the line of the mistake.
import test from 'ava';
import { loadRecipe, type RecipeIssue } from '../src/exports/runner.js';
import { exitCodeOf, type FlashwrightError } from '../src/index.js';
import { projectDir } from './helpers/recipe-dir.js';

async function loadError(recipe: string, extra: Record<string, string> = {}) {
  const dir = await projectDir({ 'flashwright.config.yaml': recipe, ...extra });
  const error = await loadRecipe({ cwd: dir, env: {} }).then(
    () => undefined,
    (e: unknown) => e as FlashwrightError,
  );
  if (error === undefined) throw new Error('expected the recipe to be rejected');
  return { dir, error, issues: (error.details?.issues ?? []) as RecipeIssue[] };
}

test('a YAML alias without its anchor is RECIPE_PARSE at the alias’s line', async (t) => {
  const { error } = await loadError('probe: { transport: stlink }\nimage: *firmware\n');
  t.is(error.code, 'RECIPE_PARSE');
  t.is(exitCodeOf(error), 2);
  t.regex(error.message, /flashwright\.config\.yaml:2:8: Unresolved alias .*firmware/);
});

test('a recipe that is a list, not a mapping, names the line', async (t) => {
  const { error } = await loadError('# steps only\n- connect\n- write\n');
  t.is(error.code, 'RECIPE_INVALID');
  t.regex(error.message, /flashwright\.config\.yaml:2: a recipe must be a mapping/);
  t.regex(error.hint ?? '', /image: app\.hex/);
});

test('extends naming a directory is an issue at the extends line', async (t) => {
  const { issues } = await loadError('probe: { transport: stlink }\nextends: ./presets\n', {
    'presets/board.yaml': 'probe: { speed: 1 }\n',
  });
  t.is(issues.length, 1);
  t.is(issues[0]?.keyPath, 'extends');
  t.is(issues[0]?.line, 2);
  t.regex(issues[0]?.message ?? '', /presets is a directory, not a file/);
});

test('a key missing from a mapping is placed at the mapping', async (t) => {
  const { issues } = await loadError('probe: { transport: stlink }\nimage:\n  base: 0x08000000\n');
  const missing = issues.find((i) => i.keyPath === 'image.file');
  t.regex(missing?.message ?? '', /is required/);
  t.is(missing?.line, 2);
  t.is(missing?.source?.kind, 'file');
});

test('a read step past 0xFFFFFFFF, or at an address past it, is an issue at its line', async (t) => {
  const { issues } = await loadError(
    [
      'steps:',
      '  - read: { address: 0xFFFFFFF0, length: 32, file: a.bin }',
      '  - read: { address: "0x100000000", length: 1, file: b.bin }',
      '  - read: { address: 0xFFFFFFF0, length: 16, file: c.bin }',
      '',
    ].join('\n'),
  );
  t.deepEqual(
    issues.map((i) => [i.keyPath, i.line, i.message]),
    [
      [
        'steps[0].read.length',
        2,
        '0xFFFFFFF0 + 32 bytes runs past 0xFFFFFFFF, the end of the 32-bit address space.',
      ],
      ['steps[1].read.address', 3, 'expected 0 to 0xFFFFFFFF.'],
    ],
  );
});
