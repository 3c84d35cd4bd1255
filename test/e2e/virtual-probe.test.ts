/**
 * `transport: virtual` and `--probe virtual` through the CLI: the recipe's options build the
 * hardware, the real ST-Link transport drives it, and virtual time shows in the events.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { ndjson, project, runCli } from './helpers/cli.js';

function last(stdout: string): Record<string, unknown> {
  return ndjson(stdout).at(-1) ?? {};
}

test('--probe virtual on an ST-Link recipe simulates the recipe’s target.device', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': [
      'probe: { transport: stlink, serial: 55FF6D066684564928211687, speed: 4000 }',
      'target: { family: stm32, device: STM32F103RB }',
      '',
    ].join('\n'),
  });
  const run = await runCli(['info', '--probe', 'virtual', '--json'], { cwd });
  t.is(run.code, 0, run.stderr);
  const events = ndjson(run.stdout);
  const probe = events.find((e) => e['type'] === 'probe') as
    { info: { transport: string; name: string; firmwareVersion: string } } | undefined;
  t.is(probe?.info.transport, 'virtual');
  t.regex(probe?.info.name ?? '', /STM32F103RB/);
  t.is(probe?.info.firmwareVersion, 'V2J37S7');
  const device = events.find((e) => e['type'] === 'device') as
    { facts: { devId: string } } | undefined;
  t.regex(String(device?.facts.devId), /0x410/);
  const connect = events.find((e) => e['type'] === 'step-end' && e['id'] === 'connect');
  t.true(Number(connect?.['virtualMs']) > 0, 'virtual time is reported per step');
});

test('the recipe’s probe.options choose the probe, firmware and voltage', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': [
      'probe:',
      '  transport: virtual',
      '  speed: 24000',
      '  options: { probe: stlink-v3, firmware: V3J9M3B5S1, voltage: 1.8, device: STM32F411RE }',
      'target: { family: stm32, device: STM32F411RE }',
      '',
    ].join('\n'),
  });
  const run = await runCli(['info', '--json'], { cwd });
  t.is(run.code, 0, run.stderr);
  const result = last(run.stdout)['result'] as {
    probe: { firmwareVersion: string; hardwareVersion: string };
    targetVoltage: number;
  };
  t.is(result.probe.firmwareVersion, 'V3J9M3B5S1');
  t.is(result.probe.hardwareVersion, 'V3');
  t.true(Math.abs(result.targetVoltage - 1.8) < 0.01);
});

test('a mistyped virtual option is a recipe error (exit 2) with its key path', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': [
      'probe: { transport: virtual, options: { device: STM32F103RB, firmwear: V2J37S7 } }',
      'target: { family: stm32 }',
      '',
    ].join('\n'),
  });
  const run = await runCli(['info', '--json'], { cwd });
  t.is(run.code, 2);
  const error = last(run.stdout)['error'] as { code: string; message: string };
  t.is(error.code, 'RECIPE_INVALID');
  t.regex(error.message, /probe\.options\.firmwear/);
  t.regex(error.message, /did you mean firmware/);
});

test('probes --probe virtual lists one usable virtual probe', async (t) => {
  const cwd = await project({});
  const run = await runCli(['probes', '--probe', 'virtual', '--json'], { cwd });
  t.is(run.code, 0, run.stderr);
  const listing = ndjson(run.stdout).find((e) => e['type'] === 'probes') as
    { probes: { transport: string; usable: boolean }[] } | undefined;
  t.is(listing?.probes.length, 1);
  t.like(listing?.probes[0], { transport: 'virtual', usable: true });
});

test('two runs with the same state file see the same flash', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': [
      'probe: { transport: virtual, options: { device: STM32F103RB, state: board.json } }',
      'target: { family: stm32, device: STM32F103RB }',
      'image: { file: app.bin, base: 0x08000000 }',
      'steps: [connect, { erase: auto }, write, verify]',
      '',
    ].join('\n'),
    'app.bin': Uint8Array.from({ length: 1024 }, (_, i) => (i * 13) & 0xff),
  });
  const write = await runCli(['run', '--json'], { cwd });
  t.is(write.code, 0, write.stderr);
  const read = await runCli(['read', '0x08000000', '1024', '-o', 'back.bin', '--json'], { cwd });
  t.is(read.code, 0, read.stderr);
  const back = await readFile(join(cwd, 'back.bin'));
  t.deepEqual(
    Array.from(back),
    Array.from({ length: 1024 }, (_, i) => (i * 13) & 0xff),
  );
});

test('a DEV_ID in probe.options.device settles a part number that names two ids (L151RC: 0x427 or 0x436)', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': [
      'probe: { transport: virtual, options: { device: 0x436 } }',
      'target: { family: stm32, device: STM32L151RC }',
      'image: { file: app.bin, format: bin, base: 0x08000000 }',
      'steps: [connect, { erase: auto }, write, verify]',
      '',
    ].join('\n'),
    'app.bin': Buffer.alloc(4096, 0x5a),
  });
  const run = await runCli(['run', '--json'], { cwd });
  t.is(run.code, 0, run.stderr);
  const device = ndjson(run.stdout).find((e) => e['type'] === 'device') as
    { facts: { devId: string } } | undefined;
  t.regex(String(device?.facts.devId), /0x436/);
});
