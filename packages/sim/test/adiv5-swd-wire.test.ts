/**
 * Core's ADIv5 layer (@flashwright/core/adiv5) over the ideal raw-DAP wire on a simulated
 * STM32: connect, AP discovery, the ROM table, memory through the MEM-AP, CortexM, the stm32
 * family's identification, and injected faults.
 */
import test from 'ava';
import { connectSwd, type SwdConnection } from '@flashwright/core/adiv5';
import { CortexM, Scs, CoreRegister } from '@flashwright/core/arm';
import { FlashwrightError } from '@flashwright/core';
import { partialWriteOf } from '@flashwright/core/plugin';
import { MemAp } from '../src/adiv5/mem-ap.js';
import { SimBoard } from '../src/board.js';
import { FaultPlan, type FaultSpec } from '../src/faults.js';
import { simSwdWire, type SimSwdWireOptions } from '../src/adiv5/swd-wire.js';
import { createStm32Chip } from '../src/stm32/index.js';

const SRAM = 0x20000000;

function board(faults: FaultSpec[] = [], device = 'STM32F411RE'): SimBoard {
  return new SimBoard({ chip: createStm32Chip({ device }), faults: new FaultPlan(faults) });
}

async function connected(
  b: SimBoard,
  options: SimSwdWireOptions = {},
): Promise<{ connection: SwdConnection; wire: ReturnType<typeof simSwdWire> }> {
  const wire = simSwdWire(b, options);
  const connection = await connectSwd(wire, { waitRetry: { retries: 3, firstDelayMs: 0 } });
  return { connection, wire };
}

function pattern(length: number, seed = 7): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

test('connects to a simulated STM32F411: DPIDR, power-up, AP 0 an AHB-AP with a ROM table', async (t) => {
  const b = board();
  const { connection } = await connected(b);
  t.is(connection.dpidr, b.chip.dpidr);
  t.is(connection.dpIdentity.designer, 0x23b);
  t.is((b.dp.ctrlStat & 0xa0000000) >>> 0, 0xa0000000);
  const aps = await connection.aps();
  t.is(aps.length, 1);
  t.like(aps[0], {
    apsel: 0,
    class: 'mem-ap',
    bus: 'ahb3',
    idr: b.chip.apIdr,
    romTable: 0xe00ff000,
  });
  const memory = await connection.memory(0);
  // The ROM table's first entry and its component ID (CoreSight: 0xB105100D).
  const cid = await memory.read(0xe00ffff0, 16);
  t.deepEqual([...cid.filter((_, i) => i % 4 === 0)], [0x0d, 0x10, 0x05, 0xb1]);
  t.true(memory.capabilities.packed && memory.capabilities.narrowAccess);
});

test('64 KB of RAM written and read back, unaligned edges and 8/16-bit accesses', async (t) => {
  const b = board();
  const { connection, wire } = await connected(b);
  const memory = await connection.memory();
  const data = pattern(64 * 1024 + 3);
  const progress: number[] = [];
  await memory.write(SRAM + 1, data, { onProgress: (n) => progress.push(n) });
  t.deepEqual(await memory.read(SRAM + 1, data.length), data);
  t.is(progress.at(-1), data.length);
  t.true(wire.stats.maxInFlight > 1, 'calls overlap');
  const bytes = pattern(70, 3);
  await memory.write(SRAM + 0x10001, bytes, { width: 8 });
  t.deepEqual(await memory.read(SRAM + 0x10001, 70, { width: 8 }), bytes);
  const halves = pattern(2 * 33, 5);
  await memory.write(SRAM + 0x10102, halves, { width: 16 });
  t.deepEqual(await memory.read(SRAM + 0x10102, halves.length, { width: 16 }), halves);
  t.deepEqual(await memory.read(SRAM + 0x10102, halves.length), halves);
});

test('halt, core registers and reset through CortexM over the MEM-AP port', async (t) => {
  const b = board();
  const { connection } = await connected(b);
  const core = new CortexM(await connection.memory());
  t.is((await core.cpuId()).coreName, 'Cortex-M4');
  await core.halt();
  t.true(b.core.halted);
  await core.writeRegister(CoreRegister.R0 + 3, 0x12345678);
  t.is(await core.readRegister(CoreRegister.R0 + 3), 0x12345678);
  await core.resetSystem({ halt: true });
  t.true(b.core.halted);
  t.is(await core.readRegister(CoreRegister.PC), b.core.coreRegister(15));
  await core.resume();
  t.false(await core.isHalted());
  t.is(Scs.DHCSR, 0xe000edf0);
});

test('a bus fault ends in TARGET_FAULT naming the address, and the port works after it', async (t) => {
  const b = board([{ kind: 'bus-fault', address: SRAM + 0x2004 }]);
  const { connection } = await connected(b);
  const memory = await connection.memory();
  const error = await t.throwsAsync(memory.read(SRAM + 0x1000, 0x2000));
  t.true(error instanceof FlashwrightError);
  t.is((error as FlashwrightError).code, 'TARGET_FAULT');
  t.regex(error?.message ?? '', /0x20002004/);
  t.is(b.dp.ctrlStat & 0x20, 0, 'STICKYERR cleared');
  t.deepEqual(await memory.read(SRAM, 8), await memory.read(SRAM, 8));
  await memory.write32(SRAM, 0xcafef00d);
  t.is(await memory.read32(SRAM), 0xcafef00d);
});

test('WAIT: a short storm is ridden out; one past the back-offs ends in a PartialWrite', async (t) => {
  const short = board([{ kind: 'swd-wait', atAccess: 40, count: 2 }]);
  const { connection } = await connected(short);
  const memory = await connection.memory();
  const data = pattern(4096);
  await memory.write(SRAM, data);
  t.deepEqual(await memory.read(SRAM, data.length), data);

  const long = board([{ kind: 'swd-wait', atAccess: 40, count: 4 }]);
  const stalled = await connected(long);
  const port = await stalled.connection.memory();
  const error = await t.throwsAsync<FlashwrightError>(port.write(SRAM, data));
  t.is(error?.code, 'TARGET_NO_RESPONSE');
  const partial = partialWriteOf(error, SRAM, data.length);
  t.truthy(partial);
  t.true((partial?.writtenBytes ?? 0) > 0);
  t.is(partial?.uncertainBytes, 4);
  // The storm is over: the write goes on from where the PartialWrite says.
  const from = partial?.writtenBytes ?? 0;
  await port.write(SRAM + from, data.subarray(from));
  t.deepEqual(await port.read(SRAM, data.length), data);
});

test('SWJ sequences: a line reset needs 50 ones; without one the DP answers nothing but DPIDR', async (t) => {
  const b = board();
  const wire = simSwdWire(b);
  await connectSwd(wire);
  await wire.swjSequence(49, new Uint8Array(7).fill(0xff));
  t.is((await wire.transfer([{ port: 'dp', register: 4 }])).ack, 'ok');
  await wire.swjSequence(50, new Uint8Array(7).fill(0xff));
  t.deepEqual(await wire.transfer([{ port: 'dp', register: 4 }]), {
    completed: 0,
    ack: 'no-ack',
    reads: [],
  });
  t.is((await wire.transfer([{ port: 'dp', register: 0 }])).reads[0], b.chip.dpidr);
});

test('the wire refuses calls past its limits', (t) => {
  const wire = simSwdWire(board(), { limits: { maxTransfers: 4, maxBlockWords: 8 } });
  t.throws(() => void wire.transfer(Array(5).fill({ port: 'dp', register: 0 })), {
    instanceOf: RangeError,
  });
  t.throws(() => void wire.readBlock('ap', 0xc, 9), { instanceOf: RangeError });
});

test('a MEM-AP without packed transfers: the port finds out and uses single 8-bit accesses', async (t) => {
  const b = board();
  const noPacking = new MemAp(b.ap.bus, { ...b.ap.options, packedTransfers: false });
  (b.dp.aps as MemAp[])[0] = noPacking;
  const { connection } = await connected(b);
  const memory = await connection.memory();
  t.false(memory.capabilities.packed);
  const bytes = pattern(37, 11);
  await memory.write(SRAM + 3, bytes, { width: 8 });
  t.deepEqual(await memory.read(SRAM + 3, bytes.length, { width: 8 }), bytes);
});
