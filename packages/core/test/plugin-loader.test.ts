import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  PluginLoader,
  PluginSet,
  parsePluginSpec,
  pluginShortNames,
  resolverFrom,
} from '../src/exports/runner.js';
import { PLUGIN_API_VERSION, exitCodeOf, type FlashwrightError } from '../src/index.js';
import { projectDir } from './helpers/recipe-dir.js';

const examplePlugin = fileURLToPath(
  new URL('../../../../test/fixtures/example-plugin', import.meta.url),
);

/** A loader whose only module is `module`, under any package name in `names`. */
function loaderWith(module: unknown, names = ['some-plugin']): PluginLoader {
  return new PluginLoader({
    baseDir: process.cwd(),
    resolvers: [(spec) => (names.includes(spec) ? `test:${spec}` : undefined)],
    importModule: () => Promise.resolve(module),
  });
}

test('short names map to the @flashwright packages; paths and package names pass through', (t) => {
  t.like(parsePluginSpec('stlink', '/p'), {
    kind: 'package',
    packageName: '@flashwright/transport-stlink',
  });
  t.like(parsePluginSpec('virtual', '/p'), {
    kind: 'package',
    packageName: '@flashwright/transport-virtual',
  });
  t.like(parsePluginSpec('gdb', '/p'), {
    kind: 'package',
    packageName: '@flashwright/transport-gdb',
  });
  t.like(parsePluginSpec('stm32', '/p'), {
    kind: 'package',
    packageName: '@flashwright/target-stm32',
  });
  for (const format of ['ihex', 'srec', 'elf', 'bin']) {
    t.like(parsePluginSpec(format, '/p'), {
      kind: 'package',
      packageName: `@flashwright/format-${format}`,
    });
  }
  t.like(parsePluginSpec('@acme/flashwright-jlink', '/p'), {
    kind: 'package',
    packageName: '@acme/flashwright-jlink',
  });
  t.like(parsePluginSpec('./tools/plugin.js', '/project'), {
    kind: 'path',
    path: '/project/tools/plugin.js',
  });
});

test('a plugin that is not installed gives the exact install commands (exit 2)', async (t) => {
  const loader = new PluginLoader({ baseDir: process.cwd(), resolvers: [() => undefined] });
  const error = await t.throwsAsync<FlashwrightError>(loader.load('stlink'));
  t.is(error.code, 'PLUGIN_NOT_INSTALLED');
  t.is(exitCodeOf(error), 2);
  t.regex(error.message, /@flashwright\/transport-stlink \(stlink\) is not installed/);
  t.regex(
    error.hint ?? '',
    /`pnpm add -D @flashwright\/transport-stlink` or `npm i -D @flashwright\/transport-stlink`/,
  );
  t.false(loader.isInstalled('stlink'));
});

test('every short name is a flashwright package in this repository', (t) => {
  const pluginsDir = fileURLToPath(new URL('../../../../plugins', import.meta.url));
  const packages = readdirSync(pluginsDir).map(
    (dir) =>
      (JSON.parse(readFileSync(join(pluginsDir, dir, 'package.json'), 'utf8')) as { name: string })
        .name,
  );
  for (const [short, name] of Object.entries(pluginShortNames)) {
    t.true(packages.includes(name), `${short} -> ${name}`);
  }
});

test('a transport flashwright does not have (dfu, uart) names no package to install', async (t) => {
  const loader = new PluginLoader({ baseDir: process.cwd(), resolvers: [() => undefined] });
  for (const [spec, what] of [
    ['dfu', 'USB DFU bootloaders'],
    ['uart', 'UART \\(serial\\) bootloaders'],
    ['cmsis-dap', 'CMSIS-DAP probes'],
  ] as const) {
    const error = await t.throwsAsync<FlashwrightError>(new PluginSet(loader).transport(spec));
    t.is(error.code, 'PLUGIN_UNKNOWN');
    t.is(exitCodeOf(error), 2);
    t.regex(
      error.message,
      new RegExp(`flashwright has no transport "${spec}": ${what} are not supported yet\\.`),
    );
    t.regex(error.hint ?? '', /flashwright's transports are stlink, gdb and virtual\./);
    t.notRegex(`${error.message} ${error.hint}`, /pnpm add|npm i|@flashwright\/transport-/);
  }
  // Through the loader alone (a `plugins:` entry) the list covers every kind.
  const plain = await t.throwsAsync<FlashwrightError>(loader.load('dfu'));
  t.is(plain.code, 'PLUGIN_UNKNOWN');
  t.regex(plain.hint ?? '', /transports stlink, gdb and virtual; target families stm32 and nrf;/);
});

test('a mistyped transport gets a did-you-mean among the real ones and the recipe’s', async (t) => {
  const loader = new PluginLoader({ baseDir: process.cwd(), resolvers: [() => undefined] });
  const error = await t.throwsAsync<FlashwrightError>(new PluginSet(loader).transport('stlnik'));
  t.is(error.code, 'PLUGIN_UNKNOWN');
  t.regex(error.message, /flashwright has no transport "stlnik"\. Did you mean "stlink"\?/);
  t.notRegex(error.hint ?? '', /pnpm add/);

  const withExample = new PluginSet(new PluginLoader({ baseDir: process.cwd(), resolvers: [] }));
  await withExample.add(examplePlugin);
  const provided = await t.throwsAsync<FlashwrightError>(withExample.transport('loopbak'));
  t.regex(provided.message, /Did you mean "loopback"\?/);
  t.regex(provided.hint ?? '', /the recipe's plugins add loopback/);
});

test('a plugin built for another API version is refused', async (t) => {
  const module = {
    plugin: () => ({
      meta: { name: 'old-plugin', version: '0.1.0', apiVersion: PLUGIN_API_VERSION + 1 },
    }),
  };
  const error = await t.throwsAsync<FlashwrightError>(loaderWith(module).load('some-plugin'));
  t.is(error.code, 'PLUGIN_API_MISMATCH');
  t.regex(
    error.message,
    new RegExp(`old-plugin@0\\.1\\.0 was built for plugin API ${PLUGIN_API_VERSION + 1}`),
  );
  t.regex(error.hint ?? '', /Update flashwright/);
});

test('a default export instead of a named plugin() is explained', async (t) => {
  const error = await t.throwsAsync<FlashwrightError>(
    loaderWith({ default: () => ({}) }).load('some-plugin'),
  );
  t.is(error.code, 'PLUGIN_INVALID');
  t.regex(error.hint ?? '', /export function plugin\(options\)/);
});

test('a factory that throws, or returns no meta, is PLUGIN_INVALID', async (t) => {
  const throwing = {
    plugin: () => {
      throw new Error('bad options');
    },
  };
  const error = await t.throwsAsync<FlashwrightError>(loaderWith(throwing).load('some-plugin'));
  t.regex(error.message, /plugin\(options\) threw: bad options/);

  const noMeta = { plugin: () => ({ transports: [] }) };
  const metaError = await t.throwsAsync<FlashwrightError>(loaderWith(noMeta).load('some-plugin'));
  t.regex(metaError.message, /no valid meta/);

  const badSlot = {
    plugin: () => ({
      meta: { name: 'x', version: '1', apiVersion: PLUGIN_API_VERSION },
      formats: {},
    }),
  };
  const slotError = await t.throwsAsync<FlashwrightError>(loaderWith(badSlot).load('some-plugin'));
  t.regex(slotError.message, /a non-list "formats"/);
});

test('the factory gets the recipe options, and each spec+options loads once', async (t) => {
  const seen: unknown[] = [];
  const module = {
    plugin: (options: unknown) => {
      seen.push(options);
      return { meta: { name: 'p', version: '1', apiVersion: PLUGIN_API_VERSION } };
    },
  };
  const loader = loaderWith(module);
  const a = await loader.load('some-plugin', { level: 1 });
  const b = await loader.load('some-plugin', { level: 1 });
  await loader.load('some-plugin', { level: 2 });
  t.is(a, b);
  t.deepEqual(seen, [{ level: 1 }, { level: 2 }]);
});

test('the worked example plugin loads by path through the public loader', async (t) => {
  const loader = new PluginLoader({ baseDir: process.cwd(), resolvers: [] });
  const loaded = await loader.load(examplePlugin, { greeting: 'Hi' });
  t.is(loaded.plugin.meta.name, 'flashwright-plugin-example');
  t.deepEqual(
    loaded.plugin.formats?.map((f) => f.id),
    ['fwtext'],
  );
  t.deepEqual(
    loaded.plugin.steps?.map((s) => s.id),
    ['example/hello', 'example/stamp'],
  );
  t.deepEqual(
    loaded.plugin.transports?.map((s) => s.id),
    ['loopback'],
  );
  t.deepEqual(
    loaded.plugin.families?.map((s) => s.id),
    ['example'],
  );
  const format = loaded.plugin.formats![0]!;
  const image = format.parse(new TextEncoder().encode('# fwtext\n0x08000000: 01 02 03\n'));
  t.deepEqual([...image.blocks], [[0x08000000, Uint8Array.of(1, 2, 3)]]);
  const step = loaded.plugin.steps![0]!;
  t.deepEqual(step.parseOptions(null, { keyPath: 'steps[0].example/hello' }), { greeting: 'Hi' });
});

test('a missing plugin path says where it looked', async (t) => {
  const loader = new PluginLoader({ baseDir: '/project', resolvers: [] });
  const error = await t.throwsAsync<FlashwrightError>(loader.load('./plugins/nope.js'));
  t.is(error.code, 'PLUGIN_NOT_INSTALLED');
  t.regex(error.message, /\/project\/plugins\/nope\.js/);
});

test('package plugins resolve from the recipe directory’s node_modules', async (t) => {
  const dir = await projectDir({
    'node_modules/flashwright-plugin-local/package.json':
      '{"name":"flashwright-plugin-local","type":"module","exports":"./index.js"}',
    'node_modules/flashwright-plugin-local/index.js': `export function plugin() { return { meta: { name: 'flashwright-plugin-local', version: '2.0.0', apiVersion: ${PLUGIN_API_VERSION} } }; }\n`,
  });
  const loader = new PluginLoader({ baseDir: dir, resolvers: [resolverFrom(dir)] });
  t.true(loader.isInstalled('flashwright-plugin-local'));
  const loaded = await loader.load('flashwright-plugin-local');
  t.is(loaded.plugin.meta.version, '2.0.0');
});
