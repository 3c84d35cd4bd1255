/**
 * `flashwright doctor`, probe checks, on virtual hardware: a probe this user may not open
 * (the udev rule), no probe at all, firmware that lacks features or cannot be used, and the
 * --json contract (one event per check in order, the summary last, exit code of the first
 * failure).
 */
import test from 'ava';
import { project, runCli } from './helpers/cli.js';
import { checkOf, doctor, jsonRun, repoModule, virtualRecipe } from './doctor-harness.js';

/**
 * A plugin the test writes into its project: the real ST-Link transport over a USB backend
 * that holds one virtual ST-Link whose open() fails as libusb does without permission (or
 * no ST-Link at all). It stands for a Linux machine without the udev rule.
 */
const usbBoardPlugin = `
import { PLUGIN_API_VERSION } from '${repoModule('packages/core/dist/src/index.js')}';
import { createVirtualSession } from '${repoModule('packages/sim/dist/src/index.js')}';
import { createStLinkTransport } from '${repoModule('plugins/transport-stlink/dist/src/index.js')}';

export function plugin(options = {}) {
  const getDevices = async () => {
    if (options.mode === 'none') return [];
    const { device } = createVirtualSession({ probe: 'stlink-v2-1', device: 'STM32F103RB' });
    if (options.mode === 'denied') {
      device.open = () =>
        Promise.reject(new DOMException('LIBUSB_ERROR_ACCESS: access denied', 'SecurityError'));
    }
    return [device];
  };
  return {
    meta: { name: 'usb-board', version: '0.0.0', apiVersion: PLUGIN_API_VERSION },
    transports: [createStLinkTransport({ getDevices }, { platform: 'linux' })],
  };
}
`;

function usbRecipe(mode: 'denied' | 'none' | 'ok'): string {
  return [
    `plugins: [[./usb-board.mjs, { mode: ${mode} }]]`,
    'probe: { transport: stlink }',
    'target: { family: stm32, device: STM32F103RB }',
    '',
  ].join('\n');
}

test('a probe this user may not open: PROBE_ACCESS_DENIED, the udev rule in the fix, exit 4', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': usbRecipe('denied'),
    'usb-board.mjs': usbBoardPlugin,
  });
  const run = await doctor(cwd);
  t.is(run.code, 4, run.stderr);
  const probe = checkOf(run, 'probe');
  t.is(probe.verdict, 'fail');
  t.is(probe.code, 'PROBE_ACCESS_DENIED');
  t.is(probe.exitCode, 4);
  t.regex(probe.message, /ST-LINK\/V2-1 .*is connected, but this user may not open it/);
  t.regex(probe.message, /access denied/i);
  // The listing's hint is the rule itself for this VID:PID, where it goes, and how to load it.
  t.regex(
    probe.hint ?? '',
    /SUBSYSTEM=="usb", ATTR\{idVendor\}=="0483", ATTR\{idProduct\}=="374b", TAG\+="uaccess"/,
  );
  t.regex(probe.hint ?? '', /\/etc\/udev\/rules\.d\/70-flashwright-stlink\.rules/);
  t.regex(probe.hint ?? '', /udevadm control --reload-rules/);
  t.is(checkOf(run, 'swd').verdict, 'skipped');
  t.like(run.summary, { status: 'failed', exitCode: 4 });
  t.like(run.summary.error, {
    code: 'PROBE_ACCESS_DENIED',
    message: probe.message,
    hint: probe.hint,
  });

  // `info` (and `run`) meet the same probe at their connect step and say the same.
  const info = await jsonRun(cwd, ['info']);
  t.is(info.code, 4);
  t.like(info.summary.error, {
    code: 'PROBE_ACCESS_DENIED',
    message: probe.message,
    hint: probe.hint,
  });
});

test('no probe connected: PROBE_NOT_FOUND, exit 4, the same words as `info`', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': usbRecipe('none'),
    'usb-board.mjs': usbBoardPlugin,
  });
  const run = await doctor(cwd);
  t.is(run.code, 4);
  const probe = checkOf(run, 'probe');
  t.like(probe, { verdict: 'fail', code: 'PROBE_NOT_FOUND', exitCode: 4 });
  t.regex(probe.message, /No ST-Link\. No ST-Link is connected\./);
  t.regex(probe.hint ?? '', /Check the USB cable and run `flashwright probes`/);

  const info = await runCli(['info', '--json'], { cwd });
  t.is(info.code, 4);
  t.regex(info.stdout, /"code":"PROBE_NOT_FOUND"/);
});

test('the same board with access: the probe check passes and the chip is checked', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': usbRecipe('ok'),
    'usb-board.mjs': usbBoardPlugin,
  });
  const run = await doctor(cwd);
  t.is(run.code, 0, run.stderr);
  t.like(checkOf(run, 'probe'), { verdict: 'ok' });
  t.regex(checkOf(run, 'probe').message, /ST-LINK\/V2-1 .*opened/);
  t.like(checkOf(run, 'device-id'), { verdict: 'ok' });
});

test('old probe firmware is a warning naming what it lacks, and the exit code stays 0', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': virtualRecipe({
      device: 'STM32F103RB',
      options: 'firmware: V2J21S4',
    }),
  });
  const run = await doctor(cwd);
  t.is(run.code, 0, run.stderr);
  const firmware = checkOf(run, 'probe-firmware');
  t.like(firmware, { verdict: 'warn', code: 'PROBE_FIRMWARE_TOO_OLD', exitCode: 4 });
  t.regex(firmware.message, /ST-Link firmware V2J21S4 lacks: SWD speed setting \(V2J22\)/);
  t.regex(firmware.message, /16-bit memory access \(V2J26\)/);
  t.regex(firmware.hint ?? '', /STLinkUpgrade/);
  t.like(run.summary, { status: 'ok', exitCode: 0 });
  t.deepEqual(run.summary.result?.['counts'], { ok: 9, warn: 1, fail: 0, skipped: 1 });
});

test('firmware that cannot be used at all fails the firmware check with exit 4', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': virtualRecipe({
      device: 'STM32F103RB',
      options: 'firmware: V2J0S7',
    }),
  });
  const run = await doctor(cwd);
  t.is(run.code, 4);
  t.is(checkOf(run, 'probe').verdict, 'ok');
  const firmware = checkOf(run, 'probe-firmware');
  t.like(firmware, { verdict: 'fail', code: 'PROBE_FIRMWARE_TOO_OLD', exitCode: 4 });
  t.regex(firmware.message, /SWIM-only \(STM8\) firmware V2J0S7, which has no SWD/);
  t.regex(firmware.hint ?? '', /STLinkUpgrade \(choose the STM32 variant\)/);
  t.like(run.summary.error, { code: 'PROBE_FIRMWARE_TOO_OLD', message: firmware.message });
});

test('--json: eleven check events in order, then the summary; human output says the same', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': virtualRecipe({ device: 'STM32F411RE', options: 'rdp: 1' }),
  });
  const run = await doctor(cwd);
  t.deepEqual(
    run.checks.map((c) => c.id),
    [
      'probe',
      'probe-firmware',
      'target-voltage',
      'swd',
      'device-id',
      'flash-size',
      'read-protection',
      'write-protection',
      'option-bytes',
      'ram-code',
      'image',
    ],
  );
  t.deepEqual(
    run.checks.map((c) => c.index),
    [...Array(11).keys()],
  );
  t.is(run.summary.type, 'summary');
  t.is(run.summary.command, 'doctor');
  t.is(run.code, 6, 'RDP level 1 without an unprotect step is the first failure');
  t.is(run.summary.exitCode, 6);

  const human = await runCli(['doctor'], { cwd });
  t.is(human.code, 6);
  t.regex(human.stdout, /^\[ok\] {3}Probe found and accessible: /m);
  t.regex(human.stdout, /^\[FAIL\] Read protection \(RDP\): .*is read-protected \(RDP level 1/m);
  t.regex(human.stdout, /^ {7}fix: Add `- unprotect: \{ confirm: mass-erase \}`/m);
  t.regex(human.stdout, /^\[skip\] Image fits the flash: the recipe names no image$/m);
  t.regex(human.stdout, /checks ok, 0 warnings, 1 failure, 2 skipped$/m);
  t.regex(human.stderr, /error TARGET_PROTECTED: /);
});

test('--dry-run lists the checks and touches nothing', async (t) => {
  const cwd = await project({
    'flashwright.config.yaml': virtualRecipe({ device: 'STM32F411RE', options: 'rdp: 2' }),
  });
  const run = await runCli(['doctor', '--dry-run'], { cwd });
  t.is(run.code, 0, run.stderr);
  t.regex(
    run.stdout,
    /1\. Probe found and accessible\n.*\n[\s\S]*10\. Code runs from RAM[\s\S]*11\. Image fits the flash/,
  );
});
