import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appImage, examplePlugin, project, runCli } from './helpers/cli.js';

// Which commands load a recipe, and which recipes run code (README, "What runs code").

/** A JS recipe that leaves a file named `ran` next to itself when it runs. */
const markerRecipe = [
  "import { writeFileSync } from 'node:fs';",
  "writeFileSync(new URL('./ran', import.meta.url), 'ran');",
  "export default { probe: { transport: 'virtual' } };",
  '',
].join('\n');

const ran = (dir: string): boolean => existsSync(join(dir, 'ran'));

const hex = ':0400000001020304F2\n:00000001FF\n';

test('convert, devices and probes load no recipe: a JS one does not run, a broken one does not matter', async (t) => {
  const code = await project({ 'flashwright.config.mjs': markerRecipe, 'app.hex': hex });
  const broken = await project({ 'flashwright.config.yaml': 'probe: [\n', 'app.hex': hex });
  for (const cwd of [code, broken]) {
    for (const args of [
      ['convert', 'app.hex', 'app.bin'],
      ['devices', 'L151'],
      ['probes', '--probe', 'virtual'],
    ]) {
      const run = await runCli(args, { cwd });
      t.is(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
    }
  }
  t.false(ran(code), 'the JS recipe never ran');

  // The commands that act on the recipe's board do load it (so the marker works).
  const run = await runCli(['info', '--dry-run'], { cwd: code });
  t.is(run.code, 0, run.stderr);
  t.true(ran(code));
});

test('-c gives convert, devices and probes a recipe, and its errors', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': 'probe: [\n', 'app.hex': hex });
  const run = await runCli(['convert', 'app.hex', 'app.bin', '-c', 'flashwright.config.yaml'], {
    cwd,
  });
  t.is(run.code, 2);
  t.regex(run.stderr, /flashwright\.config\.yaml:2:1: /);
});

test('a JS recipe in a parent directory above the project root does not run', async (t) => {
  const outer = await mkdtemp(join(tmpdir(), 'flashwright-e2e-trust-'));
  await writeFile(join(outer, 'flashwright.config.mjs'), markerRecipe);
  await mkdir(join(outer, 'project/src'), { recursive: true });
  await writeFile(join(outer, 'project/package.json'), '{}');
  const run = await runCli(['run', '--dry-run'], { cwd: join(outer, 'project/src') });
  t.is(run.code, 2);
  t.regex(run.stderr, /RECIPE_NOT_FOUND/);
  t.false(ran(outer));
});

test('the search stops at $HOME even where no project root is found', async (t) => {
  const outer = await mkdtemp(join(tmpdir(), 'flashwright-e2e-home-'));
  await writeFile(join(outer, 'flashwright.config.mjs'), markerRecipe);
  await mkdir(join(outer, 'home/firmware'), { recursive: true });
  const run = await runCli(['run', '--dry-run'], {
    cwd: join(outer, 'home/firmware'),
    env: { HOME: join(outer, 'home') },
  });
  t.is(run.code, 2);
  t.regex(run.stderr, /RECIPE_NOT_FOUND/);
  t.false(ran(outer));
});

test('a YAML recipe extending a .mjs file exits 2 at the extends line and runs nothing', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': `plugins: [${JSON.stringify(examplePlugin)}]\nextends: ./board.mjs\nimage: app.fwtext\n`,
    'board.mjs': markerRecipe,
    'app.fwtext': appImage,
  });
  const run = await runCli(['run', '--dry-run'], { cwd });
  t.is(run.code, 2);
  t.regex(
    run.stderr,
    /flashwright\.config\.yaml:2: extends: cannot extend "\.\/board\.mjs": .* is a program/,
  );
  t.false(ran(cwd));
});

test('a __proto__ key exits 2 naming file, line and key; a JSON syntax error names line and column', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': 'probe:\n  transport: virtual\n  __proto__: { speed: 1 }\n',
  });
  const run = await runCli(['run', '--dry-run'], { cwd });
  t.is(run.code, 2);
  t.regex(run.stderr, /flashwright\.config\.yaml:3: probe\.__proto__: "__proto__" is not allowed/);

  const json = await project({
    'flashwright.config.json': '{\n  "probe": { "transport": "virtual" }\n  "image": "a.hex"\n}\n',
  });
  const parse = await runCli(['run', '--dry-run'], { cwd: json });
  t.is(parse.code, 2);
  t.regex(
    parse.stderr,
    /flashwright\.config\.json:3:3: expected ',' or '\}' after the value of "probe"/,
  );
});
