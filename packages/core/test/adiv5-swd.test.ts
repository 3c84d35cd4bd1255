/**
 * Core's ADIv5 layer against a scripted wire: the exact SWD transactions of connect, SELECT
 * caching, MEM-AP transfers (1 KB TAR blocks, packed and single narrow accesses, batching
 * and pipelining) and the recovery after FAULT and WAIT.
 */
import test from 'ava';
import { connectSwd } from '../src/adiv5/connect.js';
import type { ConnectSwdOptions, SwdConnection } from '../src/adiv5/types.js';
import { FlashwrightError } from '../src/errors/flashwright-error.js';
import { partialWriteOf } from '../src/ports/memory-port.js';
import { ScriptedWire, type ScriptedWireOptions } from './helpers/scripted-wire.js';

const NO_DELAY: ConnectSwdOptions = { waitRetry: { retries: 2, firstDelayMs: 0 } };

function bits(value: number, count: number): string {
  return Array.from({ length: count }, (_, i) => (value >>> i) & 1).join('');
}

async function connect(
  options: ScriptedWireOptions = {},
): Promise<{ wire: ScriptedWire; connection: SwdConnection }> {
  const wire = new ScriptedWire(options);
  const connection = await connectSwd(wire, NO_DELAY);
  return { wire, connection };
}

/** Connected, with AP 0's MemoryPort open and the log emptied. */
async function withMemory(options: ScriptedWireOptions = {}) {
  const { wire, connection } = await connect(options);
  const memory = await connection.memory(0);
  wire.take();
  return { wire, connection, memory };
}

function words(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v, true));
  return out;
}

test('connect: JTAG-to-SWD switch with line resets, DPIDR, ABORT, power-up request, ACK poll', async (t) => {
  const { wire, connection } = await connect();
  t.deepEqual(wire.take(), [
    `swj ${'1'.repeat(51)}${bits(0xe79e, 16)}${'1'.repeat(51)}${'0'.repeat(8)}`,
    'R DPIDR',
    'W ABORT 0x0000001e, W SELECT 0x00000000, W CTRL/STAT 0x50000000',
    'R CTRL/STAT',
  ]);
  t.is(connection.dpidr, 0x2ba01477);
  t.like(connection.dpIdentity, {
    version: 1,
    designer: 0x23b,
    partNo: 0xba,
    revision: 2,
    minimal: false,
  });
});

test('connect polls CTRL/STAT until both power-up ACKs are set, and gives up after the timeout', async (t) => {
  let polls = 0;
  const slow = new ScriptedWire({
    read: (port, register) =>
      port === 'dp' && register === 4
        ? ++polls < 3
          ? 0x50000000 | (1 << 29)
          : undefined
        : undefined,
  });
  await connectSwd(slow, NO_DELAY);
  t.deepEqual(slow.take().slice(3), ['R CTRL/STAT', 'R CTRL/STAT', 'R CTRL/STAT']);
  const dead = new ScriptedWire({
    read: (port, register) => (port === 'dp' && register === 4 ? 0x50000000 : undefined),
  });
  const error = await t.throwsAsync(connectSwd(dead, { ...NO_DELAY, powerUpTimeoutMs: 0 }));
  t.is((error as FlashwrightError).code, 'TARGET_NO_RESPONSE');
  t.regex(error?.message ?? '', /did not power up.*CTRL\/STAT 0x50000000/);
});

test('connect without an SWD acknowledgement to DPIDR is TARGET_NO_RESPONSE with the wiring hint', async (t) => {
  const wire = new ScriptedWire({
    fail: (call) => (call === 1 ? { at: 0, ack: 'no-ack' } : undefined),
  });
  const error = await t.throwsAsync<FlashwrightError>(connectSwd(wire, NO_DELAY));
  t.is(error.code, 'TARGET_NO_RESPONSE');
  t.regex(error.message, /DPIDR/);
  t.regex(error.hint ?? '', /SWDIO/);
  const zero = new ScriptedWire({
    read: (port, register) => (port === 'dp' && register === 0 ? 0 : undefined),
  });
  t.is(
    (await t.throwsAsync<FlashwrightError>(connectSwd(zero, NO_DELAY))).code,
    'TARGET_NO_RESPONSE',
  );
});

test('SELECT is written only when APSEL, APBANKSEL or DPBANKSEL change, and again after an error', async (t) => {
  let armed = false;
  const { wire, connection } = await connect({
    fail: () => (armed ? ((armed = false), { at: 0, ack: 'fault' }) : undefined),
  });
  const { dap } = connection;
  wire.take();
  await dap.readAp(0, 0xfc);
  await dap.readAp(0, 0xf8);
  await dap.readAp(1, 0xfc);
  await dap.readDp(0x24);
  await dap.readAp(1, 0xf4);
  await dap.readDp(0x4);
  t.deepEqual(wire.take(), [
    'W SELECT 0x000000f0, R AP 0xc',
    'R AP 0x8',
    'W SELECT 0x010000f0, R AP 0xc',
    'W SELECT 0x010000f2, R CTRL/STAT',
    'R AP 0x4',
    'W SELECT 0x010000f0, R CTRL/STAT',
  ]);
  // The next transaction faults: sticky flags cleared, SELECT forgotten.
  armed = true;
  await t.throwsAsync(dap.readAp(1, 0xf4), { instanceOf: FlashwrightError });
  await dap.readAp(1, 0xf4);
  t.deepEqual(wire.take(), [
    'R AP 0x4',
    'R CTRL/STAT, W ABORT 0x0000001e',
    'W SELECT 0x010000f0, R AP 0x4',
  ]);
  await dap.writeDp(0x8, 0x000000f0);
  await dap.readAp(0, 0xfc);
  t.deepEqual(wire.take(), ['W SELECT 0x000000f0', 'R AP 0xc']);
  await connection.reconnect();
  await dap.readAp(0, 0xfc);
  t.deepEqual(wire.take().slice(-1), ['W SELECT 0x000000f0, R AP 0xc']);
});

test('AP discovery reads IDRs from APSEL 0 and stops at the first absent AP; BASE for MEM-APs', async (t) => {
  const idrs = [0x24770011, 0x02880000, 0];
  const { wire, connection } = await connect({
    read: (port, register, w) =>
      port === 'ap' && register === 0xc && (w.select & 0xf0) === 0xf0
        ? (idrs[w.select >>> 24] ?? 0x24770011)
        : undefined,
  });
  wire.take();
  const aps = await connection.aps();
  t.deepEqual(wire.take(), [
    'W SELECT 0x000000f0, R AP 0xc',
    'R AP 0x8',
    'W SELECT 0x010000f0, R AP 0xc',
    'W SELECT 0x020000f0, R AP 0xc',
  ]);
  t.is(aps.length, 2);
  t.like(aps[0], {
    apsel: 0,
    idr: 0x24770011,
    class: 'mem-ap',
    bus: 'ahb3',
    name: 'AHB-AP',
    base: 0xe00ff003,
    romTable: 0xe00ff000,
  });
  t.like(aps[1], {
    apsel: 1,
    idr: 0x02880000,
    class: 'vendor',
    name: 'Nordic CTRL-AP',
    base: undefined,
    romTable: undefined,
  });
  t.is(await connection.aps(), aps, 'scanned once');
  const error = await t.throwsAsync<FlashwrightError>(connection.memory(1));
  t.is(error.code, 'TARGET_UNKNOWN_DEVICE');
  t.regex(error.message, /Nordic CTRL-AP, not a MEM-AP/);
});

test('MEM-AP open: IDR, then CSW read, written with 8-bit packed and read back', async (t) => {
  const { wire, connection } = await connect();
  wire.take();
  const memory = await connection.memory(0);
  t.deepEqual(wire.take(), [
    'W SELECT 0x000000f0, R AP 0xc',
    'W SELECT 0x00000000, R AP 0x0, W AP 0x0 0x00000020, R AP 0x0',
  ]);
  t.deepEqual(memory.capabilities, { resetCsw: 0x03000042, narrowAccess: true, packed: true });
  t.is(await connection.memory(0), memory);
  t.deepEqual(memory.limits, { maxTransferBytes: 56, alignBytes: 4, transferStartUs: 1000 });
});

test('CSW keeps the AP reset value’s Prot bits, adds DbgSwEnable, and is written only when it changes', async (t) => {
  const { wire, memory } = await withMemory();
  await memory.read32(0x20000000);
  await memory.read32(0x20000004);
  await memory.write32(0x20000008, 0x11223344);
  t.deepEqual(wire.take(), [
    'W AP 0x0 0x83000012, W AP 0x4 0x20000000, R AP 0xc',
    'W AP 0x4 0x20000004, R AP 0xc',
    'W AP 0x4 0x20000008, W AP 0xc 0x11223344',
  ]);
});

test('TAR is written again at every 1 KB boundary; longer runs go as block calls', async (t) => {
  const { wire, memory } = await withMemory();
  await memory.read(0x200003f8, 16);
  t.deepEqual(wire.take(), [
    'W AP 0x0 0x83000012, W AP 0x4 0x200003f8, R AP 0xc, R AP 0xc',
    'W AP 0x4 0x20000400, R AP 0xc, R AP 0xc',
  ]);
  await memory.read(0x20000000, 400);
  t.deepEqual(wire.take(), [
    `W AP 0x4 0x20000000, ${Array<string>(11).fill('R AP 0xc').join(', ')}`,
    ...Array<string>(6).fill('readBlock AP 0xc x14'),
    'readBlock AP 0xc x5',
  ]);
});

test('8- and 16-bit accesses go packed over the aligned middle, single with byte lanes at the edges', async (t) => {
  const { wire, memory } = await withMemory();
  await memory.write(
    0x20000001,
    Uint8Array.of(0xa1, 0xa2, 0xa3, 0xb0, 0xb1, 0xb2, 0xb3, 0xc0, 0xc1, 0xc2),
    { width: 8 },
  );
  t.deepEqual(wire.take(), [
    'W AP 0x0 0x83000010, W AP 0x4 0x20000001, W AP 0xc 0x0000a100, W AP 0xc 0x00a20000, W AP 0xc 0xa3000000',
    'W AP 0x0 0x83000020, W AP 0x4 0x20000004, W AP 0xc 0xb3b2b1b0',
    'W AP 0x0 0x83000010, W AP 0x4 0x20000008, W AP 0xc 0x000000c0, W AP 0xc 0x0000c100, W AP 0xc 0x00c20000',
  ]);
  await memory.write(0x20000002, Uint8Array.of(1, 2, 3, 4, 5, 6), { width: 16 });
  t.deepEqual(wire.take(), [
    'W AP 0x0 0x83000011, W AP 0x4 0x20000002, W AP 0xc 0x02010000',
    'W AP 0x0 0x83000021, W AP 0x4 0x20000004, W AP 0xc 0x06050403',
  ]);
  // Unaligned without a forced width: 8-bit edges, 32-bit middle.
  await memory.write(0x20000003, Uint8Array.of(9, 8, 7, 6, 5));
  t.deepEqual(wire.take(), [
    'W AP 0x0 0x83000010, W AP 0x4 0x20000003, W AP 0xc 0x09000000',
    'W AP 0x0 0x83000012, W AP 0x4 0x20000004, W AP 0xc 0x05060708',
  ]);
});

test('an AP that does not keep AddrInc = packed gets single 16-bit accesses', async (t) => {
  const { wire, memory } = await withMemory({
    read: (port, register, w) =>
      port === 'ap' && register === 0 && (w.select & 0xf0) === 0
        ? (w.csw & ~0x30) | 0x10 | 0x40
        : undefined,
  });
  t.false(memory.capabilities.packed);
  await memory.write(0x20000000, Uint8Array.of(1, 2, 3, 4), { width: 16 });
  t.deepEqual(wire.take(), [
    'W AP 0x0 0x83000011, W AP 0x4 0x20000000, W AP 0xc 0x00000201, W AP 0xc 0x04030000',
  ]);
  const read = await memory.read(0x20000000, 4, { width: 16 });
  t.is(read.length, 4);
});

test('FAULT: CTRL/STAT read and sticky flags cleared, TARGET_FAULT names the address; caches forgotten', async (t) => {
  const { wire, memory } = await withMemory({
    fail: (call, transfers) => (transfers.length === 6 ? { at: 4, ack: 'fault' } : undefined),
  });
  const error = await t.throwsAsync<FlashwrightError>(memory.read(0x20000000, 16));
  t.is(error.code, 'TARGET_FAULT');
  t.regex(error.message, /faulted at 0x20000008/);
  t.is(error.details?.['faultAddress'], 0x20000008);
  t.is(error.details?.['ctrlStat'], 0xf0000000);
  await memory.read32(0x20000000);
  t.deepEqual(wire.take(), [
    'W AP 0x0 0x83000012, W AP 0x4 0x20000000, R AP 0xc, R AP 0xc, R AP 0xc, R AP 0xc',
    'R CTRL/STAT, W ABORT 0x0000001e',
    'W SELECT 0x00000000, W AP 0x0 0x83000012, W AP 0x4 0x20000000, R AP 0xc',
  ]);
});

test('WAIT the wire did not clear: the read goes on from the access that got it, no DAPABORT', async (t) => {
  let failed = false;
  const { wire, memory } = await withMemory({
    fail: (_call, transfers) => {
      if (failed || transfers.length !== 5) return undefined;
      failed = true;
      return { at: 3, ack: 'wait' };
    },
  });
  await memory.read(0x20000000, 12);
  t.deepEqual(wire.take(), [
    'W AP 0x0 0x83000012, W AP 0x4 0x20000000, R AP 0xc, R AP 0xc, R AP 0xc',
    'W SELECT 0x00000000, W AP 0x0 0x83000012, W AP 0x4 0x20000004, R AP 0xc, R AP 0xc',
  ]);
});

test('a WAIT that outlives the back-offs: DAPABORT, then TARGET_NO_RESPONSE', async (t) => {
  let armed = false;
  const { wire, memory } = await withMemory({
    fail: (_call, transfers) => (armed ? { at: transfers.length - 1, ack: 'wait' } : undefined),
  });
  armed = true;
  const error = await t.throwsAsync<FlashwrightError>(memory.read32(0x20000000));
  t.is(error?.code, 'TARGET_NO_RESPONSE');
  t.regex(error?.message ?? '', /kept answering WAIT/);
  const setup = 'W SELECT 0x00000000, W AP 0x0 0x83000012, W AP 0x4 0x20000000, R AP 0xc';
  t.deepEqual(wire.take(), [
    'W AP 0x0 0x83000012, W AP 0x4 0x20000000, R AP 0xc',
    setup,
    setup,
    'W ABORT 0x00000001',
  ]);
  armed = false;
  t.is(await memory.read32(0x20000000), 0);
});

test('register access after WAIT: sent again after a back-off; DAPABORT when the back-offs run out', async (t) => {
  let waits = 0;
  const { wire, connection } = await connect({
    fail: (_call, transfers) =>
      waits > 0 ? (waits--, { at: transfers.length - 1, ack: 'wait' }) : undefined,
  });
  wire.take();
  waits = 1;
  t.is(await connection.dap.readAp(0, 0xfc), 0x24770011);
  t.deepEqual(wire.take(), ['W SELECT 0x000000f0, R AP 0xc', 'W SELECT 0x000000f0, R AP 0xc']);
  waits = 3;
  await t.throwsAsync(connection.dap.readAp(0, 0xfc), { message: /kept answering WAIT/ });
  t.deepEqual(wire.take().slice(-1), ['W ABORT 0x00000001']);
});

const dataWords = [1, 2, 3, 4, 5, 6, 7, 8];
const drwWrites = (values: number[]): string =>
  values.map((v) => `W AP 0xc 0x${v.toString(16).padStart(8, '0')}`).join(', ');

test('a write WAIT cut short goes on from the access that got it, sending no byte twice', async (t) => {
  let failed = false;
  const { wire, memory } = await withMemory({
    fail: (_call, transfers) => {
      if (failed || transfers.length !== 10) return undefined;
      failed = true;
      return { at: 6, ack: 'wait' };
    },
  });
  await memory.write(0x20000000, words(...dataWords));
  t.deepEqual(wire.take(), [
    `W AP 0x0 0x83000012, W AP 0x4 0x20000000, ${drwWrites(dataWords)}`,
    `W SELECT 0x00000000, W AP 0x0 0x83000012, W AP 0x4 0x20000010, ${drwWrites([5, 6, 7, 8])}`,
  ]);
});

test('a write WAIT that outlives the back-offs: DAPABORT, and a PartialWrite with the last acknowledged write uncertain', async (t) => {
  let calls = 0;
  const { wire, memory } = await withMemory({
    fail: (_call, transfers) => {
      if (!transfers.some((x) => x.port === 'ap' && x.register === 0xc && x.value !== undefined))
        return undefined;
      calls++;
      // First: four words acknowledged; then every attempt stalls at its first word.
      return calls === 1 ? { at: 6, ack: 'wait' } : { at: 3, ack: 'wait' };
    },
  });
  const error = await t.throwsAsync<FlashwrightError>(
    memory.write(0x20000000, words(...dataWords)),
  );
  t.is(error?.code, 'TARGET_NO_RESPONSE');
  t.deepEqual(partialWriteOf(error, 0x20000000, 32), {
    address: 0x20000000,
    lengthBytes: 32,
    writtenBytes: 12,
    uncertainBytes: 4,
  });
  t.deepEqual(wire.take().slice(-1), ['W ABORT 0x00000001']);
});

test('calls in flight: up to callsInFlight for reads and idempotent writes, one for other writes', async (t) => {
  const { wire, memory } = await withMemory({ limits: { callsInFlight: 3 }, deferred: true });
  await memory.write(0x20000000, new Uint8Array(400), { idempotent: true });
  t.is(wire.maxInFlight, 3);
  await memory.read(0x20000000, 400);
  t.is(wire.maxInFlight, 3);
  wire.maxInFlight = 0;
  await memory.write(0x20000000, new Uint8Array(400));
  t.is(wire.maxInFlight, 1);
});

test('an idempotent write cut short while later calls were in flight goes on from the failed access', async (t) => {
  let failed = false;
  const { wire, memory } = await withMemory({
    limits: { callsInFlight: 3 },
    deferred: true,
    fail: (_call, transfers) => {
      if (failed || transfers.length !== 14) return undefined;
      failed = true;
      return { at: 2, ack: 'wait' };
    },
  });
  // Call 1: CSW, TAR, 10 words; then blocks of 14. The second call gets WAIT at its third
  // word while the third and fourth, in flight, complete at whatever TAR held; the write
  // goes on from word 12, so their bytes are written again where they belong.
  await memory.write(0x20000000, new Uint8Array(200), { idempotent: true });
  const log = wire.take();
  t.is(log.length, 8);
  t.regex(log[4] ?? '', /^W SELECT 0x00000000, W AP 0x0 0x83000012, W AP 0x4 0x20000030, /);
});

test('an error thrown from onProgress stops the transfer after the calls in flight, unchanged', async (t) => {
  const { wire, memory } = await withMemory({ limits: { callsInFlight: 2 }, deferred: true });
  const stop = new Error('stop here');
  const heard: number[] = [];
  const error = await t.throwsAsync(
    memory.read(0x20000000, 400, {
      onProgress: (done) => {
        heard.push(done);
        if (heard.length === 2) throw stop;
      },
    }),
  );
  t.is(error, stop);
  // Reported before calls 2 and 3 were issued: 40 bytes (call 1), then 96 (call 2); thrown
  // there, so call 3 never went out, and call 2, in flight, was waited for.
  t.deepEqual(heard, [40, 96]);
  t.is(wire.take().length, 2);
  t.is(wire.inFlight, 0);
});

test('an AP whose CSW keeps no 8-bit size takes whole words only, and says so', async (t) => {
  const { memory } = await withMemory({
    read: (port, register, w) =>
      port === 'ap' && register === 0 && (w.select & 0xf0) === 0
        ? (w.csw & ~0x7) | 0x2 | 0x40
        : undefined,
  });
  t.like(memory.capabilities, { narrowAccess: false, packed: false });
  const error = await t.throwsAsync<FlashwrightError>(memory.write(0x20000001, new Uint8Array(3)));
  t.is(error?.code, 'TARGET_FAULT');
  t.regex(error?.message ?? '', /32-bit accesses only/);
  await t.throwsAsync(memory.read(0x20000000, 4, { width: 16 }), { message: /16 bits at a time/ });
  t.is((await memory.read(0x20000000, 8)).length, 8);
});

test('a call the wire rejects (USB) ends the transfer with that error once the calls in flight are back', async (t) => {
  let armed = false;
  const usb = new Error('USB transfer failed');
  const { wire, memory } = await withMemory({
    limits: { callsInFlight: 3 },
    deferred: true,
    fail: (call) => {
      if (armed && call === 8) throw usb;
      return undefined;
    },
  });
  armed = true;
  const error = await t.throwsAsync(memory.read(0x20000000, 400));
  t.is(error, usb);
  t.is(wire.inFlight, 0);
  wire.take();
  armed = false;
  await memory.read32(0x20000000);
  t.deepEqual(wire.take(), [
    'W SELECT 0x00000000, W AP 0x0 0x83000012, W AP 0x4 0x20000000, R AP 0xc',
  ]);
});

test('register accesses validate APSEL and addresses', async (t) => {
  const { connection } = await connect();
  await t.throwsAsync(connection.dap.readAp(256, 0xfc), { message: /APSEL/ });
  await t.throwsAsync(connection.dap.readDp(0x3), { message: /register/ });
});
