/**
 * CmsisDapProbe on the virtual probes: connect modes on core's ADIv5 layer, halt and reset
 * through CortexM and nRESET (DAP_SWJ_Pins), close, and the warnings doctor reads.
 */
import test from 'ava';
import type { FlashwrightError } from '@flashwright/core';
import {
  VirtualCmsisDap,
  createVirtualCmsisDapSession,
  type VirtualSession,
} from '@flashwright/sim';
import { CmsisDapProbe } from '../src/driver/cmsis-dap-probe.js';
import { firmwareWarnings } from '../src/driver/firmware-policy.js';
import { findDapInterface } from '../src/usb/dap-interface.js';
import { WebUsbPacketChannel } from '../src/usb/packet-channel.js';

interface ProbeRig {
  readonly session: VirtualSession<VirtualCmsisDap>;
  readonly probe: CmsisDapProbe;
}

async function open(probe: 'cmsis-dap-v1' | 'cmsis-dap-v2' = 'cmsis-dap-v2'): Promise<ProbeRig> {
  const session = createVirtualCmsisDapSession({ probe, device: 'STM32F411RE' });
  const iface = findDapInterface(session.device);
  if (!iface) throw new Error('no interface');
  const channel = await WebUsbPacketChannel.open(session.device, iface, { timeoutMs: 200 });
  return { session, probe: await CmsisDapProbe.open(channel, session.device) };
}

test('connect (normal) attaches through connectSwd and halts the core', async (t) => {
  const { session, probe } = await open();
  t.teardown(() => probe.close());
  const result = await probe.connect({ speedKhz: 8000 });
  t.is(result.dpidr, session.board.dp.dpidr);
  t.is(result.speedKhz, 8000);
  t.is(session.board.swdSpeedKhz, 8000, 'DAP_SWJ_Clock reached the probe');
  t.true(session.board.core.halted);
  t.true(session.device.engine.connected);
  t.is(probe.connection.dpidr, result.dpidr ?? -1);
  t.is(probe.access.level, 'raw-dap');
});

test('connect under reset holds nRESET low while attaching, then halts at the reset vector', async (t) => {
  const { session, probe } = await open();
  t.teardown(() => probe.close());
  await probe.connect({ mode: 'under-reset' });
  t.false(session.board.nrstAsserted, 'nRESET released');
  t.true(session.board.core.halted);
  t.deepEqual(probe.warnings, []);
});

test('hot-plug leaves the core running', async (t) => {
  const { session, probe } = await open();
  t.teardown(() => probe.close());
  await probe.connect({ mode: 'hot-plug' });
  t.false(session.board.core.halted);
});

test('hardware reset pulses nRESET (no probe-specific sequence); with halt the core stops', async (t) => {
  const { session, probe } = await open();
  t.teardown(() => probe.close());
  await probe.connect({ mode: 'hot-plug' });
  await probe.reset('hardware', { halt: true });
  t.true(session.board.core.halted);
  t.false(session.board.nrstAsserted);
  await probe.reset('hardware');
  t.false(session.board.core.halted);
  t.deepEqual(probe.warnings, []);
});

test('software reset with halt goes through SYSRESETREQ and the vector catch; core reset says what it did', async (t) => {
  const { session, probe } = await open();
  t.teardown(() => probe.close());
  await probe.connect();
  await probe.reset('software', { halt: true });
  t.true(session.board.core.halted);
  await probe.reset('core', { halt: true });
  t.true(probe.warnings.some((w) => /core-only reset/.test(w.message)));
});

test('memory before connect is an internal error, not a crash', async (t) => {
  const { probe } = await open();
  t.teardown(() => probe.close());
  const error = await t.throwsAsync<FlashwrightError>(probe.memory.read32(0x20000000));
  t.is(error.code, 'INTERNAL');
});

test('close turns the connect LED off and disconnects the probe; a second close is harmless', async (t) => {
  const { session, probe } = await open();
  await probe.connect();
  await probe.close();
  t.false(session.device.engine.connected);
  t.false(session.device.opened);
  await probe.close();
});

test('warnings: v1 HID with one packet is a slow link; v2 with 8 x 512 has none', async (t) => {
  const v1 = await open('cmsis-dap-v1');
  t.teardown(() => v1.probe.close());
  t.deepEqual(
    v1.probe.warnings.map((w) => w.code),
    ['slow-link'],
  );
  const v2 = await open('cmsis-dap-v2');
  t.teardown(() => v2.probe.close());
  t.deepEqual(v2.probe.warnings, []);
});

test('warnings: a protocol version before 2.0 is outdated firmware', (t) => {
  const caps = {
    swd: true,
    jtag: false,
    swoUart: false,
    swoManchester: false,
    atomicCommands: false,
    testDomainTimer: false,
    swoStreaming: false,
    uartCommPort: false,
    uartUsbComPort: false,
  };
  const info = {
    vendor: undefined,
    product: undefined,
    serial: undefined,
    firmwareVersion: undefined,
    capabilities: caps,
    packetCount: 4,
    packetBytes: 512,
  };
  const old = firmwareWarnings({ ...info, protocolVersion: '1.10' }, 'v2');
  t.like(old[0], { code: 'firmware-outdated', params: { protocolVersion: '1.10' } });
  t.deepEqual(firmwareWarnings({ ...info, protocolVersion: '2.1.0' }, 'v2'), []);
});

test('nRESET not wired: a hardware reset says so and resets through SYSRESETREQ instead', async (t) => {
  const session = createVirtualCmsisDapSession({ probe: 'cmsis-dap-v2', device: 'STM32F411RE' });
  // The same board with a probe whose nRESET reaches nothing.
  const device = new VirtualCmsisDap({
    board: session.board,
    probe: 'cmsis-dap-v2',
    nresetWired: false,
  });
  const iface = findDapInterface(device);
  if (!iface) throw new Error('no interface');
  const probe = await CmsisDapProbe.open(
    await WebUsbPacketChannel.open(device, iface, { timeoutMs: 200 }),
    device,
  );
  t.teardown(() => probe.close());
  await probe.connect({ mode: 'hot-plug' });
  await probe.reset('hardware', { halt: true });
  t.true(session.board.core.halted, 'halted at the reset vector all the same');
  const warning = probe.warnings.find((w) => w.code === 'nrst-not-wired');
  t.truthy(warning);
  t.regex(warning?.hint ?? '', /nRESET/);
});

test('a hardware reset that fails while nRESET is low releases nRESET before the error comes out', async (t) => {
  const session = createVirtualCmsisDapSession({
    probe: 'cmsis-dap-v2',
    device: 'STM32F411RE',
    faults: [{ kind: 'bus-fault', address: 0xe000edfc }], // DEMCR
  });
  const iface = findDapInterface(session.device);
  if (!iface) throw new Error('no interface');
  const probe = await CmsisDapProbe.open(
    await WebUsbPacketChannel.open(session.device, iface, { timeoutMs: 200 }),
    session.device,
  );
  t.teardown(() => probe.close());
  await probe.connect({ mode: 'hot-plug' });
  const error = await t.throwsAsync<FlashwrightError>(probe.reset('hardware', { halt: true }));
  t.is(error.code, 'TARGET_FAULT');
  t.false(session.board.nrstAsserted);
});

test('the read estimate (limits.readBytesPerSecond) agrees with the virtual time of a 128 KiB read', async (t) => {
  for (const [kind, speedKhz] of [
    ['cmsis-dap-v2', 4000],
    ['cmsis-dap-v2', 24000],
    ['cmsis-dap-v1', 4000],
  ] as const) {
    const { session, probe } = await open(kind);
    await probe.connect({ speedKhz });
    await probe.memory.read(0x08000000, 4);
    const rate = probe.memory.limits?.readBytesPerSecond ?? 0;
    const bytes = 128 * 1024;
    const before = session.stats().virtualMs;
    await probe.memory.read(0x08000000, bytes);
    const spentMs = session.stats().virtualMs - before;
    const estimateMs = (bytes * 1000) / rate;
    t.true(
      Math.abs(spentMs / estimateMs - 1) < 0.1,
      `${kind} at ${speedKhz} kHz: ${spentMs.toFixed(1)} ms spent, ${estimateMs.toFixed(1)} ms estimated`,
    );
    await probe.close();
  }
});
