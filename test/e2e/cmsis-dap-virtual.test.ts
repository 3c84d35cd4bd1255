/**
 * Issue 13 acceptance, CMSIS-DAP half: STM32 recipes run unchanged through the CLI over the
 * real CMSIS-DAP transport on virtual CMSIS-DAP v1 (DAPLink, HID) and v2 (MCU-Link, bulk)
 * probes; WAIT, FAULT and disconnect injected on CMSIS-DAP each end in a catalogue error,
 * its exit code and no hang.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { ndjson, project, repoRoot, runCli } from './helpers/cli.js';

const demoRecipe = join(repoRoot, 'configs/examples/rak5205-demo.yaml');
const blinkBin = join(repoRoot, 'test/fixtures/firmware/blink-l151/out/blink.bin');
const blinkHex = join(repoRoot, 'test/fixtures/firmware/blink-l151/out/blink.hex');

/**
 * No failing command may take longer than this: it catches a hang (transfer timeouts are
 * 1 s, each failure here ends in about 2 s alone), with room for a loaded test machine.
 */
const BOUND_MS = 45_000;

const probes = ['cmsis-dap-v1', 'cmsis-dap-v2'] as const;

function summaryOf(stdout: string): Record<string, unknown> {
  const last = ndjson(stdout).at(-1);
  if (last?.['type'] !== 'summary') throw new Error(`no summary in: ${stdout}`);
  return last;
}

for (const probe of probes) {
  test(`the demo recipe runs unchanged behind ${probe}: unprotect, write, verify, reset`, async (t) => {
    // Only the probe in front changes (and instant timing, to keep the test quick).
    const cwd = await project({
      'flashwright.config.yaml': [
        `extends: ${demoRecipe}`,
        'probe:',
        '  options:',
        `    probe: ${probe}`,
        '    timing: instant',
        '',
      ].join('\n'),
    });
    const run = await runCli(['run', '--json'], { cwd });
    const summary = summaryOf(run.stdout);
    t.is(run.code, 0, JSON.stringify(summary['error']));
    t.like(summary, { status: 'ok', exitCode: 0 });
    const ends = ndjson(run.stdout).filter((e) => e['type'] === 'step-end');
    t.deepEqual(
      ends.map((e) => e['status']),
      ['done', 'done', 'skipped', 'done', 'done', 'done'],
    );
    const probeEvent = ndjson(run.stdout).find((e) => e['type'] === 'probe') as
      { info?: { name?: string } } | undefined;
    t.regex(
      JSON.stringify(probeEvent ?? ndjson(run.stdout)[0]),
      probe === 'cmsis-dap-v1' ? /DAPLink/ : /MCU-Link/,
    );
  });

  test(`flash then read back through ${probe}, with the board kept in a state file`, async (t) => {
    const recipe = [
      'probe:',
      '  transport: virtual',
      '  options:',
      `    probe: ${probe}`,
      '    device: STM32L151CBxxA',
      '    state: board.json',
      'target:',
      '  family: stm32',
      '  device: STM32L151CBxxA',
      '',
    ].join('\n');
    const cwd = await project({
      'flashwright.config.yaml': recipe,
      'app.hex': await readFile(blinkHex, 'utf8'),
    });
    const flash = await runCli(['flash', 'app.hex'], { cwd });
    t.is(flash.code, 0, flash.stderr);
    const image = await readFile(blinkBin);
    const read = await runCli(['read', '0x08000000', String(image.length), '-o', 'back.bin'], {
      cwd,
    });
    t.is(read.code, 0, read.stderr);
    t.true(image.equals(await readFile(join(cwd, 'back.bin'))));
  });
}

interface Failure {
  readonly code: number | null;
  readonly error: { code: string; exitCode: number; message: string; hint?: string };
  readonly ms: number;
}

async function failing(probe: string, fault: string, args: string[]): Promise<Failure> {
  const cwd = await project({
    'flashwright.config.yaml': [
      'probe:',
      '  transport: virtual',
      '  options:',
      `    probe: ${probe}`,
      '    device: STM32F103RB',
      `    faults: [ ${fault} ]`,
      'target:',
      '  family: stm32',
      '  device: STM32F103RB',
      '',
    ].join('\n'),
  });
  const started = Date.now();
  const run = await runCli([...args, '--json'], { cwd });
  const ms = Date.now() - started;
  return { code: run.code, error: summaryOf(run.stdout)['error'] as Failure['error'], ms };
}

const faults = [
  ['WAIT storm', '{ kind: swd-wait, atAccess: 2000, count: 100000000 }', 'TARGET_NO_RESPONSE', 5],
  ['FAULT (bus fault)', '{ kind: bus-fault, address: 0x08001000 }', 'TARGET_FAULT', 5],
  ['disconnect', '{ kind: disconnect, atTransfer: 80 }', 'PROBE_DISCONNECTED', 4],
] as const;

for (const probe of probes) {
  for (const [name, fault, code, exitCode] of faults) {
    // Serial: the time bound measures this command, not the others running beside it.
    test.serial(
      `${probe}: a 64 KB read under ${name} ends in ${code}, exit ${exitCode}, no hang`,
      async (t) => {
        const failure = await failing(probe, fault, [
          'read',
          '0x08000000',
          '65536',
          '-o',
          'out.bin',
        ]);
        t.is(failure.code, exitCode, JSON.stringify(failure.error));
        t.is(failure.error.code, code);
        t.is(failure.error.exitCode, exitCode);
        t.truthy(failure.error.hint, 'a hint says what to do');
        t.true(failure.ms < BOUND_MS, `${failure.ms} ms`);
      },
    );
  }
}

test('a bus fault read over CMSIS-DAP names the faulting address', async (t) => {
  const failure = await failing('cmsis-dap-v2', '{ kind: bus-fault, address: 0x08001234 }', [
    'read',
    '0x08000000',
    '65536',
    '-o',
    'out.bin',
  ]);
  t.regex(failure.error.message, /0x0800123/);
});

test('board:bluepill-debugprobe behind a virtual CMSIS-DAP v2: run writes, verifies and resets', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': [
      'extends: board:bluepill-debugprobe',
      'probe:',
      '  transport: virtual',
      '  options: { probe: cmsis-dap-v2 }',
      'image: app.hex',
      '',
    ].join('\n'),
    'app.hex': await readFile(blinkHex, 'utf8'),
  });
  const run = await runCli(['run', '--json'], { cwd });
  const summary = summaryOf(run.stdout);
  t.is(run.code, 0, JSON.stringify(summary['error']));
  const device = ndjson(run.stdout).find((e) => e['type'] === 'device') as
    { name?: string } | undefined;
  t.regex(device?.name ?? '', /0x410/);
});
