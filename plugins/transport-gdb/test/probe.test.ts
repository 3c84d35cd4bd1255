import test from 'ava';
import { FlashwrightError, PLUGIN_API_VERSION } from '@flashwright/core';
import { GdbProbe, type GdbSessionSettings } from '../src/gdb-probe.js';
import { plugin } from '../src/index.js';
import {
  FakeGdbServer,
  cortexMFeatures,
  recordingLog,
  type FakeGdbServerOptions,
} from './helpers/fake-gdb-server.js';

const settings: GdbSessionSettings = {
  noAckMode: true,
  requestTimeoutMs: 200,
  flashTimeoutMs: 1000,
  packetSizeBytes: undefined,
  resetCommand: undefined,
  memoryMap: undefined,
};

async function open(options: FakeGdbServerOptions, extra: Partial<GdbSessionSettings> = {}) {
  const server = new FakeGdbServer(options);
  const log = recordingLog();
  const probe = await GdbProbe.open(server.link(), { ...settings, ...extra }, { log });
  await probe.connect();
  return { server, probe, log };
}

const flash = { start: 0x08000000, end: 0x08010000, blockSize: 0x400 };

test('open and connect: qSupported, no-ack mode, halt reason', async (t) => {
  const { server, probe } = await open({});
  t.deepEqual(server.received.slice(0, 3), [
    'qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+',
    'QStartNoAckMode',
    '?',
  ]);
  t.true(server.noAck);
  t.is(probe.access.level, 'memory');
  t.deepEqual(probe.info, {
    transport: 'gdb',
    name: 'GDB server',
    serial: 'fake:1234',
  });
  t.is(probe.limits.maxPayloadBytes, 0x1000 - 4);
  t.deepEqual(probe.warnings, []);
  t.is(probe.nativeFlash, undefined);
  t.is(probe.memoryMap, undefined);
});

test('ack mode is kept when refused by settings or not offered', async (t) => {
  const { server } = await open({}, { noAckMode: false });
  t.false(server.received.includes('QStartNoAckMode'));
  const other = await open({ offerNoAck: false });
  t.false(other.server.received.includes('QStartNoAckMode'));
});

test('no PacketSize: a warning and a small default packet', async (t) => {
  const { probe } = await open({ packetSize: undefined });
  t.is(probe.limits.maxPayloadBytes, 396);
  t.regex(probe.warnings[0]?.message ?? '', /no PacketSize/);
  const overridden = await open({ packetSize: undefined }, { packetSizeBytes: 1024 });
  t.is(overridden.probe.limits.maxPayloadBytes, 1020);
  t.deepEqual(overridden.probe.warnings, []);
});

test('something that does not speak RSP is a protocol error', async (t) => {
  const server = new FakeGdbServer({ speaksRsp: false });
  const error = await t.throwsAsync(
    GdbProbe.open(server.link(), { ...settings, requestTimeoutMs: 50 }),
    { instanceOf: FlashwrightError },
  );
  t.is(error?.code, 'PROBE_PROTOCOL_ERROR');
  t.regex(error?.hint ?? '', /3333/);
});

test('memory map with flash: vFlash is the native flash port', async (t) => {
  const { server, probe } = await open({ flash, packetSize: 0x200 });
  t.deepEqual(probe.memoryMap, [
    { kind: 'flash', start: flash.start, end: flash.end, blockSize: 0x400 },
    { kind: 'ram', start: 0x20000000, end: 0x20005000 },
  ]);
  const native = probe.nativeFlash!;
  t.deepEqual(native.regions, [flash]);
  const data = Uint8Array.from({ length: 3000 }, (_, i) => (i * 13) & 0xff);
  await native.erase({ start: 0x08000000, end: 0x08000c00 });
  await native.write(0x08000000, data);
  t.deepEqual(
    server.read(0x08000000, 4),
    Uint8Array.of(0xff, 0xff, 0xff, 0xff),
    'buffered until done',
  );
  await native.done();
  t.deepEqual(server.read(0x08000000, 3000), data);
  const writes = server.received.filter((p) => p.startsWith('vFlashWrite:'));
  t.true(writes.length > 5, 'split to the packet size');
  t.true(writes.every((p) => p.length <= 0x200 - 4));
});

test('native flash errors carry flash codes', async (t) => {
  const { probe } = await open({ flash });
  const native = probe.nativeFlash!;
  const outside = await t.throwsAsync(native.erase({ start: 0x09000000, end: 0x09000400 }), {
    instanceOf: FlashwrightError,
  });
  t.is(outside?.code, 'FLASH_ERASE_FAILED');
  await t.throwsAsync(native.erase({ start: 0x08000001, end: 0x08000400 }), {
    message: /not aligned/,
  });
  const memtype = await t.throwsAsync(native.write(0x08010000 - 2, Uint8Array.of(1, 2, 3, 4)), {
    instanceOf: FlashwrightError,
  });
  t.is(memtype?.code, 'FLASH_PROGRAM_FAILED');
  t.regex(memtype?.message ?? '', /not flash/);
  // Programming over unerased flash fails in the fake at vFlashDone.
  await native.write(0x08000000, Uint8Array.of(1));
  const done = await t.throwsAsync(native.done(), { instanceOf: FlashwrightError });
  t.is(done?.code, 'FLASH_PROGRAM_FAILED');
  t.is(done?.exitCode, 7);
});

test('a server whose memory map is broken gets a warning and plain memory access', async (t) => {
  const { probe } = await open({
    memoryMapXml: '<memory-map><memory type="flash" start="0" length="0x100"/></memory-map>',
  });
  t.is(probe.nativeFlash, undefined);
  t.regex(probe.warnings.map((w) => w.message).join(), /memory map is unusable/);
});

test('a memory map from the recipe is reported but does not enable vFlash', async (t) => {
  const { probe } = await open(
    {},
    { memoryMap: [{ kind: 'ram', start: 0x08000000, end: 0x08020000 }] },
  );
  t.deepEqual(probe.memoryMap, [{ kind: 'ram', start: 0x08000000, end: 0x08020000 }]);
  t.is(probe.nativeFlash, undefined);
});

test('registers through target.xml and p/P', async (t) => {
  const { server, probe } = await open({ features: cortexMFeatures });
  server.registers.set(15, 0x0800001e);
  t.is(await probe.registers.read('pc'), 0x0800001e);
  await probe.registers.write('sp', 0x20002000);
  t.is(server.registers.get(13), 0x20002000);
  t.true(server.received.includes('qXfer:features:read:arm-m-profile.xml:0,ff4'));
  t.true(server.received.includes('pf'));
  await t.throwsAsync(probe.registers.read('fpscr'), { message: /no register "fpscr"/ });
});

test('registers without target.xml or p/P: the g/G block', async (t) => {
  const { server, probe } = await open({ registerPackets: false });
  server.registers.set(15, 0x08000101);
  t.is(await probe.registers.read('r15'), 0x08000101);
  await probe.registers.write('r0', 0xdeadbeef);
  t.is(server.registers.get(0), 0xdeadbeef);
  t.is(server.registers.get(15), 0x08000101, 'G kept the other registers');
});

test('reset tries monitor commands until one works, then runs the target', async (t) => {
  const { server, probe } = await open({ monitorCommands: ['system_reset'] });
  await probe.reset('software', { halt: true });
  t.deepEqual(server.monitorLog, ['reset halt', 'reset', 'system_reset']);
  t.false(probe.running);
  await probe.reset('hardware');
  t.deepEqual(server.monitorLog.slice(3), ['system_reset'], 'the working command is remembered');
  t.true(probe.running);
  await new Promise((r) => setTimeout(r, 5));
  t.true(server.running);
});

test('a configured reset command that fails is an error', async (t) => {
  const { probe } = await open({ monitorCommands: ['reset halt'] }, { resetCommand: 'reset init' });
  const error = await t.throwsAsync(probe.reset('hardware', { halt: true }), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'PROBE_PROTOCOL_ERROR');
  t.regex(error?.message ?? '', /reset init/);
});

test('connect under reset resets and halts', async (t) => {
  const server = new FakeGdbServer({});
  const probe = await GdbProbe.open(server.link(), settings);
  await probe.connect({ mode: 'under-reset' });
  t.deepEqual(server.monitorLog, ['reset halt']);
  t.false(probe.running);
});

test('without qRcmd the reset goes through AIRCR with a reset vector catch', async (t) => {
  const { server, probe } = await open({ monitorCommands: undefined });
  server.load(0xe000edfc, Uint8Array.of(0, 0, 0, 1)); // DEMCR: TRCENA
  await probe.reset('software', { halt: true });
  const writes = server.received
    .filter((p) => p.startsWith('X'))
    .map((p) => p.slice(0, p.indexOf(':')));
  t.deepEqual(writes, ['Xe000edfc,4', 'Xe000ed0c,4', 'Xe000edfc,4']);
  t.deepEqual(
    server.read(0xe000ed0c, 4),
    Uint8Array.of(0x04, 0x00, 0xfa, 0x05),
    'VECTKEY | SYSRESETREQ',
  );
  t.deepEqual(server.read(0xe000edfc, 4), Uint8Array.of(0, 0, 0, 1), 'DEMCR restored');
});

test('close detaches with D;pid under multiprocess and plain D otherwise', async (t) => {
  const multi = await open({});
  await multi.probe.close();
  t.is(multi.server.received.at(-1), 'D;1');
  t.true(multi.server.detached);
  const single = await open({ multiprocess: false });
  await single.probe.close();
  t.is(single.server.received.at(-1), 'D');
  await single.probe.close(); // twice is harmless
});

test('close leaves a running target running', async (t) => {
  const { server, probe } = await open({});
  await probe.resume();
  await probe.close();
  t.false(server.detached);
  t.false(server.received.some((p) => p.startsWith('D')));
});

test('stats count packets', async (t) => {
  const { probe } = await open({});
  const before = probe.stats().transfers ?? 0;
  await probe.memory.read(0, 4);
  t.is(probe.stats().transfers, before + 1);
});

test('plugin exposes the gdb transport; list() finds nothing to scan', async (t) => {
  const p = plugin();
  t.deepEqual(p.meta, {
    name: '@flashwright/transport-gdb',
    version: '0.1.0',
    apiVersion: PLUGIN_API_VERSION,
  });
  const transport = p.transports?.[0];
  t.is(transport?.id, 'gdb');
  t.deepEqual(await transport?.list(), []);
});
