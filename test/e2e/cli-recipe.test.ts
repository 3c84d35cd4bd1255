import test from 'ava';
import { join } from 'node:path';
import { appImage, examplePlugin, ndjson, project, runCli } from './helpers/cli.js';

test('a recipe with the step "eraze" exits 2, naming the key path and file and suggesting "erase"', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml':
      'probe: { transport: stlink }\nimage: app.hex\nsteps:\n  - connect\n  - eraze\n  - write\n',
  });
  const run = await runCli(['run'], { cwd });
  t.is(run.code, 2);
  t.regex(run.stderr, /flashwright\.config\.yaml:5: steps\[1\]: unknown step "eraze"/);
  t.regex(run.stderr, /Did you mean "erase"\?/);
  t.is(run.stdout, '');

  const json = await runCli(['run', '--json'], { cwd });
  const summary = ndjson(json.stdout).at(-1)!;
  t.like(summary, { type: 'summary', status: 'failed', exitCode: 2 });
  t.like(summary.error, {
    code: 'RECIPE_INVALID',
    source: { file: join(cwd, 'flashwright.config.yaml'), keyPath: 'steps[1]' },
  });
});

test('a recipe with three mistakes reports all three', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml':
      'probe:\n  transprt: stlink\n  speed: fast\nimage: app.hex\nsteps: [connect, wrte]\n',
  });
  const run = await runCli(['run'], { cwd });
  t.is(run.code, 2);
  t.regex(run.stderr, /3 problems/);
  t.regex(run.stderr, /:2: probe\.transprt: unknown key .*Did you mean "transport"/);
  t.regex(run.stderr, /:3: probe\.speed: must be a number, not "fast"/);
  t.regex(run.stderr, /:5: steps\[1\]: unknown step "wrte".*Did you mean "write"/);
});

test('"imgae" gets a did-you-mean and a bad erase mode is reported on its key', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml':
      'probe: { transport: stlink }\nimgae: app.hex\nsteps:\n  - connect\n  - erase: { mode: mas }\n',
  });
  const run = await runCli(['run'], { cwd });
  t.is(run.code, 2);
  t.regex(
    run.stderr,
    /flashwright\.config\.yaml:2: imgae: unknown key "imgae".*Did you mean "image"\?/,
  );
  t.regex(
    run.stderr,
    /flashwright\.config\.yaml:5: steps\[1\]\.erase\.mode: "mas" is not one of "auto", "mass", "none"\. Did you mean "mass"\?/,
  );
  t.notRegex(run.stderr, /a mapping is not allowed/);
});

test('transport dfu or uart says what flashwright has instead of suggesting an npm package', async (t) => {
  for (const transport of ['dfu', 'uart']) {
    const cwd = await project({
      'flashwright.config.yaml': `probe: { transport: ${transport} }\nsteps: [connect]\n`,
    });
    const run = await runCli(['run'], { cwd });
    t.is(run.code, 2);
    t.regex(
      run.stderr,
      new RegExp(
        `PLUGIN_UNKNOWN: flashwright has no transport "${transport}": .* not supported yet`,
      ),
    );
    t.regex(run.stderr, /flashwright's transports are stlink, cmsis-dap, gdb and virtual/);
    t.notRegex(run.stderr, /pnpm add|npm i /);
  }
  const typo = await project({
    'flashwright.config.yaml': 'probe: { transport: stlnk }\nsteps: [connect]\n',
  });
  const run = await runCli(['run'], { cwd: typo });
  t.is(run.code, 2);
  t.regex(run.stderr, /flashwright has no transport "stlnk"\. Did you mean "stlink"\?/);
});

test('extends board:rak5205 plus a local override: dry-run --json shows the merged recipe and where each value came from', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': [
      'extends: board:rak5205',
      'probe:',
      '  speed: 4000',
      `plugins: [${JSON.stringify(examplePlugin)}]`,
      'image: app.fwtext',
      '',
    ].join('\n'),
    'app.fwtext': appImage,
  });
  const run = await runCli(['run', '--dry-run', '--json'], { cwd });
  t.is(run.code, 0, run.stdout + run.stderr);
  const events = ndjson(run.stdout);
  const recipe = events.find((e) => e.type === 'recipe') as {
    recipe: { probe: Record<string, unknown>; target: Record<string, unknown> };
    sources: Record<string, { kind: string; origin: string }>;
  };
  t.like(recipe.recipe.probe, { transport: 'stlink', connect: 'under-reset', speed: 4000 });
  t.like(recipe.recipe.target, { family: 'stm32', device: 'STM32L151CBxxA' });
  t.is(recipe.recipe.target['flashSize'], undefined, 'the preset leaves the size to the register');
  const file = join(cwd, 'flashwright.config.yaml');
  t.deepEqual(recipe.sources['probe.speed'], { kind: 'file', origin: file });
  t.is(recipe.sources['probe.connect']?.kind, 'extends');
  t.regex(recipe.sources['probe.connect']?.origin ?? '', /configs[/\\]boards[/\\]rak5205\.yaml$/);
  t.regex(recipe.sources['target.device']?.origin ?? '', /rak5205\.yaml$/);
  t.deepEqual(recipe.sources['probe.transport']?.kind, 'extends');
  t.deepEqual(recipe.sources.steps, { kind: 'default', origin: 'defaults' });

  const plan = events.find((e) => e.type === 'plan') as {
    dryRun: boolean;
    steps: { id: string }[];
  };
  t.true(plan.dryRun);
  t.deepEqual(
    plan.steps.map((s) => s.id),
    ['connect', 'erase', 'write', 'verify', 'reset'],
  );
  t.like(events.at(-1), { type: 'summary', status: 'ok', exitCode: 0, dryRun: true });
});

test('the plain dry-run prints the plan and the source of every value', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': `extends: board:rak5205\nplugins: [${JSON.stringify(examplePlugin)}]\nimage: app.fwtext\n`,
    'app.fwtext': appImage,
  });
  const run = await runCli(['run', '--dry-run'], { cwd });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /target\.device\s+"STM32L151CBxxA"\s+<- .*rak5205\.yaml \(extends\)/);
  t.regex(run.stdout, /Plan \(dry run, nothing is touched\):/);
  t.regex(run.stdout, /dry run ok/);
});

test('environment and flags override the recipe and say so', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': 'extends: board:rak5205\nimage: app.fwtext\nsteps: [connect]\n',
  });
  const run = await runCli(['run', '--dry-run', '--json', '--probe', 'virtual'], {
    cwd,
    env: { FLASHWRIGHT_PROBE_SPEED: '950' },
  });
  t.is(run.code, 0, run.stdout);
  const recipe = ndjson(run.stdout).find((e) => e.type === 'recipe') as {
    sources: Record<string, { kind: string; origin: string }>;
  };
  t.deepEqual(recipe.sources['probe.speed'], { kind: 'env', origin: 'FLASHWRIGHT_PROBE_SPEED' });
  t.deepEqual(recipe.sources['probe.transport'], { kind: 'flag', origin: '--probe' });
});
