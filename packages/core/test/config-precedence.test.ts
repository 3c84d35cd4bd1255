import test from 'ava';
import { join } from 'node:path';
import {
  boardNames,
  builtinSteps,
  loadRecipe,
  type RecipeIssue,
  type RecipeStep,
} from '../src/exports/runner.js';
import type { FlashwrightError } from '../src/index.js';
import { projectDir } from './helpers/recipe-dir.js';

/** An option-bytes step's options as its definition reads them, with the layer it came from. */
function optionBytes(step: RecipeStep) {
  if (step.id !== 'option-bytes') throw new Error(`not an option-bytes step: ${step.id}`);
  return builtinSteps['option-bytes'].parseOptions(step.options, {
    keyPath: step.keyPath,
    layer: step.source,
  });
}

// One test per rung of the ladder: defaults < extends < file < FLASHWRIGHT_* < flags.

const base = 'probe: { transport: stlink, speed: 1000 }\n';

test('rung 1: defaults apply when nothing else sets a value', async (t) => {
  const dir = await projectDir({ 'flashwright.config.yaml': base });
  const resolved = await loadRecipe({ cwd: dir, env: {} });
  t.is(resolved.recipe.probe.connect, 'normal');
  t.deepEqual(resolved.sources['probe.connect'], { kind: 'default', origin: 'defaults' });
  t.deepEqual(
    resolved.recipe.steps.map((s) => s.id),
    ['connect', 'erase', 'write', 'verify', 'reset'],
  );
  t.is(resolved.sources.steps?.kind, 'default');
});

test('rung 2: an extended preset overrides the defaults', async (t) => {
  const dir = await projectDir({
    'flashwright.config.yaml': 'extends: ./presets/board.yaml\n',
    'presets/board.yaml': 'probe: { transport: stlink, connect: under-reset }\n',
  });
  const resolved = await loadRecipe({ cwd: dir, env: {} });
  t.is(resolved.recipe.probe.connect, 'under-reset');
  t.deepEqual(resolved.sources['probe.connect'], {
    kind: 'extends',
    origin: join(dir, 'presets/board.yaml'),
  });
});

test('rung 3: the file overrides its preset, key by key (arrays replace)', async (t) => {
  const dir = await projectDir({
    'flashwright.config.yaml':
      'extends: ./presets/board.yaml\nprobe: { speed: 4000 }\nsteps: [connect, write]\n',
    'presets/board.yaml':
      'probe: { transport: stlink, speed: 1800 }\nsteps: [connect, { erase: auto }, write, verify]\n',
  });
  const resolved = await loadRecipe({ cwd: dir, env: {} });
  t.is(resolved.recipe.probe.speedKhz, 4000);
  t.is(resolved.recipe.probe.transport, 'stlink', 'siblings from the preset stay');
  t.deepEqual(
    resolved.recipe.steps.map((s) => s.id),
    ['connect', 'write'],
  );
  t.is(resolved.sources['probe.speed']?.kind, 'file');
  t.is(resolved.sources['probe.transport']?.kind, 'extends');
});

test('rung 4: FLASHWRIGHT_* environment variables override the file', async (t) => {
  const dir = await projectDir({ 'flashwright.config.yaml': base });
  const resolved = await loadRecipe({
    cwd: dir,
    env: {
      FLASHWRIGHT_PROBE_SPEED: '480',
      FLASHWRIGHT_TARGET_DEVICE: 'STM32F103C8',
      FLASHWRIGHT_REQUIRE_PEERS: '1',
    },
  });
  t.is(resolved.recipe.probe.speedKhz, 480);
  t.is(resolved.recipe.target.device, 'STM32F103C8');
  t.deepEqual(resolved.sources['probe.speed'], { kind: 'env', origin: 'FLASHWRIGHT_PROBE_SPEED' });
});

test('rung 5: command-line flags override the environment', async (t) => {
  const dir = await projectDir({ 'flashwright.config.yaml': base });
  const resolved = await loadRecipe({
    cwd: dir,
    env: { FLASHWRIGHT_PROBE_SPEED: '480', FLASHWRIGHT_PROBE: 'stlink:ENV' },
    flags: { speedKhz: 100, probe: 'stlink:FLAG' },
  });
  t.is(resolved.recipe.probe.speedKhz, 100);
  t.is(resolved.recipe.probe.serial, 'FLAG');
  t.deepEqual(resolved.sources['probe.speed'], { kind: 'flag', origin: '--speed' });
  t.deepEqual(resolved.sources['probe.serial'], { kind: 'flag', origin: '--probe' });
});

test('--chip sets target.device over the file and FLASHWRIGHT_TARGET_DEVICE', async (t) => {
  const dir = await projectDir({ 'flashwright.config.yaml': 'target: { device: STM32F103C8 }\n' });
  const resolved = await loadRecipe({
    cwd: dir,
    env: { FLASHWRIGHT_TARGET_DEVICE: 'STM32F103RB' },
    flags: { device: 'STM32F411RE' },
  });
  t.is(resolved.recipe.target.device, 'STM32F411RE');
  t.deepEqual(resolved.sources['target.device'], { kind: 'flag', origin: '--chip' });
});

test('--probe with another transport drops the recipe probe’s serial and options', async (t) => {
  const dir = await projectDir({
    'flashwright.config.yaml':
      'probe: { transport: stlink, serial: ABC, speed: 1800, options: { x: 1 } }\n',
  });
  const resolved = await loadRecipe({ cwd: dir, env: {}, flags: { probe: 'virtual' } });
  t.like(resolved.recipe.probe, {
    transport: 'virtual',
    serial: undefined,
    speedKhz: 1800,
    options: {},
  });
  t.is(resolved.sources['probe.serial'], undefined);
});

test('gdb:HOST:PORT sets probe.address, which the transport gets with its options', async (t) => {
  const dir = await projectDir({ 'flashwright.config.yaml': base });
  const resolved = await loadRecipe({ cwd: dir, env: {}, flags: { probe: 'gdb:localhost:3333' } });
  t.deepEqual(resolved.recipe.probe.options, { address: 'localhost:3333' });
  t.is(resolved.recipe.probe.transport, 'gdb');
  t.is(resolved.sources['probe.address']?.kind, 'flag');
});

test('--probe gdb:HOST:PORT overrides the recipe’s probe.address; another transport drops it', async (t) => {
  const dir = await projectDir({
    'flashwright.config.yaml':
      'probe: { transport: gdb, address: "127.0.0.1:3333", options: { timeoutMs: 900 } }\n',
  });
  const own = await loadRecipe({ cwd: dir, env: {} });
  t.deepEqual(own.recipe.probe.options, { timeoutMs: 900, address: '127.0.0.1:3333' });

  const flagged = await loadRecipe({ cwd: dir, env: {}, flags: { probe: 'gdb:10.0.0.5:2331' } });
  t.deepEqual(flagged.recipe.probe.options, { timeoutMs: 900, address: '10.0.0.5:2331' });

  const other = await loadRecipe({ cwd: dir, env: {}, flags: { probe: 'virtual' } });
  t.deepEqual(other.recipe.probe.options, {});
  t.is(other.sources['probe.address'], undefined);
});

test('an invalid value names the environment variable it came from', async (t) => {
  const dir = await projectDir({ 'flashwright.config.yaml': base });
  const error = await t.throwsAsync<FlashwrightError>(
    loadRecipe({ cwd: dir, env: { FLASHWRIGHT_PROBE_CONNECT: 'sideways' } }),
  );
  const [issue] = error.details?.issues as RecipeIssue[];
  t.deepEqual(issue?.source, { kind: 'env', origin: 'FLASHWRIGHT_PROBE_CONNECT' });
  t.regex(error.message, /environment FLASHWRIGHT_PROBE_CONNECT: probe\.connect/);
});

test('extends: board:rak5205 resolves to the preset in @flashwright/configs and merges as documented', async (t) => {
  t.true(boardNames().includes('rak5205'));
  const dir = await projectDir({
    'flashwright.config.yaml':
      'extends: board:rak5205\nprobe: { speed: 4000 }\nimage: build/blink.hex\n',
  });
  const resolved = await loadRecipe({ cwd: dir, env: {} });
  t.like(resolved.recipe.probe, { transport: 'stlink', connect: 'under-reset', speedKhz: 4000 });
  t.like(resolved.recipe.target, { family: 'stm32', device: 'STM32L151CBxxA' });
  // The preset leaves the flash size to the chip's register (decoded with the 0x429 quirk).
  t.is(resolved.recipe.target.flashSizeBytes, undefined);
  const preset = resolved.sources['target.device']?.origin ?? '';
  t.regex(preset, /configs[/\\]boards[/\\]rak5205\.yaml$/);
  t.is(resolved.sources['target.device']?.kind, 'extends');
  t.is(resolved.sources['probe.speed']?.origin, join(dir, 'flashwright.config.yaml'));
  t.deepEqual(
    resolved.layers.map((l) => l.kind),
    ['default', 'extends', 'file'],
  );
});

test('an unknown board gets a did-you-mean; a missing file or package says what is missing', async (t) => {
  const typo = await projectDir({ 'flashwright.config.yaml': 'extends: board:rak5250\n' });
  const error = await t.throwsAsync<FlashwrightError>(loadRecipe({ cwd: typo, env: {} }));
  t.regex(error.message, /extends: cannot extend "board:rak5250".*Did you mean "board:rak5205"/);

  const missing = await projectDir({ 'flashwright.config.yaml': 'extends: ./nope.yaml\n' });
  const missingError = await t.throwsAsync<FlashwrightError>(loadRecipe({ cwd: missing, env: {} }));
  t.regex(missingError.message, /nope\.yaml does not exist/);

  const pkg = await projectDir({ 'flashwright.config.yaml': 'extends: "@acme/boards/x.yaml"\n' });
  const pkgError = await t.throwsAsync<FlashwrightError>(loadRecipe({ cwd: pkg, env: {} }));
  t.regex(pkgError.message, /pnpm add -D @acme\/boards/);
});

test('extends chains resolve relative to the declaring file, from packages too', async (t) => {
  const dir = await projectDir({
    'flashwright.config.yaml': 'extends: ./presets/a.yaml\n',
    'presets/a.yaml': 'extends: ../shared/b.yaml\nimage: fw.hex\n',
    'shared/b.yaml': 'extends: "@acme/boards/c.yaml"\nprobe: { transport: stlink }\n',
    'node_modules/@acme/boards/package.json': '{"name":"@acme/boards","exports":{"./*":"./*"}}',
    'node_modules/@acme/boards/c.yaml': 'target: { device: STM32F103C8 }\n',
  });
  const resolved = await loadRecipe({ cwd: dir, env: {} });
  t.is(
    resolved.recipe.images[0]?.file,
    join(dir, 'presets/fw.hex'),
    'paths are relative to the file that names them',
  );
  t.is(resolved.recipe.target.device, 'STM32F103C8');
  t.is(resolved.sources['target.device']?.origin, join(dir, 'node_modules/@acme/boards/c.yaml'));
});

test('an extends cycle is an error', async (t) => {
  const dir = await projectDir({
    'flashwright.config.yaml': 'extends: ./a.yaml\n',
    'a.yaml': 'extends: ./flashwright.config.yaml\n',
  });
  const error = await t.throwsAsync<FlashwrightError>(loadRecipe({ cwd: dir, env: {} }));
  t.regex(error.message, /extends itself/);
});

test('the permanent phrase counts only in the user’s own recipe file, never in a preset', async (t) => {
  const step =
    'steps:\n  - connect\n  - option-bytes: { RDP: 2, confirm: permanently-disable-debug }\n';
  const preset = await projectDir({
    'flashwright.config.yaml': 'extends: ./evil.yaml\n',
    'evil.yaml': step,
  });
  const fromPreset = (await loadRecipe({ cwd: preset, env: {} })).recipe.steps[1]!;
  t.like(optionBytes(fromPreset), { confirmed: true, permanentConfirmed: false });
  t.is(fromPreset.source?.origin, join(preset, 'evil.yaml'));

  const own = await projectDir({ 'flashwright.config.yaml': step });
  const fromFile = (await loadRecipe({ cwd: own, env: {} })).recipe.steps[1]!;
  t.like(optionBytes(fromFile), { confirmed: true, permanentConfirmed: true });
});

test('YAML option values in hex stay raw values (0x02 is the byte 2, not the name "2")', async (t) => {
  const dir = await projectDir({
    'flashwright.config.yaml':
      'steps:\n  - option-bytes: { RDP: 0x02, BOR_LEV: 0o3, WRP0: 0xFF, DATA0: 7, confirm: write-option-bytes }\n',
  });
  const step = (await loadRecipe({ cwd: dir, env: {} })).recipe.steps[0]!;
  t.like(optionBytes(step), { values: { RDP: '0x02', BOR_LEV: '0o3', WRP0: '0xFF', DATA0: 7 } });
});

test('a mistyped FLASHWRIGHT_ variable is reported, unrelated ones are left alone', async (t) => {
  const dir = await projectDir({ 'flashwright.config.yaml': base });
  const resolved = await loadRecipe({
    cwd: dir,
    env: { FLASHWRIGHT_PROBE_SPED: '480', FLASHWRIGHT_REQUIRE_PEERS: '1' },
  });
  t.is(resolved.recipe.probe.speedKhz, 1000);
  t.deepEqual(resolved.warnings, [
    'FLASHWRIGHT_PROBE_SPED is not a recipe variable and is ignored. Did you mean FLASHWRIGHT_PROBE_SPEED?',
  ]);
});

test('sources are listed in code-unit order of their key paths, whatever the locale', async (t) => {
  const dir = await projectDir({
    'flashwright.config.yaml': 'probe: { transport: stlink, options: { a: 1, B: 2 } }\n',
  });
  const resolved = await loadRecipe({ cwd: dir, env: {} });
  const keys = Object.keys(resolved.sources).filter((k) => k.startsWith('probe.options.'));
  t.deepEqual(keys, ['probe.options.B', 'probe.options.a']);
});
