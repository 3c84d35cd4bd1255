/**
 * `flashwright doctor`, target checks, on virtual hardware: the target voltage, no answer on
 * SWD, an unknown or unexpected chip, and the flash-size register. Where `run` fails at the
 * same point, it says exactly what doctor says (one catalogue of explanations).
 */
import test from 'ava';
import { boardProject, checkOf, doctor, jsonRun } from './doctor-harness.js';

test('0 V from a probe whose target answers: a warning about the VREF wire, exit 0', async (t) => {
  const cwd = await boardProject({ device: 'STM32F103RB', options: 'voltage: 0' });
  const run = await doctor(cwd);
  t.is(run.code, 0, run.stderr);
  const voltage = checkOf(run, 'target-voltage');
  t.like(voltage, { verdict: 'warn', code: 'TARGET_VOLTAGE_LOW' });
  t.regex(voltage.message, /reads 0\.00 V, yet the target answers on SWD/);
  t.regex(voltage.hint ?? '', /VREF\/VAPP pin/);
  t.is(checkOf(run, 'swd').verdict, 'ok');
});

test('a low voltage and no answer: TARGET_VOLTAGE_LOW fails first, exit 5', async (t) => {
  // The simulated chip is silent at RDP level 2; the probe reads 0.8 V on its VREF pin.
  const cwd = await boardProject({ device: 'STM32F411RE', options: 'voltage: 0.8, rdp: 2' });
  const run = await doctor(cwd);
  t.is(run.code, 5);
  const voltage = checkOf(run, 'target-voltage');
  t.like(voltage, { verdict: 'fail', code: 'TARGET_VOLTAGE_LOW', exitCode: 5 });
  t.regex(
    voltage.message,
    /reads 0\.80 V on the target supply \(at least 1\.6 V needed\) and nothing answers on SWD/,
  );
  t.regex(voltage.hint ?? '', /Power the board and connect its VDD/);
  t.like(run.summary.error, { code: 'TARGET_VOLTAGE_LOW', message: voltage.message });
  t.is(checkOf(run, 'swd').verdict, 'fail');

  const runFailure = await jsonRun(cwd, ['run']);
  t.is(runFailure.code, 5);
  t.like(runFailure.summary.error, {
    code: 'TARGET_VOLTAGE_LOW',
    message: voltage.message,
    hint: voltage.hint,
  });
});

test('no SWD response: what was tried and what to try next, exit 5; run says the same', async (t) => {
  const cwd = await boardProject({
    device: 'STM32F411RE',
    options: 'rdp: 2',
    probe: 'speed: 4000',
  });
  const run = await doctor(cwd);
  t.is(run.code, 5);
  const swd = checkOf(run, 'swd');
  t.like(swd, { verdict: 'fail', code: 'TARGET_NO_RESPONSE', exitCode: 5 });
  t.regex(swd.message, /^The target does not answer on SWD \(connect: normal, 4000 kHz\): /);
  t.regex(swd.message, /could not read the target IDCODE/);
  t.regex(swd.hint ?? '', /\(1\) lower the clock with probe\.speed: 480/);
  t.regex(swd.hint ?? '', /\(2\) set probe\.connect: under-reset/);
  t.regex(swd.hint ?? '', /hold BOOT0 high while powering up/);
  t.regex(swd.hint ?? '', /RDP level 2 never answers on SWD/);
  // Doctor tried the slower clock and connecting under reset before giving up.
  t.deepEqual(swd.details?.['alsoTried'], [
    { speedKhz: 480, mode: 'normal' },
    { speedKhz: 480, mode: 'under-reset' },
  ]);
  t.is(checkOf(run, 'target-voltage').verdict, 'ok');
  t.is(checkOf(run, 'device-id').verdict, 'skipped');

  const runFailure = await jsonRun(cwd, ['run']);
  t.is(runFailure.code, 5);
  t.like(runFailure.summary.error, {
    code: 'TARGET_NO_RESPONSE',
    message: swd.message,
    hint: swd.hint,
  });
});

test('under reset already: the hint checks the NRST wire instead', async (t) => {
  const cwd = await boardProject({
    device: 'STM32F411RE',
    options: 'rdp: 2',
    probe: 'speed: 240, connect: under-reset',
  });
  const run = await doctor(cwd);
  const swd = checkOf(run, 'swd');
  t.regex(swd.message, /\(connect: under-reset, 240 kHz\)/);
  t.notRegex(swd.hint ?? '', /probe\.speed/);
  t.regex(swd.hint ?? '', /\(1\) check that NRST reaches the probe’s RST pin/);
  t.deepEqual(swd.details?.['alsoTried'], []);
});

test('a chip no family knows: TARGET_UNKNOWN_DEVICE, exit 5; run says the same', async (t) => {
  // DBGMCU_IDCODE faults at every address STM32s keep it: the chip answers, its id does not.
  const faults = [0xe0042000, 0xe0044000, 0x40015800, 0x5c001000]
    .map((a) => `{ kind: bus-fault, address: 0x${a.toString(16)}, length: 4 }`)
    .join(', ');
  const cwd = await boardProject({ device: 'STM32F103RB', options: `faults: [ ${faults} ]` });
  const run = await doctor(cwd);
  t.is(run.code, 5);
  const id = checkOf(run, 'device-id');
  t.like(id, { verdict: 'fail', code: 'TARGET_UNKNOWN_DEVICE', exitCode: 5 });
  t.is(id.message, 'The chip answers, but no target family recognised it (tried stm32)');
  t.regex(id.hint ?? '', /Check target\.family in the recipe; run `flashwright info -v`/);
  t.is(checkOf(run, 'swd').verdict, 'ok');
  t.is(checkOf(run, 'read-protection').verdict, 'skipped');

  const runFailure = await jsonRun(cwd, ['run']);
  t.is(runFailure.code, 5);
  t.like(runFailure.summary.error, {
    code: 'TARGET_UNKNOWN_DEVICE',
    message: id.message,
    hint: id.hint,
  });
});

test('another chip than the recipe names: TARGET_DEVICE_MISMATCH naming both, exit 5', async (t) => {
  const cwd = await boardProject({ device: 'STM32F411RE', expect: 'STM32F103RB' });
  const run = await doctor(cwd);
  t.is(run.code, 5);
  const id = checkOf(run, 'device-id');
  t.like(id, { verdict: 'fail', code: 'TARGET_DEVICE_MISMATCH', exitCode: 5 });
  t.regex(id.message, /^The recipe expects STM32F103RB, but the connected chip is STM32F411/);
  t.regex(id.hint ?? '', /Connect the right board, or change target\.device/);

  const runFailure = await jsonRun(cwd, ['run']);
  t.like(runFailure.summary.error, { code: 'TARGET_DEVICE_MISMATCH', message: id.message });
});

test('the L151CB flash-size register 0x6B80: 128 KB with the quirk applied, not 27520 KB', async (t) => {
  const cwd = await boardProject({ device: 'STM32L151CBxxA', options: 'flashSizeRaw: 0x6B80' });
  const run = await doctor(cwd);
  t.is(run.code, 0, run.stderr);
  const size = checkOf(run, 'flash-size');
  t.is(size.verdict, 'ok');
  t.regex(size.message, /^128 KB: the flash-size register \(0x1FF8004C\) reads 0x6B80/);
  t.regex(size.message, /quirk applied/);
  t.regex(size.message, /reports 27520 KB/);
});

test('an unprogrammed flash-size register: a warning suggesting target.flashSize, exit 0', async (t) => {
  const cwd = await boardProject({ device: 'STM32F103RB', options: 'flashSizeRaw: 0xFFFF' });
  const run = await doctor(cwd);
  t.is(run.code, 0, run.stderr);
  const size = checkOf(run, 'flash-size');
  t.is(size.verdict, 'warn');
  t.regex(size.message, /reads 0xFFFF/);
  t.regex(size.message, /using 128 KB$/);
  t.regex(size.hint ?? '', /Set target\.flashSize in the recipe/);

  // With the override the check is satisfied and says where the size came from.
  const fixed = await boardProject({
    device: 'STM32F103RB',
    options: 'flashSizeRaw: 0xFFFF',
    flashSize: '64K',
  });
  const again = await doctor(fixed);
  t.is(checkOf(again, 'flash-size').verdict, 'ok');
  t.is(
    checkOf(again, 'flash-size').message,
    '64 KB from target.flashSize; the flash-size register at 0x1FFFF7E0 reads 0xFFFF (a tool that reads the register as plain KiB reports 65535 KB)',
  );
});
