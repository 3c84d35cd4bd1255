import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appImage, loopbackRecipe, ndjson, project, repoRoot, runCli } from './helpers/cli.js';

const commands = [
  'run',
  'info',
  'probes',
  'read',
  'erase',
  'option-bytes',
  'convert',
  'devices',
  'doctor',
  'sim',
];

test('--version prints the CLI package version', async (t) => {
  const { version } = JSON.parse(
    await readFile(join(repoRoot, 'packages/cli/package.json'), 'utf8'),
  ) as { version: string };
  const run = await runCli(['--version'], { cwd: repoRoot });
  t.is(run.code, 0);
  t.is(run.stdout.trim(), version);
});

test('every command has --help with examples and the common flags', async (t) => {
  for (const command of commands) {
    const run = await runCli([command, '--help'], { cwd: repoRoot });
    t.is(run.code, 0, command);
    t.regex(run.stdout, /Examples:\n {2}\$ flashwright /, command);
    for (const flag of ['-c, --config', '--probe', '--json', '--yes', '--dry-run', '--verbose']) {
      t.true(run.stdout.includes(flag), `${command} --help lists ${flag}`);
    }
  }
});

test('an unknown command or option exits 2', async (t) => {
  t.is((await runCli(['flush'], { cwd: repoRoot })).code, 2);
  t.is((await runCli(['run', '--bogus'], { cwd: repoRoot })).code, 2);
});

test('--help and help COMMAND list every command; a mistyped command gets a did-you-mean', async (t) => {
  for (const args of [['--help'], ['help'], ['help', 'run']]) {
    const run = await runCli(args, { cwd: repoRoot });
    t.is(run.code, 0, args.join(' '));
    if (args.length === 2) t.regex(run.stdout, /Usage: flashwright run /);
    else
      for (const command of commands) t.regex(run.stdout, new RegExp(`\\n  ${command} `), command);
  }
  const typo = await runCli(['rnu', '--dry-run'], { cwd: repoRoot });
  t.is(typo.code, 2);
  t.regex(typo.stderr, /unknown command 'rnu'\n\(Did you mean run\?\)/);
});

test('doctor and sim without what they need say what is missing (exit 2)', async (t) => {
  const doctor = await runCli(['doctor'], { cwd: repoRoot });
  t.is(doctor.code, 2);
  t.regex(doctor.stdout, /\[FAIL\] Probe found and accessible: No probe transport is set/);
  t.regex(doctor.stderr, /hint: Set probe\.transport in the recipe .*or pass --probe SPEC/);
  const sim = await runCli(['sim'], { cwd: repoRoot });
  t.is(sim.code, 2);
  t.regex(sim.stderr, /`flashwright sim` needs a server to start/);
});

test('info shows the device, flash, protection, option bytes and voltage', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': loopbackRecipe() });
  const run = await runCli(['info'], { cwd });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /Device:\s+EXAMPLE-64K \(example\)/);
  t.regex(run.stdout, /Flash:\s+main 0x08000000\.\.0x0800FFFF \(64 KB, 64 sectors, erased 0xFF\)/);
  t.regex(run.stdout, /Protection:\s+protection level 0/);
  t.regex(run.stdout, /Flash size:\s+64 KiB from the flash-size register at 0xE0042004/);
  t.regex(run.stdout, /Voltage:\s+3\.30 V/);
  const json = ndjson((await runCli(['info', '--json'], { cwd })).stdout);
  t.like(
    json.find((e) => e.type === 'info'),
    { device: { name: 'EXAMPLE-64K' }, optionBytes: { PROT: 0x3c, WD_MODE: 0 } },
  );
});

test('probes lists what a transport sees; an unavailable transport is said plainly', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': loopbackRecipe() });
  // probes does not search for a recipe: -c brings in the recipe's plugins.
  const run = await runCli(['probes', '--probe', 'loopback', '-c', 'flashwright.config.yaml'], {
    cwd,
  });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /loopback\s+Loopback board \(example\)\s+LOOP0001\s+-\s+ok/);
  const missing = await runCli(['probes', '--probe', 'dfu', '--json'], { cwd });
  const output = ndjson(missing.stdout).find((e) => e.type === 'probes') as {
    unavailable: { transport: string; reason: string }[];
  };
  t.is(output.unavailable[0]?.transport, 'dfu');
  t.regex(output.unavailable[0]?.reason ?? '', /USB DFU bootloaders are not supported yet/);
});

test('devices lists the device databases of installed families, filtered', async (t) => {
  const cwd = await project({ 'flashwright.config.yaml': loopbackRecipe() });
  const run = await runCli(['devices', 'example', '-c', 'flashwright.config.yaml'], { cwd });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /FAMILY\s+ID\s+NAME/);
  t.regex(run.stdout, /example\s+0x0E5A0001\s+EXAMPLE-64K\s+64 KB/);
});

test('read writes memory to a file; erase needs --yes', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': loopbackRecipe({ probeOptions: 'fill: counting' }),
  });
  const read = await runCli(['read', '0x08000010', '8', '-o', 'dump.bin'], { cwd });
  t.is(read.code, 0, read.stderr);
  t.deepEqual([...(await readFile(join(cwd, 'dump.bin')))], [16, 17, 18, 19, 20, 21, 22, 23]);

  const refused = await runCli(['erase'], { cwd });
  t.is(refused.code, 6);
  t.regex(
    refused.stderr,
    /CONFIRMATION_REQUIRED: Refusing to mass-erase the flash without confirmation/,
  );
  const erased = await runCli(['erase', '--yes'], { cwd });
  t.is(erased.code, 0, erased.stderr);
  t.regex(erased.stdout, /erased all 64 KB/);
});

test('convert uses format plugins, including those of the recipe named with -c', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': loopbackRecipe(),
    'app.fwtext': appImage,
  });
  const run = await runCli(['convert', 'app.fwtext', 'app.bin', '-c', 'flashwright.config.yaml'], {
    cwd,
  });
  t.is(run.code, 0, run.stderr);
  const bin = await readFile(join(cwd, 'app.bin'));
  t.is(bin.length, 0x414);
  t.deepEqual([...bin.subarray(0, 4)], [0, 1, 2, 3]);
  t.is(bin[0x100], 0xff, 'gaps are filled with 0xFF');
  t.deepEqual([...bin.subarray(0x410)], [0xde, 0xad, 0xbe, 0xef]);
});
