/**
 * Issue 17: the published CLI is one CommonJS file (so that V8's code cache can take it, see
 * packages/cli/src/code-cache.ts) whose modules run only when a command needs them: esbuild
 * turns each `import()` of the sources into a module that initializes when called. esbuild's
 * metafile (packages/cli/dist/bundle-meta.json, written by `pnpm build`) says which modules
 * the bundle holds and how each imports the others; this follows the static imports from a
 * module to everything that runs with it. Start-up speed itself is a benchmark
 * (test/bench/cli-startup.bench.ts), not a test.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './helpers/cli.js';

interface Metafile {
  readonly inputs: Readonly<
    Record<
      string,
      { readonly imports: readonly { path: string; kind: string; external?: boolean }[] }
    >
  >;
  readonly outputs: Readonly<
    Record<string, { readonly inputs: Readonly<Record<string, unknown>> }>
  >;
}

const cli = join(repoRoot, 'packages/cli');
const meta = JSON.parse(readFileSync(join(cli, 'dist/bundle-meta.json'), 'utf8')) as Metafile;

/** The bundle's module whose source path ends with `suffix`. */
function inputOf(suffix: string): string {
  const found = Object.keys(meta.inputs).find((path) => path.endsWith(suffix));
  if (found === undefined) throw new Error(`no module ${suffix} in the bundle`);
  return found;
}

/** A module and every module it imports statically, transitively: what runs with it. */
function loadedWith(input: string): Set<string> {
  const loaded = new Set<string>();
  const pending = [input];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (loaded.has(next)) continue;
    loaded.add(next);
    for (const i of meta.inputs[next]?.imports ?? []) {
      if (i.kind !== 'dynamic-import' && i.external !== true) pending.push(i.path);
    }
  }
  return loaded;
}

/** The npm packages and workspace packages these modules belong to. */
function packagesIn(inputs: Set<string>): Set<string> {
  const names = new Set<string>();
  for (const input of inputs) {
    const npm = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(
      input,
    );
    const workspace = /(?:^|\/)(?:packages|plugins)\/([^/]+)\/dist\//.exec(input);
    const sibling = /^\.\.\/([^/.][^/]*)\/dist\//.exec(input);
    if (npm?.[1] !== undefined) names.add(npm[1]);
    else if (workspace?.[1] !== undefined) names.add(`@flashwright/${workspace[1]}`);
    else if (sibling?.[1] !== undefined) names.add(`@flashwright/${sibling[1]}`);
    else names.add('@flashwright/cli');
  }
  return names;
}

const heavy = ['zod', 'yaml', 'listr2', 'cosmiconfig'];

test('start-up (--version, --help) loads commander and the CLI, nothing of core', (t) => {
  const packages = packagesIn(loadedWith(inputOf('dist/src/main.js')));
  t.deepEqual([...packages].sort(), ['@flashwright/cli', 'commander']);
});

test('convert, devices and probes load core’s loader, without zod, yaml or the pipeline', (t) => {
  const inputs = loadedWith(inputOf('dist/src/standalone-core.js'));
  const packages = packagesIn(inputs);
  t.true(packages.has('@flashwright/core'));
  t.deepEqual(
    heavy.filter((name) => packages.has(name)),
    [],
  );
  t.false(
    [...inputs].some((i) =>
      /core\/dist\/src\/(pipeline|config\/(schema|validate|load-recipe))/.test(i),
    ),
  );
});

test('each built-in plugin runs only when a command asks for it (import())', (t) => {
  const builtins = inputOf('dist/src/builtin-plugins.js');
  for (const plugin of [
    'format-bin',
    'format-elf',
    'format-ihex',
    'format-srec',
    'target-nrf',
    'target-stm32',
    'transport-cmsis-dap',
    'transport-gdb',
    'transport-stlink',
    'transport-virtual',
  ]) {
    const input = inputOf(`plugins/${plugin}/dist/src/index.js`);
    t.false(loadedWith(inputOf('dist/src/main.js')).has(input), plugin);
    t.false(loadedWith(inputOf('dist/src/full-core.js')).has(input), plugin);
    t.true(
      meta.inputs[builtins]?.imports.some((i) => i.path === input && i.kind === 'dynamic-import'),
      plugin,
    );
  }
});

test('usb, node-hid, cosmiconfig and @flashwright/production stay outside the bundle, imported only with import()', (t) => {
  const externals = Object.values(meta.inputs).flatMap((m) =>
    m.imports.filter((i) => i.external === true && !i.path.startsWith('node:')),
  );
  const lazy = ['usb', 'node-hid', 'cosmiconfig', '@flashwright/production'];
  const named = (name: string) => externals.filter((i) => i.path === name);
  for (const name of lazy) t.true(named(name).length > 0, name);
  t.true(lazy.flatMap(named).every((i) => i.kind === 'dynamic-import'));
  // The database drivers are @flashwright/production's own dependencies, never the bundle's.
  t.deepEqual([...named('better-sqlite3'), ...named('pg')], []);
});

test('yaml comes from its ES module build, without a CommonJS wrapper per module', (t) => {
  const yamlInputs = Object.keys(meta.inputs).filter((i) =>
    /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?yaml\//.test(i),
  );
  t.true(yamlInputs.length > 0);
  t.deepEqual(
    yamlInputs.filter((i) => !i.includes('/yaml/browser/dist/')),
    [],
  );
});

test('the bundle is one file, and its ES module entry point gives main', async (t) => {
  t.deepEqual(Object.keys(meta.outputs), ['dist/bundle/cli.cjs']);
  const index = (await import(pathToFileURL(join(cli, 'dist/bundle/index.js')).href)) as {
    main?: unknown;
  };
  t.is(typeof index.main, 'function');
});

test('the bundle’s import() calls go through the loader’s, all but the fallback for require()', (t) => {
  // An import() compiled from V8's code cache fails on Node 20 (packages/cli/src/code-cache.ts).
  const text = readFileSync(join(cli, 'dist/bundle/cli.cjs'), 'utf8');
  t.deepEqual(text.match(/\bimport\(/g), ['import(']);
  t.true(text.includes('=>import(specifier,options)'));
  t.true(text.includes('__flashwrightImport("usb")'));
});
