import test from 'ava';
import { join } from 'node:path';
import {
  builtinStepIds,
  builtinSteps,
  loadRecipe,
  type RecipeIssue,
} from '../src/exports/runner.js';
import { exitCodeOf, type FlashwrightError } from '../src/index.js';
import { projectDir } from './helpers/recipe-dir.js';

async function load(files: Record<string, string>, options: { configFile?: string } = {}) {
  const dir = await projectDir(files);
  return { dir, load: () => loadRecipe({ cwd: dir, env: {}, configFile: options.configFile }) };
}

async function loadError(
  files: Record<string, string>,
): Promise<{ dir: string; error: FlashwrightError }> {
  const { dir, load: run } = await load(files);
  try {
    await run();
  } catch (error) {
    return { dir, error: error as FlashwrightError };
  }
  throw new Error('expected the recipe to be rejected');
}

function isBuiltin(id: string): id is keyof typeof builtinSteps {
  return (builtinStepIds as readonly string[]).includes(id);
}

function issuesOf(error: FlashwrightError): RecipeIssue[] {
  return error.details?.issues as RecipeIssue[];
}

test('a step "eraze" exits 2, naming the key path, the file and the line, suggesting "erase"', async (t) => {
  const { dir, error } = await loadError({
    'flashwright.config.yaml':
      'probe: { transport: stlink }\nimage: app.hex\nsteps:\n  - connect\n  - eraze\n  - write\n',
  });
  t.is(error.code, 'RECIPE_INVALID');
  t.is(exitCodeOf(error), 2);
  const [issue] = issuesOf(error);
  t.is(issue?.keyPath, 'steps[1]');
  t.is(issue?.source?.origin, join(dir, 'flashwright.config.yaml'));
  t.is(issue?.line, 5);
  t.is(issue?.suggestion, 'erase');
  t.regex(
    error.message,
    /flashwright\.config\.yaml:5: steps\[1\]: unknown step "eraze".*Did you mean "erase"\?/,
  );
  t.deepEqual(error.source, {
    file: join(dir, 'flashwright.config.yaml'),
    keyPath: 'steps[1]',
    line: 5,
  });
});

test('three mistakes are reported together', async (t) => {
  const { error } = await loadError({
    'flashwright.config.yaml': [
      'probe:',
      '  transport: stlink',
      '  sped: 4000',
      '  connect: under_reset',
      'image: app.hex',
      'steps: [connect, eraze, write]',
      '',
    ].join('\n'),
  });
  const issues = issuesOf(error);
  t.deepEqual(
    issues.map((i) => [i.keyPath, i.suggestion, i.line]),
    [
      ['probe.sped', 'speed', 3],
      ['probe.connect', 'under-reset', 4],
      ['steps[1]', 'erase', 6],
    ],
  );
  t.regex(error.message, /has 3 problems/);
});

test('unknown keys at every level get a did-you-mean from the keys allowed there', async (t) => {
  const { error } = await loadError({
    'flashwright.config.yaml':
      'prob: {}\ntarget: { devise: X }\nsteps: [{ erase: { mod: mass } }]\n',
  });
  t.deepEqual(
    issuesOf(error).map((i) => [i.keyPath, i.suggestion]),
    [
      ['prob', 'probe'],
      ['target.devise', 'device'],
      ['steps[0].erase.mod', 'mode'],
    ],
  );
});

test('every unknown key gets a did-you-mean, swapped letters included, with its line', async (t) => {
  const { error } = await loadError({
    'flashwright.config.yaml': [
      'imgae: app.hex',
      'probe: { trasnport: stlink }',
      'target: { famliy: stm32 }',
      'image: { file: app.hex, fromat: ihex }',
      'steps:',
      '  - erase: { mdoe: mass }',
      '  - reset: { knid: hardware }',
      '  - option-bytes: { confrim: write-option-bytes, RDP: 1 }',
      '  - wirte',
      '',
    ].join('\n'),
  });
  t.deepEqual(
    issuesOf(error).map((i) => [i.keyPath, i.suggestion, i.line]),
    [
      ['imgae', 'image', 1],
      ['probe.trasnport', 'transport', 2],
      ['target.famliy', 'family', 3],
      ['image.fromat', 'format', 4],
      ['steps[0].erase.mdoe', 'mode', 6],
      ['steps[1].reset.knid', 'kind', 7],
      ['steps[2].option-bytes.confrim', 'confirm', 8],
      ['steps[3]', 'write', 9],
    ],
  );
  t.regex(
    error.message,
    /flashwright\.config\.yaml:1: imgae: unknown key "imgae".*Did you mean "image"\?/,
  );
});

test('a bad value in a step’s mapping is reported on its key, never as "a mapping is not allowed"', async (t) => {
  const { error } = await loadError({
    'flashwright.config.yaml': [
      'steps:',
      '  - erase: { mode: mas }',
      '  - verify: { mode: crc32 }',
      '  - unprotect: { confirm: mass-erse }',
      '  - erase: 5',
      '  - reset: hardware',
      '',
    ].join('\n'),
  });
  t.notRegex(error.message, /a mapping is not allowed/);
  t.deepEqual(
    issuesOf(error).map((i) => [i.keyPath, i.message, i.suggestion, i.line]),
    [
      ['steps[0].erase.mode', '"mas" is not one of "auto", "mass", "none".', 'mass', 2],
      ['steps[1].verify.mode', '"crc32" is not one of "auto", "readback", "crc".', undefined, 3],
      ['steps[2].unprotect.confirm', 'must be "mass-erase", not "mass-erse".', 'mass-erase', 4],
      [
        'steps[3].erase',
        'must be empty, "auto", "mass", "none" or a mapping, not 5.',
        undefined,
        5,
      ],
      ['steps[4].reset', 'must be empty or a mapping, not "hardware".', undefined, 6],
    ],
  );
  t.regex(
    error.message,
    /flashwright\.config\.yaml:2: steps\[0\]\.erase\.mode: "mas" is not one of "auto", "mass", "none"\. Did you mean "mass"\?/,
  );
});

test('wrong types say what was expected and what was found', async (t) => {
  const { error } = await loadError({
    'flashwright.config.yaml':
      'probe: { speed: fast }\nimage: { file: a.bin, base: nowhere }\nsteps: [{ verify: crcc }, { reset: { run: maybe } }]\n',
  });
  const byKey = Object.fromEntries(issuesOf(error).map((i) => [i.keyPath, i]));
  t.regex(byKey['probe.speed']?.message ?? '', /must be a number, not "fast"/);
  t.regex(byKey['image.base']?.message ?? '', /address such as 0x08000000/);
  t.is(byKey['steps[0].verify']?.suggestion, 'crc');
  t.regex(byKey['steps[1].reset.run']?.message ?? '', /must be a boolean/);
});

test('bounds are said in words: an empty name, a negative index, an empty image list', async (t) => {
  const { error } = await loadError({
    'flashwright.config.yaml': 'probe: { transport: "", index: -1 }\nimage: []\n',
  });
  const byKey = Object.fromEntries(issuesOf(error).map((i) => [i.keyPath, i]));
  t.regex(byKey['probe.transport']?.message ?? '', /expected string to have >=1 characters/);
  t.regex(byKey['probe.index']?.message ?? '', /expected number to be >=0/);
  t.regex(byKey.image?.message ?? '', /expected array to have >=1 items/);
});

test('a step entry naming two steps, an empty step and a bare read are explained', async (t) => {
  const { error } = await loadError({
    'flashwright.config.yaml': 'steps:\n  - erase: auto\n    write:\n  - {}\n  - read\n',
  });
  const messages = issuesOf(error).map((i) => `${i.keyPath}: ${i.message}`);
  t.regex(
    messages[0] ?? '',
    /steps\[0\]: one step per list entry; this one names "erase" and "write"/,
  );
  t.regex(messages[1] ?? '', /steps\[1\]: a step needs a name/);
  t.regex(messages[2] ?? '', /steps\[2\]: "read" needs options/);
});

test('plugin steps are namespaced and accepted as written', async (t) => {
  const { load: run } = await load({
    'flashwright.config.yaml':
      'steps: [connect, { nrf/recover: { confirm: yes } }, example/hello]\n',
  });
  const { recipe } = await run();
  t.deepEqual(
    recipe.steps.map((s) => [s.id, s.options]),
    [
      ['connect', null],
      ['nrf/recover', { confirm: 'yes' }],
      ['example/hello', null],
    ],
  );
});

test('values are normalised: sizes, addresses, absolute paths, step defaults', async (t) => {
  const { dir, load: run } = await load({
    'flashwright.config.yaml': [
      'probe: { transport: ./plugins/my-transport.js, speed: 4000 }',
      'target: { flashSize: 128K }',
      'image: [fw/boot.hex, { file: fw/app.bin, base: "0x08004000" }]',
      'steps: [erase, verify, reset, { read: { address: 0x08000000, length: 1M, file: out.bin } }]',
      '',
    ].join('\n'),
  });
  const { recipe } = await run();
  t.is(recipe.probe.transport, join(dir, 'plugins/my-transport.js'));
  t.is(recipe.probe.speedKhz, 4000);
  t.is(recipe.target.flashSizeBytes, 131072);
  t.deepEqual(recipe.images, [
    { file: join(dir, 'fw/boot.hex'), keyPath: 'image[0]' },
    { file: join(dir, 'fw/app.bin'), format: undefined, base: 0x08004000, keyPath: 'image[1]' },
  ]);
  // Each step's definition normalises its options, built-in or plugin alike.
  const parsed = recipe.steps.map((step) =>
    isBuiltin(step.id)
      ? builtinSteps[step.id].parseOptions(step.options, { keyPath: step.keyPath })
      : undefined,
  );
  t.deepEqual(parsed, [
    { mode: 'auto', confirmed: false, force: false, compare: 'auto' },
    { mode: 'auto' },
    { run: true, kind: 'software' },
    {
      address: 0x08000000,
      lengthBytes: 1024 * 1024,
      file: join(dir, 'out.bin'),
      origin: { keyPath: 'steps[3]', fromCommand: false },
    },
  ]);
});

test('YAML errors (here a duplicate key) are RECIPE_PARSE with the line', async (t) => {
  const { error } = await loadError({
    'flashwright.config.yaml': 'probe: { speed: 1 }\nprobe: { speed: 2 }\n',
  });
  t.is(error.code, 'RECIPE_PARSE');
  t.is(exitCodeOf(error), 2);
  t.regex(error.message, /flashwright\.config\.yaml:2/);
});

test('a recipe that is not a mapping is rejected', async (t) => {
  const { error } = await loadError({ 'flashwright.config.yaml': '- connect\n- write\n' });
  t.is(error.code, 'RECIPE_INVALID');
  t.regex(error.message, /must be a mapping/);
});

test('no recipe anywhere up to the project root is RECIPE_NOT_FOUND', async (t) => {
  const { error } = await loadError({ 'src/main.c': '' });
  t.is(error.code, 'RECIPE_NOT_FOUND');
  t.is(exitCodeOf(error), 2);
});

test('with optional, no recipe means defaults, env and flags only', async (t) => {
  const dir = await projectDir({});
  const resolved = await loadRecipe({
    cwd: dir,
    env: {},
    optional: true,
    flags: { probe: 'virtual' },
  });
  t.is(resolved.file, undefined);
  t.is(resolved.recipe.probe.transport, 'virtual');
  t.is(resolved.baseDir, dir);
});

test('the search goes up from the cwd and stops at the project root', async (t) => {
  const dir = await projectDir({
    'flashwright.config.yaml': 'probe: { transport: stlink }\n',
    'firmware/src/main.c': '',
  });
  const found = await loadRecipe({ cwd: join(dir, 'firmware/src'), env: {} });
  t.is(found.file, join(dir, 'flashwright.config.yaml'));

  const nested = await projectDir({
    'sub/package.json': '{}',
    'flashwright.config.yaml': 'probe: {}\n',
  });
  const error = await t.throwsAsync(loadRecipe({ cwd: join(nested, 'sub'), env: {} }));
  t.is(
    (error as FlashwrightError).code,
    'RECIPE_NOT_FOUND',
    'a nested package.json is a project root',
  );
});

test('recipes in .flashwrightrc, JSON (with lines), package.json and TypeScript are found', async (t) => {
  const rc = await projectDir({ '.flashwrightrc': 'probe:\n  transport: gdb\n' });
  t.is((await loadRecipe({ cwd: rc, env: {} })).recipe.probe.transport, 'gdb');

  const json = await projectDir({
    'flashwright.config.json': '{\n  "probe": {\n    "sped": 1\n  }\n}\n',
  });
  const error = await t.throwsAsync(loadRecipe({ cwd: json, env: {} }));
  t.like(issuesOf(error as FlashwrightError)[0], {
    keyPath: 'probe.sped',
    line: 3,
    suggestion: 'speed',
  });

  const pkg = await projectDir({});
  const { writeFile } = await import('node:fs/promises');
  await writeFile(
    join(pkg, 'package.json'),
    JSON.stringify({ name: 'x', flashwright: { probe: { transport: 'virtual' } } }),
  );
  const fromPackage = await loadRecipe({ cwd: pkg, env: {} });
  t.is(fromPackage.recipe.probe.transport, 'virtual');
  t.is(fromPackage.file, join(pkg, 'package.json'));

  const ts = await projectDir({
    'flashwright.config.ts':
      "const speed: number = 2000;\nexport default { probe: { transport: 'stlink', speed } };\n",
  });
  t.is((await loadRecipe({ cwd: ts, env: {} })).recipe.probe.speedKhz, 2000);
});

test('-c loads that file; a missing one is RECIPE_NOT_FOUND', async (t) => {
  const { dir, load: run } = await load(
    {
      'flashwright.config.yaml': 'probe: { transport: a }\n',
      'other.yaml': 'probe: { transport: b }\n',
    },
    { configFile: 'other.yaml' },
  );
  t.is((await run()).recipe.probe.transport, 'b');
  const error = await t.throwsAsync(loadRecipe({ cwd: dir, env: {}, configFile: 'missing.yaml' }));
  t.is((error as FlashwrightError).code, 'RECIPE_NOT_FOUND');
});
