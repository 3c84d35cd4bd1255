/**
 * Doctor behind CMSIS-DAP (issue 13): the probe and its firmware from DAP_Info, a slow
 * HID link said as a warning, no target voltage to read, and a target that gives no SWD
 * acknowledgement explained as power or wiring first. All through the probe contract.
 */
import test from 'ava';
import { boardProject, checkOf, doctor, jsonRun } from './doctor-harness.js';

test('CMSIS-DAP v2: probe and firmware from DAP_Info, SWD answers, voltage not measured', async (t) => {
  const cwd = await boardProject({ device: 'STM32F411RE', options: 'probe: cmsis-dap-v2' });
  const run = await doctor(cwd);
  t.is(run.code, 0, JSON.stringify(run.summary.error));
  t.regex(checkOf(run, 'probe').message, /MCU-Link CMSIS-DAP \(virtual, STM32F411RE\)/);
  t.like(checkOf(run, 'probe-firmware'), { verdict: 'ok' });
  t.regex(checkOf(run, 'probe-firmware').message, /^2\.1\.1: nothing flashwright uses is missing/);
  t.like(checkOf(run, 'swd'), { verdict: 'ok' });
  t.like(checkOf(run, 'target-voltage'), { verdict: 'skipped' });
  t.like(checkOf(run, 'device-id'), { verdict: 'ok' });
});

test('CMSIS-DAP v1: one 64-byte HID report at a time is a slow-link warning with the fix', async (t) => {
  const cwd = await boardProject({ device: 'STM32F411RE', options: 'probe: cmsis-dap-v1' });
  const run = await doctor(cwd);
  t.is(run.code, 0, JSON.stringify(run.summary.error));
  const firmware = checkOf(run, 'probe-firmware');
  t.is(firmware.verdict, 'warn');
  t.regex(firmware.message, /1 packet of 64 bytes at a time over HID \(CMSIS-DAP v1\)/);
  t.regex(firmware.hint ?? '', /CMSIS-DAP v2/);
});

test('no SWD acknowledgement behind CMSIS-DAP: power and wiring first, exit 5; run says the same', async (t) => {
  const cwd = await boardProject({
    device: 'STM32F411RE',
    options: 'probe: cmsis-dap-v2, rdp: 2',
    probe: 'speed: 4000',
  });
  const run = await doctor(cwd);
  t.is(run.code, 5);
  const swd = checkOf(run, 'swd');
  t.like(swd, { verdict: 'fail', code: 'TARGET_NO_RESPONSE', exitCode: 5 });
  t.regex(swd.message, /no SWD acknowledgement/);
  t.regex(
    swd.hint ?? '',
    /^Try in turn: \(1\) nothing acknowledged on SWD at all: check that the target is powered and that GND, SWDIO and SWCLK are connected/,
  );
  t.regex(swd.hint ?? '', /\(2\) lower the clock with probe\.speed: 480/);
  const runFailure = await jsonRun(cwd, ['run']);
  t.is(runFailure.code, 5);
  t.like(runFailure.summary.error, { code: 'TARGET_NO_RESPONSE', hint: swd.hint });
});
