/**
 * `flashwright flash FILE` end to end through the CLI: a file programmed and verified with
 * no recipe, a recipe supplying defaults when there is one, and the mistakes it refuses.
 * Also `info --probe virtual`, whose simulated part is said plainly.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { appImage, examplePlugin, ndjson, project, repoRoot, runCli } from './helpers/cli.js';

const firmwareDir = join(repoRoot, 'test/fixtures/firmware/qemu-usart');

/** A project holding the qemu-usart firmware as .bin, .hex and .elf, and no recipe. */
async function firmwareProject(files: Record<string, string> = {}): Promise<string> {
  const read = (ext: string) => readFile(join(firmwareDir, `qemu-usart.${ext}`));
  return project({
    'app.bin': await read('bin'),
    'app.hex': await read('hex'),
    'app.elf': await read('elf'),
    ...files,
  });
}

type Events = Record<string, unknown>[];

function stepEnds(events: Events): [unknown, unknown][] {
  return events.filter((e) => e['type'] === 'step-end').map((e) => [e['id'], e['status']]);
}

const fullCycle = [
  ['connect', 'done'],
  ['erase', 'done'],
  ['write', 'done'],
  ['verify', 'done'],
  ['reset', 'done'],
];

test('flash --help shows its flags and examples', async (t) => {
  const run = await runCli(['flash', '--help'], { cwd: repoRoot });
  t.is(run.code, 0);
  for (const flag of ['--base', '--chip', '--erase', '--no-verify', '--no-reset', '--dry-run'])
    t.true(run.stdout.includes(flag), flag);
  t.regex(run.stdout, /Examples:\n {2}\$ flashwright flash /);
  t.regex((await runCli(['--help'], { cwd: repoRoot })).stdout, /flash \[options\] <file>/);
});

test('a raw binary with --base, no recipe: programmed on a simulated STM32F411RE and verified', async (t) => {
  const cwd = await firmwareProject();
  const run = await runCli(
    [
      'flash',
      'app.bin',
      '--base',
      '0x08000000',
      '--chip',
      'STM32F411RE',
      '--probe',
      'virtual',
      '--json',
    ],
    { cwd },
  );
  t.is(run.code, 0, run.stdout + run.stderr);
  const events = ndjson(run.stdout);
  const recipe = events.find((e) => e['type'] === 'recipe');
  t.truthy(recipe);
  t.is(recipe?.['file'], undefined, 'no recipe was read');
  t.like(
    events.find((e) => e['type'] === 'probe'),
    { info: { transport: 'virtual', name: 'ST-LINK/V2 (virtual, STM32F411RE)' } },
  );
  t.regex(String(events.find((e) => e['type'] === 'device')?.['name']), /STM32F411/);
  t.deepEqual(stepEnds(events), fullCycle);
  const bin = await readFile(join(firmwareDir, 'qemu-usart.bin'));
  t.like(events.at(-1), {
    type: 'summary',
    command: 'flash',
    status: 'ok',
    exitCode: 0,
    result: { verified: true, image: { bytes: bin.length, ranges: [{ start: 0x08000000 }] } },
  });
});

test('Intel HEX and ELF carry their addresses: no --base, no recipe', async (t) => {
  const cwd = await firmwareProject();
  for (const file of ['app.hex', 'app.elf']) {
    const run = await runCli(
      ['flash', file, '--chip', 'STM32F411RE', '--probe', 'virtual', '--json'],
      { cwd },
    );
    t.is(run.code, 0, `${file}: ${run.stdout}${run.stderr}`);
    const events = ndjson(run.stdout);
    t.deepEqual(stepEnds(events), fullCycle, file);
    t.like(events.at(-1), { status: 'ok', result: { verified: true } }, file);
  }
  // Plain output, as a person sees it: the same steps and summary as `run`.
  const plain = await runCli(['flash', 'app.hex', '--chip', 'STM32F411RE', '--probe', 'virtual'], {
    cwd,
  });
  t.is(plain.code, 0, plain.stderr);
  t.regex(plain.stdout, /\[1\/5\] Connect \(virtual, normal\)/);
  // verify: auto; the F411 at 16 MHz behind the virtual ST-Link V2 computes the CRC faster
  // than the probe reads 32 KB back.
  t.regex(
    plain.stdout,
    /\[4\/5\] Verify \(auto\)\n\s+[\d.]+ KB match the image \(CRC-32 on the chip\)/,
  );
  t.regex(plain.stdout, /^ok \(/m);
});

test('a recipe supplies defaults: probe, part and step options; the command line wins', async (t) => {
  const cwd = await firmwareProject({
    'flashwright.config.yaml': [
      'probe: { transport: virtual, options: { probe: stlink-v3 } }',
      'target: { device: STM32F411RE }',
      'image: { file: app.bin, base: 0x08000000 }',
      'steps: [connect, { erase: auto }, write, { verify: crc }, { reset: { run: true } }, { option-bytes: { BOR_LEV: 1, confirm: write-option-bytes } }]',
      '',
    ].join('\n'),
  });
  // The recipe's entry for app.bin gives its base; its option-bytes step is not flash's.
  const run = await runCli(['flash', 'app.bin', '--json'], { cwd });
  t.is(run.code, 0, run.stdout + run.stderr);
  const events = ndjson(run.stdout);
  t.like(
    events.find((e) => e['type'] === 'recipe'),
    {
      file: join(cwd, 'flashwright.config.yaml'),
      sources: { steps: { kind: 'command', origin: 'flash' } },
    },
  );
  t.like(
    events.find((e) => e['type'] === 'probe'),
    {
      info: { name: 'STLINK-V3E (virtual, STM32F411RE)' },
    },
  );
  t.deepEqual(
    events.filter((e) => e['type'] === 'step-start').map((e) => e['title']),
    [
      'Connect (virtual, normal)',
      'Erase touched sectors',
      'Write 24.3 KB',
      'Verify (crc)',
      'Reset (software, run)',
    ],
  );
  // --chip overrides the recipe's part: the simulated board is another, and it is checked.
  const other = await runCli(['flash', 'app.hex', '--chip', 'STM32F103RB', '--json'], { cwd });
  t.is(other.code, 0, other.stdout + other.stderr);
  t.regex(String(ndjson(other.stdout).find((e) => e['type'] === 'device')?.['name']), /STM32F10/);
  // --no-verify and --no-reset leave those steps out; the run is reported unverified.
  const bare = await runCli(['flash', 'app.hex', '--no-verify', '--no-reset', '--json'], { cwd });
  t.is(bare.code, 0, bare.stderr);
  const bareEvents = ndjson(bare.stdout);
  t.deepEqual(stepEnds(bareEvents), fullCycle.slice(0, 3));
  t.like(bareEvents.at(-1), { status: 'unverified', result: { verified: false } });
  const plain = await runCli(['flash', 'app.hex', '--no-verify'], { cwd });
  t.regex(plain.stdout, /written, NOT verified \(.*\): run without --no-verify/);
});

test('without --probe the one connected probe is found (here the example plugin’s board)', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': [
      `plugins: [${JSON.stringify(examplePlugin)}]`,
      'target: { family: example }',
      '',
    ].join('\n'),
    'app.fwtext': appImage,
  });
  const run = await runCli(['flash', 'app.fwtext', '--json'], { cwd });
  t.is(run.code, 0, run.stdout + run.stderr);
  const events = ndjson(run.stdout);
  t.like(
    events.find((e) => e['type'] === 'recipe'),
    {
      sources: {
        'probe.transport': {
          kind: 'command',
          origin: 'flash: the one connected probe, loopback:LOOP0001',
        },
      },
    },
  );
  t.like(
    events.find((e) => e['type'] === 'probe'),
    { info: { transport: 'loopback', serial: 'LOOP0001' } },
  );
  t.deepEqual(stepEnds(events), fullCycle);
});

test('--erase mass is refused without --yes or --confirm mass-erase, and runs with either', async (t) => {
  const cwd = await firmwareProject();
  const args = [
    'flash',
    'app.hex',
    '--chip',
    'STM32F411RE',
    '--probe',
    'virtual',
    '--erase',
    'mass',
  ];
  const refused = await runCli([...args, '--json'], { cwd });
  t.is(refused.code, 6, refused.stderr);
  const summary = ndjson(refused.stdout).at(-1);
  t.like(summary, { status: 'refused', error: { code: 'CONFIRMATION_REQUIRED' } });
  t.regex(String((summary?.['error'] as { hint?: string }).hint), /--yes or --confirm mass-erase/);
  t.false(
    ndjson(refused.stdout).some((e) => e['type'] === 'step-end' && e['id'] === 'write'),
    'nothing was written',
  );
  const dry = await runCli([...args, '--dry-run'], { cwd });
  t.is(dry.code, 6, 'the dry run is refused too');
  for (const confirm of [['--yes'], ['--confirm', 'mass-erase']]) {
    const run = await runCli([...args, ...confirm, '--json'], { cwd });
    t.is(run.code, 0, `${confirm.join(' ')}: ${run.stderr}`);
    t.like(
      ndjson(run.stdout).find((e) => e['type'] === 'step-end' && e['id'] === 'erase'),
      { status: 'done' },
    );
  }
  t.is((await runCli([...args.slice(0, -1), 'none'], { cwd })).code, 2, '--erase takes auto|mass');
});

test('a raw binary without --base is a usage error naming --base, before any probe is looked for', async (t) => {
  const cwd = await firmwareProject();
  for (const probe of [[], ['--probe', 'virtual']]) {
    const run = await runCli(['flash', 'app.bin', ...probe, '--json'], { cwd });
    t.is(run.code, 2, run.stderr);
    const summary = ndjson(run.stdout).at(-1);
    t.like(summary, { status: 'failed', exitCode: 2, error: { code: 'USAGE' } });
    t.regex(
      String((summary?.['error'] as { hint?: string }).hint),
      /--base, e\.g\. `flashwright flash app\.bin --base 0x08000000`/,
    );
    t.false(ndjson(run.stdout).some((e) => e['type'] === 'probe'));
  }
});

test('--dry-run plans without a probe or hardware', async (t) => {
  const cwd = await firmwareProject();
  const run = await runCli(['flash', 'app.hex', '--dry-run'], { cwd });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /a real run uses the one connected probe/);
  t.regex(run.stdout, /Plan \(dry run, nothing is touched\)/);
  t.regex(run.stdout, /write 24\.3 KB in 1 block/);
});

test('run --image without a recipe points to flash; the missing-base hint names no flag run lacks', async (t) => {
  const cwd = await firmwareProject();
  const run = await runCli(['run', '--image', 'app.hex'], { cwd });
  t.is(run.code, 2);
  t.regex(run.stderr, /RECIPE_NOT_FOUND/);
  t.regex(run.stderr, /To program a file without a recipe: `flashwright flash app\.hex`/);
  const recipe = await firmwareProject({
    'flashwright.config.yaml': 'probe: { transport: virtual }\ntarget: { device: STM32F411RE }\n',
  });
  const bin = await runCli(['run', '--image', 'app.bin'], { cwd: recipe });
  t.is(bin.code, 3, bin.stderr);
  t.regex(bin.stderr, /IMAGE_BASE_REQUIRED/);
  t.regex(
    bin.stderr,
    /image: \{ file: app\.bin, base: 0x08000000 \}.*`flashwright flash app\.bin --base 0x08000000`/,
  );
});

test('info --probe virtual works with no part named and says which part is simulated', async (t) => {
  const cwd = await project({});
  const run = await runCli(['info', '--probe', 'virtual'], { cwd });
  t.is(run.code, 0, run.stderr);
  t.regex(
    run.stderr,
    /warning: No part is named .*: the virtual probe simulates the demo board’s STM32L151CBxxA\./,
  );
  t.regex(run.stdout, /Probe:\s+ST-LINK\/V2 \(virtual, STM32L151CBxxA\)/);
  t.regex(run.stdout, /Device:\s+STM32L1 Cat\.2/);
  const chip = await runCli(['info', '--probe', 'virtual', '--chip', 'STM32F411RE', '--json'], {
    cwd,
  });
  t.is(chip.code, 0, chip.stderr);
  const events = ndjson(chip.stdout);
  t.false(events.some((e) => e['type'] === 'warning'));
  t.like(
    events.find((e) => e['type'] === 'info'),
    { probe: { name: 'ST-LINK/V2 (virtual, STM32F411RE)' } },
  );
});
