/** connect(): speed, modes (normal, hot-plug, under-reset), DPIDR, over the virtual ST-Links. */
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { Dhcsr, Scs } from '@flashwright/core/arm';
import { rig } from './helpers/virtual.js';

test('V2: the fastest divisor at or below the request is set before ENTER', async (t) => {
  for (const [requested, expected, divisor] of [
    [4000, 4000, 0],
    [1000, 950, 3],
    [2, 5, 798],
  ] as const) {
    const r = await rig({ probe: 'stlink-v2' });
    const result = await r.probe.connect({ speedKhz: requested });
    t.is(result.speedKhz, expected, `${requested} kHz`);
    t.is(result.dpidr, 0x1ba01477);
    t.is(r.session.device.engine.swdDivisor, divisor);
    t.is(r.session.board.swdSpeedKhz, expected);
    await r.close();
  }
});

test('V3: picks from GET_COM_FREQ and uses what SET_COM_FREQ applied', async (t) => {
  const r = await rig({ probe: 'stlink-v3' });
  t.teardown(() => r.close());
  t.is((await r.probe.connect({ speedKhz: 24000 })).speedKhz, 24000);
  t.is(r.session.board.swdSpeedKhz, 24000);
  t.is((await r.probe.connect({ speedKhz: 4000 })).speedKhz, 3300, 'reconnect at another speed');
  t.is(r.session.board.swdSpeedKhz, 3300);
});

test('V2 firmware before J22 cannot set the speed: warns and keeps the probe default', async (t) => {
  const r = await rig({ firmware: 'V2J21S4' });
  t.teardown(() => r.close());
  const result = await r.probe.connect({ speedKhz: 4000 });
  t.is(result.speedKhz, undefined);
  t.is(result.dpidr, 0x1ba01477);
  t.true(r.warnings.some((w) => /needs V2J22/.test(w)));
});

test('normal connect halts the core; hot-plug leaves it running', async (t) => {
  const normal = await rig();
  t.teardown(() => normal.close());
  await normal.probe.connect();
  t.true(await normal.probe.core.isHalted());
  t.true(normal.session.board.core.halted);

  const hot = await rig();
  t.teardown(() => hot.close());
  await hot.probe.connect({ mode: 'hot-plug' });
  t.false(hot.session.board.core.halted);
  const dhcsr = await hot.probe.memory.read32(Scs.DHCSR);
  t.is(dhcsr & Dhcsr.S_HALT, 0);
});

test('under-reset: NRST held through ENTER, the core halts at the reset vector', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  await r.probe.connect({ mode: 'under-reset' });
  t.false(r.session.board.nrstAsserted, 'NRST released');
  t.true(r.session.board.core.halted);
  const dhcsr = await r.probe.core.dhcsr();
  t.not(dhcsr & Dhcsr.S_HALT, 0);
  // Halted by the reset vector catch (DFSR.VCATCH), which was disarmed again afterwards.
  t.not((await r.probe.memory.read32(Scs.DFSR)) & 0x8, 0);
  t.is((await r.probe.memory.read32(Scs.DEMCR)) & 1, 0);
  t.deepEqual(r.warnings, []);
});

test('under-reset with a clone whose NRST is not wired: falls back to SYSRESETREQ and says so', async (t) => {
  const r = await rig({ clone: true });
  t.teardown(() => r.close());
  await r.probe.connect({ mode: 'under-reset' });
  t.true(r.session.board.core.halted);
  t.not((await r.probe.memory.read32(Scs.DFSR)) & 0x8, 0, 'halted by a reset, not just C_HALT');
  t.true(r.warnings.some((w) => /NRST does not seem to reach the target/.test(w)));
});

test('an RDP level 2 chip does not answer on SWD: TARGET_NO_RESPONSE (exit 5) with a hint', async (t) => {
  const r = await rig({ device: 'STM32F411RE', rdp: 2 });
  t.teardown(() => r.close());
  const error = await t.throwsAsync(r.probe.connect(), { instanceOf: FlashwrightError });
  t.is(error?.code, 'TARGET_NO_RESPONSE');
  t.is(error?.exitCode, 5);
  t.truthy(error?.hint);
});

test('an unpowered target with a voltage reading says TARGET_VOLTAGE_LOW', async (t) => {
  const r = await rig({ voltage: 0, device: 'STM32F411RE', rdp: 2 });
  t.teardown(() => r.close());
  const error = await t.throwsAsync(r.probe.connect(), { instanceOf: FlashwrightError });
  t.is(error?.code, 'TARGET_VOLTAGE_LOW');
  t.is(error?.exitCode, 5);
  t.regex(error?.message ?? '', /0\.00 V/);
});
