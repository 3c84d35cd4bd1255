/** The open sequence over the virtual ST-Links of packages/sim (no fake device). */
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { CLONE_SERIAL } from '@flashwright/sim';
import { StLinkProbe } from '../src/driver/stlink-probe.js';
import { recordingLog, rig, session, TEST_TIMEOUT_MS } from './helpers/virtual.js';

test('a genuine V2 starts in DFU; open leaves it and reports the probe', async (t) => {
  const r = await rig({ probe: 'stlink-v2' });
  t.teardown(() => r.close());
  t.like(r.probe.info, {
    transport: 'stlink',
    name: 'ST-LINK/V2',
    vendorId: 0x0483,
    productId: 0x3748,
    hardwareVersion: 'V2',
    firmwareVersion: 'V2J37S7',
  });
  t.regex(r.probe.info.serial ?? '', /^[0-9A-F]{24}$/);
  t.deepEqual(r.probe.warnings, []);
  t.is(r.probe.access.level, 'ap');
  t.is(r.session.device.engine.mode, 0x01, 'idle (mass-storage) after DFU_EXIT');
});

test('V2-1 decodes J and M; V3 reads GET_VERSION_EX', async (t) => {
  const v21 = await rig({ probe: 'stlink-v2-1' });
  t.teardown(() => v21.close());
  t.like(v21.probe.info, {
    hardwareVersion: 'V2-1',
    firmwareVersion: 'V2J40M27',
    productId: 0x374b,
  });
  const v3 = await rig({ probe: 'stlink-v3' });
  t.teardown(() => v3.close());
  t.like(v3.probe.info, { hardwareVersion: 'V3', firmwareVersion: 'V3J7M3B5S1' });
  t.is(v3.probe.version.hardware, 3);
  t.is(v3.probe.version.jtag, 7);
});

test('every virtual PID opens with its endpoints', async (t) => {
  for (const [probe, productId] of [
    ['stlink-v2-1', 0x3752],
    ['stlink-v3', 0x374f],
  ] as const) {
    const r = await rig({ probe, productId });
    t.is(r.probe.info.productId, productId);
    t.truthy(r.probe.info.firmwareVersion);
    await r.close();
  }
});

test('a clone: binary serial hex-encoded, no voltage, a warning, and it keeps working', async (t) => {
  const r = await rig({ probe: 'stlink-v2', clone: true });
  t.teardown(() => r.close());
  t.is(r.session.device.serialNumber, CLONE_SERIAL);
  t.is(r.probe.info.serial, '55FF6D066684564928211687');
  t.regex(r.probe.info.name, /clone/);
  t.true(r.probe.warnings.some((w) => w.code === 'clone' && /binary serial/.test(w.message)));
  t.is(await r.probe.targetVoltage(), undefined);
  const result = await r.probe.connect({ speedKhz: 1800 });
  t.is(result.dpidr, 0x1ba01477);
});

test('target voltage comes from the probe; a low one is a warning', async (t) => {
  const normal = await rig({ voltage: 3.3 });
  t.teardown(() => normal.close());
  const volts = await normal.probe.targetVoltage();
  t.true(volts !== undefined && Math.abs(volts - 3.3) < 0.01, `${volts}`);
  const low = await rig({ voltage: 0.2 });
  t.teardown(() => low.close());
  t.true(
    low.probe.warnings.some(
      (w) => w.code === 'target-voltage-low' && /Target voltage reads 0\.2/.test(w.message),
    ),
  );
});

test('old firmware opens with one warning naming what it lacks and the versions', async (t) => {
  const r = await rig({ firmware: 'V2J24S7' });
  t.teardown(() => r.close());
  t.is(r.probe.warnings.length, 1);
  t.is(r.probe.warnings[0]?.code, 'firmware-outdated');
  t.regex(r.probe.warnings[0]?.hint ?? '', /STLinkUpgrade/);
  const warning = r.probe.warnings[0]?.message ?? '';
  t.regex(warning, /V2J24S7/);
  t.regex(warning, /16-bit memory access \(V2J26\)/);
  t.regex(warning, /access ports other than 0 \(V2J28\)/);
  t.notRegex(warning, /SWD speed/);
});

test('stale replies left queued by an earlier session are drained', async (t) => {
  const s = session();
  t.teardown(() => s.close());
  await s.device.open();
  await s.device.selectConfiguration(1);
  await s.device.claimInterface(0);
  const getVersion = new Uint8Array(16);
  getVersion[0] = 0xf1;
  await s.device.transferOut(2, getVersion);
  await s.device.transferOut(2, getVersion);
  t.is(s.device.queuedInBytes, 12);
  await s.device.close();
  const probe = await StLinkProbe.open(s.device, { timeoutMs: TEST_TIMEOUT_MS });
  t.is(probe.info.firmwareVersion, 'V2J37S7');
  t.is(s.device.queuedInBytes, 0);
  await probe.close();
});

test('a probe left in debug mode (crashed session) is taken out of it, then works', async (t) => {
  const s = session({ probe: 'stlink-v3', lockUpOnStrayExit: true });
  t.teardown(() => s.close());
  const first = await StLinkProbe.open(s.device, { timeoutMs: TEST_TIMEOUT_MS });
  await first.connect();
  // No close(): the session died. The next one finds the probe in debug mode.
  await s.device.close();
  const log = recordingLog();
  const second = await StLinkProbe.open(s.device, { timeoutMs: TEST_TIMEOUT_MS, log });
  t.true(log.debugs.some((m) => /left in debug mode/.test(m)));
  const { dpidr } = await second.connect();
  t.is(dpidr, 0x1ba01477);
  await second.close();
  // And a clean close left it idle, so a third open must not send DEBUG_EXIT (V3 lock-up).
  const third = await StLinkProbe.open(s.device, { timeoutMs: TEST_TIMEOUT_MS });
  t.false(s.device.engine.lockedUp);
  await third.connect();
  await third.close();
});

test('SWIM-only (STM8) V2-1 firmware is refused with a clear reason', async (t) => {
  const s = session({ probe: 'stlink-v2-1', firmware: 'V2J22M7' });
  t.teardown(() => s.close());
  // J22 with M7 on a V2-1 PID is how an STM8 board (M22 S7) encodes itself (OpenOCD rule).
  const error = await t.throwsAsync(StLinkProbe.open(s.device, { timeoutMs: TEST_TIMEOUT_MS }), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'PROBE_FIRMWARE_TOO_OLD');
  t.regex(error?.message ?? '', /SWIM-only/);
  t.false(s.device.opened, 'the device was released');
});
