/**
 * core's public surface: a small root (errors and the plugin manifest) and one subpath per
 * audience (package.json `exports`). Each subpath resolves to built code with its types,
 * every name has one home, and the root stays small.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const core = new URL('../../', import.meta.url);
const ROOT_NAMES_MAX = 40;

interface Condition {
  readonly types: string;
  readonly default: string;
}

async function exportsMap(): Promise<Record<string, Condition>> {
  const manifest = JSON.parse(await readFile(new URL('package.json', core), 'utf8')) as {
    exports: Record<string, Condition>;
  };
  return manifest.exports;
}

/** The names an entry file exports, values and types, from its `export { ... } from` lists. */
function exportedNames(source: string): string[] {
  const names: string[] = [];
  for (const [, list] of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const item of (list ?? '').split(',')) {
      const name = item
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .at(-1);
      if (name) names.push(name);
    }
  }
  return names;
}

test('the root entry point stays small: named exports only, fewer than 40', async (t) => {
  const source = await readFile(new URL('src/index.ts', core), 'utf8');
  t.notRegex(source, /export\s+(?:type\s+)?\*/, 'no export * in the root');
  const names = exportedNames(source);
  t.true(names.includes('FlashwrightError') && names.includes('PLUGIN_API_VERSION'));
  t.true(names.length < ROOT_NAMES_MAX, `${names.length} names: ${names.join(', ')}`);
});

test('every subpath resolves to built code and declarations', async (t) => {
  const map = await exportsMap();
  t.deepEqual(Object.keys(map).sort(), [
    '.',
    './adiv5',
    './arm',
    './diagnose',
    './image',
    './loader',
    './plugin',
    './runner',
  ]);
  for (const [subpath, conditions] of Object.entries(map)) {
    t.true(existsSync(fileURLToPath(new URL(conditions.types, core))), `${subpath}: types`);
    const specifier = `@flashwright/core${subpath.slice(1)}`;
    t.is(import.meta.resolve(specifier), new URL(conditions.default, core).href, specifier);
    const module = (await import(specifier)) as Record<string, unknown>;
    t.true(Object.keys(module).length > 0, `${specifier} exports values`);
  }
});

test('each name has one home among the entry points', async (t) => {
  const map = await exportsMap();
  const homes = new Map<string, string[]>();
  for (const [subpath, conditions] of Object.entries(map)) {
    const source = conditions.default.replace('./dist/', '').replace(/\.js$/, '.ts');
    for (const name of exportedNames(await readFile(new URL(source, core), 'utf8'))) {
      homes.set(name, [...(homes.get(name) ?? []), subpath]);
    }
  }
  t.true(homes.size > 150, 'the scan sees every entry point');
  t.deepEqual(
    [...homes].filter(([, where]) => where.length > 1),
    [],
  );
  // The Intel HEX and S-record helpers live in @flashwright/text-records now.
  t.false(homes.has('HEX_VALUE') || homes.has('BlockCollector'));
});
