/**
 * Issue 4 acceptance: every fault the virtual ST-Link can inject, met by the real ST-Link
 * transport through the CLI, gives a clear error (catalogue code, message, hint), the
 * exit code the catalogue gives that code, and no hang.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { ndjson, project, repoRoot, runCli } from './helpers/cli.js';

const blinkHex = join(repoRoot, 'test/fixtures/firmware/blink-l151/out/blink.hex');

/** No failing command may take longer than this (transfer timeouts are 1 s). */
const BOUND_MS = 20_000;

interface Failure {
  readonly code: number | null;
  readonly error: { code: string; exitCode: number; message: string; hint?: string };
  readonly ms: number;
}

function recipe(device: string, fault: string, extra = ''): string {
  return [
    'probe:',
    '  transport: virtual',
    '  options:',
    `    device: ${device}`,
    `    faults: [ ${fault} ]`,
    'target:',
    '  family: stm32',
    `  device: ${device}`,
    extra,
    '',
  ].join('\n');
}

async function failing(files: Record<string, string>, args: string[]): Promise<Failure> {
  const cwd = await project(files);
  const started = Date.now();
  const run = await runCli([...args, '--json'], { cwd });
  const ms = Date.now() - started;
  const summary = ndjson(run.stdout).at(-1) ?? {};
  return { code: run.code, error: summary['error'] as Failure['error'], ms };
}

const readArgs = ['read', '0x08000000', '65536', '-o', 'out.bin'];

/** Probe-level faults hit inside the 64 KB read (connect + identify use fewer transfers). */
const probeFaults = [
  ['usb-timeout', '{ kind: usb-timeout, atTransfer: 80 }', 'PROBE_TIMEOUT', 4],
  ['usb-stall', '{ kind: usb-stall, atTransfer: 80 }', 'PROBE_USB_ERROR', 4],
  ['disconnect', '{ kind: disconnect, atTransfer: 80 }', 'PROBE_DISCONNECTED', 4],
  ['swd-wait storm', '{ kind: swd-wait, atAccess: 2000, count: 1000000 }', 'TARGET_NO_RESPONSE', 5],
  ['bus-fault', '{ kind: bus-fault, address: 0x08001000 }', 'TARGET_FAULT', 5],
] as const;

for (const [name, fault, code, exitCode] of probeFaults) {
  test(`read under ${name}: ${code}, exit ${exitCode}`, async (t) => {
    const failure = await failing(
      { 'flashwright.config.yaml': recipe('STM32F103RB', fault) },
      readArgs,
    );
    t.is(failure.code, exitCode);
    t.is(failure.error.code, code);
    t.is(failure.error.exitCode, exitCode);
    t.truthy(failure.error.message);
    t.truthy(failure.error.hint, 'a hint says what to do');
    t.true(failure.ms < BOUND_MS, `${failure.ms} ms`);
  });
}

test('faults on the first transfers (during open) fail cleanly or are recovered from', async (t) => {
  for (const kind of ['usb-timeout', 'usb-stall', 'disconnect']) {
    for (const at of [1, 2, 3]) {
      const fault = `{ kind: ${kind}, atTransfer: ${at} }`;
      const failure = await failing({ 'flashwright.config.yaml': recipe('STM32F103RB', fault) }, [
        'info',
      ]);
      // Transfer 1 is the drain of stale replies, which ends with a timeout anyway.
      if (failure.code === 0) {
        t.not(kind, 'disconnect', fault);
      } else {
        t.is(failure.code, 4, fault);
        t.regex(failure.error.code, /^PROBE_/, fault);
        t.truthy(failure.error.hint, fault);
      }
      t.true(failure.ms < BOUND_MS, fault);
    }
  }
});

test('a bus fault at the address being read names that address', async (t) => {
  const failure = await failing(
    {
      'flashwright.config.yaml': recipe('STM32F103RB', '{ kind: bus-fault, address: 0x08001234 }'),
    },
    readArgs,
  );
  t.regex(failure.error.message, /0x08001234/);
});

const writeSteps = 'image: app.hex\nsteps: [connect, { erase: auto }, write, verify]';

test('power loss mid-write: the target stops answering, exit 5, no hang', async (t) => {
  const failure = await failing(
    {
      'flashwright.config.yaml': recipe(
        'STM32L151CBxxA',
        '{ kind: power-loss, afterFlashBytes: 128 }',
        writeSteps,
      ),
      'app.hex': await readFile(blinkHex, 'utf8'),
    },
    ['run'],
  );
  t.is(failure.code, 5);
  t.is(failure.error.code, 'TARGET_NO_RESPONSE');
  t.regex(failure.error.hint ?? '', /run the same recipe again/);
  t.true(failure.ms < BOUND_MS);
});

// The L0/L1 model raises WRPERR for an injected flash error (the NVM's refusal flag,
// RM0038 FLASH_SR); no option byte protects the page, so it is a flash failure.
test('an injected flash error during erase on an STM32L151: FLASH_ERASE_FAILED naming WRPERR, exit 7', async (t) => {
  const failure = await failing(
    {
      'flashwright.config.yaml': recipe(
        'STM32L151CBxxA',
        '{ kind: flash-error, address: 0x08000000 }',
        writeSteps,
      ),
      'app.hex': await readFile(blinkHex, 'utf8'),
    },
    ['run'],
  );
  t.is(failure.code, 7);
  t.like(failure.error, { code: 'FLASH_ERASE_FAILED', exitCode: 7 });
  t.regex(
    failure.error.message,
    /^Erase failed at 0x08000000\.\.0x[0-9A-F]{8}: WRPERR \(write protection error: the controller refused to erase or program there\)/,
  );
  t.regex(failure.error.message, /the option bytes do not write-protect it$/);
  t.regex(failure.error.hint ?? '', /This is not write protection/);
  t.true(failure.ms < BOUND_MS);
});

test('an injected flash error during programming on an STM32L151: FLASH_PROGRAM_FAILED naming WRPERR, exit 7', async (t) => {
  // A new board is erased, so the recipe writes without erasing and meets the fault there.
  const failure = await failing(
    {
      'flashwright.config.yaml': recipe(
        'STM32L151CBxxA',
        '{ kind: flash-error, address: 0x08000000 }',
        'image: app.hex\nsteps: [connect, { erase: none }, write]',
      ),
      'app.hex': await readFile(blinkHex, 'utf8'),
    },
    ['run'],
  );
  t.is(failure.code, 7);
  t.like(failure.error, { code: 'FLASH_PROGRAM_FAILED', exitCode: 7 });
  t.regex(
    failure.error.message,
    /^Program failed at 0x080000[0-9A-F]{2}\.\.0x[0-9A-F]{8}: WRPERR \(write protection error/,
  );
  t.regex(failure.error.message, /the option bytes do not write-protect it$/);
  t.true(failure.ms < BOUND_MS);
});

test('real write protection met by a mass erase on an STM32L151: WRITE_PROTECTED naming the range, exit 6', async (t) => {
  // WRP01 bit 1 protects sector 1 (0x08001000..0x08001FFF), set in the board's state first.
  const board = (steps: string) =>
    [
      'probe: { transport: virtual, options: { device: STM32L151CBxxA, state: board.json } }',
      'target: { family: stm32, device: STM32L151CBxxA }',
      `steps: ${steps}`,
      '',
    ].join('\n');
  const cwd = await project({
    'setup.yaml': board('[connect, { option-bytes: { WRP01: 2, confirm: write-option-bytes } }]'),
    'flashwright.config.yaml': board('[connect, { erase: { mode: mass, confirm: mass-erase } }]'),
  });
  const setup = await runCli(['run', '-c', 'setup.yaml', '--json'], { cwd });
  t.is(setup.code, 0, setup.stdout);
  const run = await runCli(['run', '--json'], { cwd });
  const error = (ndjson(run.stdout).at(-1) ?? {})['error'] as Failure['error'];
  t.is(run.code, 6);
  t.like(error, { code: 'WRITE_PROTECTED', exitCode: 6 });
  t.regex(error.message, /^Erase failed at .*: WRPERR \(write protection error/);
  t.regex(error.message, /the option bytes write-protect 0x08001000\.\.0x08001FFF$/);
  t.regex(error.hint ?? '', /option-bytes step/);
});
