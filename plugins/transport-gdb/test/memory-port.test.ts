import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { GdbProbe } from '../src/gdb-probe.js';
import type { GdbSessionSettings } from '../src/gdb-probe.js';
import {
  FakeGdbServer,
  recordingLog,
  type FakeGdbServerOptions,
} from './helpers/fake-gdb-server.js';

export const settings: GdbSessionSettings = {
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

const pattern = (length: number, seed = 1): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (i * 31 + seed + (i >> 8)) & 0xff);

test('reads are split at the packet size', async (t) => {
  const { server, probe } = await open({ packetSize: 0x104 }); // 256 payload bytes: 128 per read
  server.load(0x20000000, pattern(300));
  t.deepEqual(await probe.memory.read(0x20000000, 300), pattern(300));
  const reads = server.received.filter((p) => p.startsWith('m'));
  t.deepEqual(reads, ['m20000000,80', 'm20000080,80', 'm20000100,2c']);
});

test('partial read replies are continued where they stopped', async (t) => {
  const { server, probe } = await open({ partialReadBytes: 10 });
  server.load(0x100, pattern(25));
  t.deepEqual(await probe.memory.read(0x100, 25), pattern(25));
  t.deepEqual(
    server.received.filter((p) => p.startsWith('m')),
    ['m100,19', 'm10a,f', 'm114,5'],
  );
});

test('run-length encoded replies decode to the same bytes', async (t) => {
  const { server, probe } = await open({ runLengthReplies: true });
  const data = new Uint8Array(200).fill(0xaa);
  data[100] = 0x12;
  server.load(0x0, data);
  t.deepEqual(await probe.memory.read(0, 200), data);
});

test('a read refused as too large is retried smaller and the size remembered', async (t) => {
  const { server, probe, log } = await open({ maxReadBytes: 100 });
  server.load(0x0, pattern(1000));
  t.deepEqual(await probe.memory.read(0, 1000), pattern(1000));
  t.true(log.lines.some((l) => l.includes('read failed (error 22)')));
  const sizes = server.received
    .filter((p) => p.startsWith('m'))
    .map((p) => parseInt(p.split(',')[1]!, 16));
  t.true(
    sizes.slice(-3).every((s) => s <= 100),
    'later reads stay small',
  );
});

test('a read fault is TARGET_FAULT with the address', async (t) => {
  const { probe } = await open({ faultRange: { start: 0x40000000, end: 0x40000004 } });
  const error = await t.throwsAsync(probe.memory.read32(0x40000000), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'TARGET_FAULT');
  t.is(error?.exitCode, 5);
  t.regex(error?.message ?? '', /0x40000000/);
  t.deepEqual(error?.details, { address: 0x40000000, length: 4, operation: 'read' });
});

test('writes use X with escaping when the server supports it', async (t) => {
  const { server, probe } = await open({});
  const data = Uint8Array.of(0x23, 0x24, 0x7d, 0x2a, 0x00, 0xff);
  await probe.memory.write(0x20000000, data);
  t.deepEqual(server.read(0x20000000, 6), data);
  t.true(server.received.some((p) => p.startsWith('X20000000,6:')));
  t.true(probe.memory.binaryWrites);
});

test('writes fall back to M when X is not supported', async (t) => {
  const { server, probe } = await open({ binaryWrites: false, packetSize: 0x104 });
  const data = pattern(500);
  await probe.memory.write(0x08000000, data);
  t.deepEqual(server.read(0x08000000, 500), data);
  t.false(probe.memory.binaryWrites);
  const hexWrites = server.received.filter((p) => p.startsWith('M'));
  t.true(
    hexWrites.every((p) => p.length <= 0x104 - 4),
    'every M packet fits PacketSize',
  );
});

test('silently dropped big packets: the size is halved until writes get through', async (t) => {
  // Announces 4 KiB packets but loses anything above 1000 payload bytes, as QEMU does above its buffer.
  const { server, probe, log } = await open(
    { packetSize: 0x1000, binaryWrites: false, dropPayloadAbove: 1000 },
    { requestTimeoutMs: 100 },
  );
  const data = pattern(8192, 7);
  await probe.memory.write(0x08000000, data);
  t.deepEqual(server.read(0x08000000, 8192), data);
  t.true(log.lines.some((l) => l.includes('packet dropped')));
  t.true(probe.limits.writeCapBytes < 500);
  t.true(probe.limits.confirmedWriteBytes > 0);
});

test('silently truncated writes are caught by the read-back of a new size', async (t) => {
  const { server, probe, log } = await open({ truncateWritesAbove: 256 });
  const data = pattern(4000, 3);
  await probe.memory.write(0x20000000, data);
  t.deepEqual(server.read(0x20000000, 4000), data);
  t.true(log.lines.some((l) => l.includes('read-back differs')));
  t.true(probe.limits.confirmedWriteBytes <= 256 && probe.limits.confirmedWriteBytes > 128);
});

test('a write fault is TARGET_FAULT', async (t) => {
  const { probe } = await open({ faultRange: { start: 0x1000, end: 0x1004 } });
  const error = await t.throwsAsync(probe.memory.write32(0x1000, 1), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'TARGET_FAULT');
  t.deepEqual(error?.details, { address: 0x1000, length: 4, operation: 'write' });
});

test('forced access width sends one packet per unit; read32/write32 are little-endian', async (t) => {
  const { server, probe } = await open({});
  await probe.memory.write(0x40021000, Uint8Array.of(1, 2, 3, 4), { width: 16 });
  t.deepEqual(
    server.received.filter((p) => p.startsWith('X')).map((p) => p.slice(0, p.indexOf(':'))),
    ['X40021000,2', 'X40021002,2'],
  );
  await probe.memory.write32(0x40022004, 0x45670123);
  t.deepEqual(server.read(0x40022004, 4), Uint8Array.of(0x23, 0x01, 0x67, 0x45));
  t.is(await probe.memory.read32(0x40022004), 0x45670123);
});

test('bad ranges are refused before anything is sent', async (t) => {
  const { probe } = await open({});
  await t.throwsAsync(probe.memory.read(0xfffffff0, 0x20), { message: /32-bit address space/ });
  await t.throwsAsync(probe.memory.read(-1, 1), { message: /Bad memory range/ });
});

test('memory access on a running target halts it first', async (t) => {
  const { server, probe } = await open({});
  await probe.resume();
  t.true(probe.running);
  await new Promise((r) => setTimeout(r, 5));
  server.load(0x0, Uint8Array.of(9, 8, 7, 6));
  t.is(await probe.memory.read32(0), 0x06070809);
  t.false(probe.running);
  t.true(server.received.includes('c'));
});

test('the port declares its limits from the packet size and the write encoding in use', async (t) => {
  const binary = await open({ packetSize: 0x104 }); // 256 payload bytes
  // "X" + 8 address digits + "," + 3 length digits + ":" leave 242 bytes of unescaped data.
  t.like(binary.probe.memory.limits, {
    maxTransferBytes: 242,
    alignBytes: 1,
    transferStartUs: 2000,
  });
  // Before any read, the estimate assumes a full-speed probe at 4 MHz behind the server:
  // 128-byte reads (two hex digits a byte), 2 ms a packet, 1 + 46/16 µs a byte.
  t.is(
    Math.round(binary.probe.memory.limits.readBytesPerSecond ?? 0),
    Math.round(128e6 / (2000 + 128 * (1 + 46 / 16))),
  );
  const hex = await open({ binaryWrites: false, packetSize: 0x104 });
  await hex.probe.memory.write(0x08000000, pattern(8));
  t.false(hex.probe.memory.binaryWrites);
  t.is(hex.probe.memory.limits.maxTransferBytes, 121, 'two hex digits a byte');
});

test('onProgress hears each write and read packet, growing to the length', async (t) => {
  const { server, probe } = await open({ binaryWrites: false, packetSize: 0x104 });
  const data = pattern(500);
  const written: number[] = [];
  await probe.memory.write(0x08000000, data, { onProgress: (n) => written.push(n) });
  const packets = server.received.filter((p) => p.startsWith('M'));
  t.is(written.length, packets.length);
  t.true(written.length > 1);
  t.true(written.every((n, i) => i === 0 || n > written[i - 1]!));
  t.is(written.at(-1), 500);
  const read: number[] = [];
  t.deepEqual(await probe.memory.read(0x08000000, 500, { onProgress: (n) => read.push(n) }), data);
  t.deepEqual(read, [128, 256, 384, 500]);
});
