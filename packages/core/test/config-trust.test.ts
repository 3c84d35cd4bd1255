import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { searchDirectories } from '../src/config/search.js';
import { loadRecipe, type RecipeIssue } from '../src/exports/runner.js';
import type { FlashwrightError } from '../src/index.js';
import { projectDir } from './helpers/recipe-dir.js';

// The trust model: a recipe that is a program (.js, .mjs, .cjs, .ts, .mts) runs only when it
// is the project's own recipe (the search stops at the project root and never goes above the
// home directory) or is named with -c; a YAML or JSON recipe never makes code run.

/** A directory tree without package.json (so it is no project root), in the temp directory. */
async function tree(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'flashwright-trust-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** A JS recipe that leaves a file named `ran` next to itself when it runs. */
const markerRecipe = [
  "import { writeFileSync } from 'node:fs';",
  "writeFileSync(new URL('./ran', import.meta.url), 'ran');",
  "export default { probe: { transport: 'virtual' } };",
  '',
].join('\n');

const ran = (dir: string): boolean => existsSync(join(dir, 'ran'));

function issuesOf(error: unknown): RecipeIssue[] {
  return (error as FlashwrightError).details?.issues as RecipeIssue[];
}

test('a JS recipe above the project root (package.json) does not run; one in the project does', async (t) => {
  const outer = await tree({
    'flashwright.config.mjs': markerRecipe,
    'project/package.json': '{}',
    'project/src/main.c': '',
  });
  const resolved = await loadRecipe({
    cwd: join(outer, 'project/src'),
    env: {},
    optional: true,
    homeDir: outer,
  });
  t.is(resolved.file, undefined);
  t.false(ran(outer), 'the recipe above the project root never ran');
  const missing = await t.throwsAsync(
    loadRecipe({ cwd: join(outer, 'project/src'), env: {}, homeDir: outer }),
  );
  t.is(
    missing?.message,
    `No recipe found in ${join(outer, 'project/src')}, ${join(outer, 'project')}`,
  );

  await writeFile(join(outer, 'project/flashwright.config.mjs'), markerRecipe);
  const own = await loadRecipe({ cwd: join(outer, 'project/src'), env: {}, homeDir: outer });
  t.is(own.file, join(outer, 'project/flashwright.config.mjs'));
  t.true(ran(join(outer, 'project')), 'the project’s own recipe ran (so the marker works)');
});

test('a .git directory (or file, in a git worktree) is a project root too', async (t) => {
  const outer = await tree({
    'flashwright.config.mjs': markerRecipe,
    'repo/.git/HEAD': 'ref: refs/heads/main\n',
    'worktree/.git': 'gitdir: ../repo/.git/worktrees/x\n',
  });
  for (const project of ['repo', 'worktree']) {
    const cwd = join(outer, project);
    t.deepEqual(searchDirectories(cwd, '/nonexistent-home'), [cwd], project);
    const resolved = await loadRecipe({ cwd, env: {}, optional: true, homeDir: outer });
    t.is(resolved.file, undefined, project);
  }
  t.false(ran(outer));
});

test('the search never goes above the home directory, even without a project root', async (t) => {
  const outer = await tree({
    'flashwright.config.mjs': markerRecipe,
    'home/firmware/src/main.c': '',
  });
  const home = join(outer, 'home');
  const cwd = join(home, 'firmware/src');
  t.deepEqual(searchDirectories(cwd, home), [cwd, join(home, 'firmware'), home]);
  const resolved = await loadRecipe({ cwd, env: {}, optional: true, homeDir: home });
  t.is(resolved.file, undefined);
  t.false(ran(outer), 'the recipe above the home directory never ran');

  await writeFile(join(home, 'flashwright.config.yaml'), 'probe: { transport: virtual }\n');
  const inHome = await loadRecipe({ cwd, env: {}, homeDir: home });
  t.is(inHome.file, join(home, 'flashwright.config.yaml'), 'the home directory itself is searched');
});

test('outside the home directory with no project root above, only the cwd is searched', async (t) => {
  // /tmp is writable by every user: a recipe planted in it must not run for a cwd below it.
  const outer = await tree({ 'flashwright.config.mjs': markerRecipe, 'work/main.c': '' });
  const cwd = join(outer, 'work');
  const home = join(outer, 'elsewhere');
  t.deepEqual(searchDirectories(cwd, home), [cwd]);
  const resolved = await loadRecipe({ cwd, env: {}, optional: true, homeDir: home });
  t.is(resolved.file, undefined);
  t.false(ran(outer));

  await writeFile(join(cwd, 'flashwright.config.yaml'), 'probe: { transport: virtual }\n');
  t.is(
    (await loadRecipe({ cwd, env: {}, homeDir: home })).file,
    join(cwd, 'flashwright.config.yaml'),
  );
});

test('-c runs a JS recipe it names, wherever it is', async (t) => {
  const outer = await tree({ 'elsewhere/recipe.mjs': markerRecipe });
  const cwd = await projectDir({});
  const resolved = await loadRecipe({
    cwd,
    env: {},
    configFile: join(outer, 'elsewhere/recipe.mjs'),
  });
  t.is(resolved.recipe.probe.transport, 'virtual');
  t.true(ran(join(outer, 'elsewhere')));
});

test('a YAML recipe cannot extend a JS file: RECIPE_INVALID at the extends line, nothing runs', async (t) => {
  const dir = await projectDir({
    'flashwright.config.yaml': 'image: app.hex\nextends:\n  - ./base.yaml\n  - ./evil.mjs\n',
    'base.yaml': 'probe: { transport: virtual }\n',
    'evil.mjs': markerRecipe,
  });
  const error = await t.throwsAsync(loadRecipe({ cwd: dir, env: {} }));
  t.is((error as FlashwrightError).code, 'RECIPE_INVALID');
  t.like(issuesOf(error)[0], {
    keyPath: 'extends[1]',
    line: 4,
    source: { kind: 'file', origin: join(dir, 'flashwright.config.yaml') },
  });
  t.regex(
    error?.message ?? '',
    /flashwright\.config\.yaml:4: extends\[1\]: cannot extend "\.\/evil\.mjs": .*evil\.mjs is a program/,
  );
  t.false(ran(dir));
});

test('a JSON or YAML base cannot extend JS either, nor can a package resolve to JS', async (t) => {
  const dir = await projectDir({
    'flashwright.config.json': '{\n  "extends": "./presets/board.yaml"\n}\n',
    'presets/board.yaml': 'extends: ./helper.cjs\n',
    'presets/helper.cjs': "require('node:fs').writeFileSync(__dirname + '/ran', '');\n",
    'node_modules/acme-boards/package.json': '{"name":"acme-boards","main":"index.js"}',
    'node_modules/acme-boards/index.js': markerRecipe,
  });
  const error = await t.throwsAsync(loadRecipe({ cwd: dir, env: {} }));
  t.like(issuesOf(error)[0], {
    keyPath: 'extends',
    line: 1,
    source: { origin: join(dir, 'presets/board.yaml') },
  });
  t.false(ran(join(dir, 'presets')));

  await writeFile(join(dir, 'flashwright.config.json'), '{ "extends": "acme-boards" }\n');
  const fromPackage = await t.throwsAsync(loadRecipe({ cwd: dir, env: {} }));
  t.regex(fromPackage?.message ?? '', /cannot extend "acme-boards": .*index\.js is a program/);
  t.false(ran(join(dir, 'node_modules/acme-boards')));
});

test('a JS recipe may extend JS and YAML files', async (t) => {
  const dir = await projectDir({
    'flashwright.config.mjs': "export default { extends: './base.mjs', probe: { speed: 100 } };\n",
    'base.mjs': markerRecipe,
  });
  const resolved = await loadRecipe({ cwd: dir, env: {} });
  t.like(resolved.recipe.probe, { transport: 'virtual', speedKhz: 100 });
  t.true(ran(dir));
});

test('cosmiconfig’s $import and .config/config.* are not followed: a YAML recipe runs no code', async (t) => {
  const dir = await projectDir({
    'flashwright.config.yaml': '$import: ./evil.mjs\nprobe: { transport: virtual }\n',
    'evil.mjs': markerRecipe,
    '.config/config.mjs': markerRecipe,
  });
  const error = await t.throwsAsync(loadRecipe({ cwd: dir, env: {} }));
  t.like(issuesOf(error)[0], { keyPath: '$import', line: 1 });
  t.false(ran(dir));
  t.false(ran(join(dir, '.config')));
});

test('a file of another type is no recipe (RECIPE_PARSE, exit 2)', async (t) => {
  const dir = await projectDir({ 'recipe.toml': 'probe = 1\n' });
  const error = await t.throwsAsync(loadRecipe({ cwd: dir, env: {}, configFile: 'recipe.toml' }));
  t.is((error as FlashwrightError).code, 'RECIPE_PARSE');
  t.regex(error?.message ?? '', /recipe\.toml is not a recipe file/);
});
