/** Halt, run, step, core and DAP registers, resets and multi-AP over the virtual ST-Links. */
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { CoreRegister, Dhcsr, Scs } from '@flashwright/core/arm';
import { SRAM_BASE } from '@flashwright/sim';
import { connected, rig } from './helpers/virtual.js';

test('halt, run and step through DHCSR', async (t) => {
  const r = await rig();
  t.teardown(() => r.close());
  await r.probe.connect({ mode: 'hot-plug' });
  t.false(await r.probe.core.isHalted());
  await r.probe.core.halt();
  t.true(r.session.board.core.halted);
  await r.probe.core.run();
  t.false(r.session.board.core.halted);
  await r.probe.core.halt();
  await r.probe.core.step();
  t.true(await r.probe.core.isHalted(), 'halted again after one step');
  const dhcsr = await r.probe.core.dhcsr();
  t.is(dhcsr & Dhcsr.C_MASKINTS, 0, 'interrupt masking undone after the step');
});

test('core registers through READREG/WRITEREG', async (t) => {
  const r = await connected();
  t.teardown(() => r.close());
  await r.probe.driver.writeCoreRegister(CoreRegister.R0 + 4, 0x12345678);
  t.is(await r.probe.driver.readCoreRegister(4), 0x12345678);
  await r.probe.driver.writeCoreRegister(CoreRegister.SP, SRAM_BASE + 0x1000);
  t.is(await r.probe.driver.readCoreRegister(CoreRegister.SP), SRAM_BASE + 0x1000);
  // The same value through core's DCRSR/DCRDR sequence over the memory port.
  t.is(await r.probe.core.cortex.readRegister(4), 0x12345678);
});

test('FPU registers (regsel > 0x1F) need J15', async (t) => {
  const r = await connected({ firmware: 'V2J14S0' });
  t.teardown(() => r.close());
  const error = await t.throwsAsync(r.probe.driver.readCoreRegister(0x21), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'PROBE_FIRMWARE_TOO_OLD');
  t.regex(error?.message ?? '', /V2J15/);
});

test('DP and AP registers through READ_DAP_REG (J24+): DPIDR, CTRL/STAT, AP IDR', async (t) => {
  const r = await connected();
  t.teardown(() => r.close());
  t.is(await r.probe.driver.readDapRegister(0xffff, 0x00), 0x1ba01477);
  const ctrlStat = await r.probe.driver.readDapRegister(0xffff, 0x04);
  t.is((ctrlStat & 0xa0000000) >>> 0, 0xa0000000, 'debug and system power-up acknowledged');
  t.is(await r.probe.driver.readDapRegister(0, 0xfc), r.session.board.chip.apIdr);
  const old = await connected({ firmware: 'V2J23S7' });
  t.teardown(() => old.close());
  const error = await t.throwsAsync(old.probe.driver.readDapRegister(0xffff, 0), {
    instanceOf: FlashwrightError,
  });
  t.regex(error?.message ?? '', /V2J24/);
  const j31 = await connected({ firmware: 'V2J31S7' });
  t.teardown(() => j31.close());
  const banked = await t.throwsAsync(j31.probe.driver.readDapRegister(0xffff, 0x24), {
    instanceOf: FlashwrightError,
  });
  t.regex(banked?.message ?? '', /banked DP registers needs ST-Link firmware V2J32/);
});

test('software reset with halt stops at the reset vector; without halt the core runs', async (t) => {
  const r = await connected();
  t.teardown(() => r.close());
  await r.probe.reset('software', { halt: true });
  t.true(r.session.board.core.halted);
  t.not((await r.probe.memory.read32(Scs.DFSR)) & 0x8, 0, 'vector catch');
  t.is((await r.probe.memory.read32(Scs.DEMCR)) & 1, 0, 'catch disarmed');
  await r.probe.reset('software');
  t.false(r.session.board.core.halted);
});

test('hardware reset pulses NRST; halt uses the vector catch', async (t) => {
  const r = await connected();
  t.teardown(() => r.close());
  await r.probe.memory.write32(SRAM_BASE, 0xa5a5a5a5);
  await r.probe.reset('hardware', { halt: true });
  t.true(r.session.board.core.halted);
  t.not((await r.probe.memory.read32(Scs.DFSR)) & 0x8, 0);
  t.deepEqual(r.warnings, []);
  await r.probe.reset('hardware');
  t.false(r.session.board.core.halted);
});

test('hardware reset on a clone without NRST falls back to SYSRESETREQ with a warning', async (t) => {
  const r = await connected({ clone: true });
  t.teardown(() => r.close());
  await r.probe.reset('hardware', { halt: true });
  t.true(r.session.board.core.halted);
  t.not((await r.probe.memory.read32(Scs.DFSR)) & 0x8, 0, 'really reset');
  t.true(
    r.probe.warnings.some(
      (w) => w.code === 'nrst-not-wired' && /NRST did not reset the target/.test(w.message),
    ),
  );
  t.regex(r.probe.warnings.find((w) => w.code === 'nrst-not-wired')?.hint ?? '', /SWIM_RST/);
});

test('core reset: VECTRESET on Cortex-M3; a Cortex-M0 has none and gets a system reset', async (t) => {
  const m3 = await connected({ device: 'STM32F103RB' });
  t.teardown(() => m3.close());
  await m3.probe.reset('core', { halt: true });
  t.true(m3.session.board.core.halted);
  t.deepEqual(m3.warnings, []);
  const m0 = await connected({ device: 'STM32F030R8' });
  t.teardown(() => m0.close());
  await m0.probe.reset('core', { halt: true });
  t.true(m0.session.board.core.halted);
  t.true(m0.probe.warnings.some((w) => /VECTRESET is ARMv7-M only/.test(w.message)));
});

test('multi-AP: refused before V2J28 (naming it); INIT_AP on firmware that has it', async (t) => {
  const old = await connected({ firmware: 'V2J27S7' });
  t.teardown(() => old.close());
  const error = await t.throwsAsync(old.probe.memoryOnAp(1), { instanceOf: FlashwrightError });
  t.is(error?.code, 'PROBE_FIRMWARE_TOO_OLD');
  t.regex(error?.message ?? '', /V2J28/);
  t.is(await old.probe.memoryOnAp(0), old.probe.memory);

  const v3 = await connected({ probe: 'stlink-v3' });
  t.teardown(() => v3.close());
  const ap1 = await v3.probe.memoryOnAp(1);
  t.not(ap1, v3.probe.memory);
  t.true(v3.session.device.engine.openAps.has(1), 'INIT_AP 1 sent');
  // The simulated board has a single AP: AP 1 reads as zero (IDR 0 = no AP there).
  t.is(await v3.probe.driver.readDapRegister(1, 0xfc), 0);
  t.is(await v3.probe.memoryOnAp(1).then(() => v3.session.device.engine.openAps.size), 2);
  await v3.probe.close();
  t.false(v3.session.device.engine.openAps.has(1), 'CLOSE_AP_DBG on close');
});
