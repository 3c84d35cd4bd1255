/**
 * Issue 17: the published CLI is a bundle whose parts load only when a command needs them.
 * esbuild's metafile (packages/cli/dist/bundle-meta.json, written by `pnpm build`) says which
 * packages each chunk holds and what it imports; this follows the static imports from an
 * entry point to everything that loads with it. Start-up speed itself is a benchmark
 * (test/bench/cli-startup.bench.ts), not a test.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helpers/cli.js';

interface Metafile {
  readonly outputs: Readonly<
    Record<
      string,
      {
        readonly entryPoint?: string;
        readonly imports: readonly { path: string; kind: string; external?: boolean }[];
        readonly inputs: Readonly<Record<string, unknown>>;
      }
    >
  >;
}

const cli = join(repoRoot, 'packages/cli');
const meta = JSON.parse(readFileSync(join(cli, 'dist/bundle-meta.json'), 'utf8')) as Metafile;

/** The output built from an entry point whose source path ends with `suffix`. */
function outputOf(suffix: string): string {
  const found = Object.entries(meta.outputs).find(([, o]) => o.entryPoint?.endsWith(suffix));
  if (found === undefined) throw new Error(`no chunk for ${suffix}`);
  return found[0];
}

/** An output and every chunk it imports statically, transitively: what loads with it. */
function loadedWith(output: string): Set<string> {
  const loaded = new Set<string>();
  const pending = [output];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (loaded.has(next)) continue;
    loaded.add(next);
    for (const i of meta.outputs[next]?.imports ?? []) {
      if (i.kind === 'import-statement' && i.external !== true) pending.push(i.path);
    }
  }
  return loaded;
}

/** The npm packages and workspace packages whose modules are in these chunks. */
function packagesIn(chunks: Set<string>): Set<string> {
  const names = new Set<string>();
  for (const chunk of chunks) {
    for (const input of Object.keys(meta.outputs[chunk]?.inputs ?? {})) {
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
  }
  return names;
}

const heavy = ['zod', 'yaml', 'listr2', 'cosmiconfig'];

test('start-up (--version, --help) loads commander and the CLI, nothing of core', (t) => {
  const packages = packagesIn(loadedWith(outputOf('dist/src/main.js')));
  t.deepEqual([...packages].sort(), ['@flashwright/cli', 'commander']);
});

test('convert, devices and probes load core’s loader, without zod, yaml or the pipeline', (t) => {
  const chunks = loadedWith(outputOf('dist/src/standalone-core.js'));
  const packages = packagesIn(chunks);
  t.true(packages.has('@flashwright/core'));
  t.deepEqual(
    heavy.filter((name) => packages.has(name)),
    [],
  );
  const inputs = [...chunks].flatMap((c) => Object.keys(meta.outputs[c]?.inputs ?? {}));
  t.false(
    inputs.some((i) => /core\/dist\/src\/(pipeline|config\/(schema|validate|load-recipe))/.test(i)),
  );
});

test('each built-in plugin is a chunk of its own, loaded when a command asks for it', (t) => {
  for (const plugin of [
    'format-bin',
    'format-elf',
    'format-ihex',
    'format-srec',
    'target-nrf',
    'target-stm32',
    'transport-gdb',
    'transport-stlink',
    'transport-virtual',
  ]) {
    const output = outputOf(`plugins/${plugin}/dist/src/index.js`);
    t.false(loadedWith(outputOf('dist/src/main.js')).has(output), plugin);
    t.false(loadedWith(outputOf('dist/src/full-core.js')).has(output), plugin);
  }
});

test('usb and cosmiconfig stay outside the bundle, imported only with import()', (t) => {
  const externals = Object.values(meta.outputs).flatMap((o) =>
    o.imports.filter((i) => i.external === true && !i.path.startsWith('node:')),
  );
  const named = (name: string) => externals.filter((i) => i.path === name);
  t.true(named('usb').length > 0 && named('cosmiconfig').length > 0);
  t.true([...named('usb'), ...named('cosmiconfig')].every((i) => i.kind === 'dynamic-import'));
});
