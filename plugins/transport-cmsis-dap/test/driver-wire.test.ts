/**
 * The driver and SwdWire over the virtual CMSIS-DAP v1 (DAPLink HID) and v2 (MCU-Link
 * bulk) probes: DAP_Info as real firmware reports it, SWD through DAP_Transfer and
 * DAP_TransferBlock, pipelining within the packet count, WAIT, FAULT and no-ACK.
 */
import test from 'ava';
import { SRAM_BASE } from '@flashwright/sim';
import {
  CSW_WORD_INC,
  POWER_UP,
  SWITCH_BITS,
  SWITCH_TO_SWD,
  pattern,
  wireRig,
  type WireRig,
} from './helpers/virtual.js';

async function attach(r: WireRig): Promise<number> {
  await r.wire.swjSequence(SWITCH_BITS, SWITCH_TO_SWD);
  const id = await r.wire.transfer([{ port: 'dp', register: 0x0 }]);
  await r.wire.transfer([
    { port: 'dp', register: 0x0, value: 0x1e },
    { port: 'dp', register: 0x8, value: 0 },
    { port: 'dp', register: 0x4, value: POWER_UP },
  ]);
  return id.reads[0] ?? 0;
}

for (const probe of ['cmsis-dap-v1', 'cmsis-dap-v2'] as const) {
  test(`${probe}: DAP_Info reports the firmware's packet size and count, serial and versions`, async (t) => {
    const r = await wireRig({ probe });
    try {
      const v1 = probe === 'cmsis-dap-v1';
      t.is(r.info.packetBytes, v1 ? 64 : 512);
      t.is(r.info.packetCount, v1 ? 1 : 8);
      t.is(r.info.protocolVersion, '2.1.0');
      t.true(r.info.capabilities.swd);
      t.is(r.info.serial, r.session.device.serialNumber);
      t.is(r.channel.version, v1 ? 'v1' : 'v2');
      t.deepEqual(r.wire.limits, {
        maxTransfers: v1 ? 12 : 101,
        maxBlockWords: v1 ? 14 : 126,
        callsInFlight: v1 ? 1 : 8,
      });
    } finally {
      await r.close();
    }
  });

  test(`${probe}: line reset, DPIDR, power-up, and a RAM round trip through DAP_TransferBlock`, async (t) => {
    const r = await wireRig({ probe });
    try {
      t.is(await attach(r), r.session.board.dp.dpidr);
      const words = pattern(r.wire.limits.maxBlockWords * 3);
      await r.wire.transfer([
        { port: 'ap', register: 0x0, value: CSW_WORD_INC },
        { port: 'ap', register: 0x4, value: SRAM_BASE },
      ]);
      const max = r.wire.limits.maxBlockWords;
      const writes = [];
      for (let i = 0; i < words.length; i += max) {
        writes.push(r.wire.writeBlock('ap', 0xc, words.subarray(i, i + max)));
      }
      for (const w of await Promise.all(writes)) t.is(w.ack, 'ok');
      await r.wire.transfer([{ port: 'ap', register: 0x4, value: SRAM_BASE }]);
      const reads = [];
      for (let i = 0; i < words.length; i += max) reads.push(r.wire.readBlock('ap', 0xc, max));
      const back = (await Promise.all(reads)).flatMap((x) => x.reads);
      t.deepEqual(back, Array.from(words));
      t.is(r.session.board.bus.read(SRAM_BASE + 4, 4), words[1] ?? -1);
    } finally {
      await r.close();
    }
  });

  test(`${probe}: posted AP reads come back resolved, in order, mixed with DP reads`, async (t) => {
    const r = await wireRig({ probe });
    try {
      await attach(r);
      r.session.board.bus.write(SRAM_BASE, 4, 0xcafef00d);
      r.session.board.bus.write(SRAM_BASE + 4, 4, 0x12345678);
      const result = await r.wire.transfer([
        { port: 'ap', register: 0x0, value: CSW_WORD_INC },
        { port: 'ap', register: 0x4, value: SRAM_BASE },
        { port: 'ap', register: 0xc },
        { port: 'ap', register: 0xc },
        { port: 'dp', register: 0x0 },
      ]);
      t.is(result.ack, 'ok');
      t.is(result.completed, 5);
      t.deepEqual(result.reads, [0xcafef00d, 0x12345678, r.session.board.dp.dpidr]);
    } finally {
      await r.close();
    }
  });
}

test('v2: overlapping calls keep at most the packet count in flight and complete in order', async (t) => {
  const r = await wireRig({ probe: 'cmsis-dap-v2' });
  try {
    await attach(r);
    const calls = Array.from({ length: 20 }, () =>
      r.wire.transfer([{ port: 'dp', register: 0x0 }]),
    );
    const results = await Promise.all(calls);
    t.true(results.every((x) => x.reads[0] === r.session.board.dp.dpidr));
    t.is(r.driver.peakInFlight, 8);
    t.true(r.session.device.peakUnanswered <= 8);
  } finally {
    await r.close();
  }
});

test('v1: one packet at a time, as DAPLink buffers one', async (t) => {
  const r = await wireRig({ probe: 'cmsis-dap-v1' });
  try {
    await attach(r);
    await Promise.all(
      Array.from({ length: 5 }, () => r.wire.transfer([{ port: 'dp', register: 0x0 }])),
    );
    t.is(r.driver.peakInFlight, 1);
    t.is(r.session.device.peakUnanswered, 1);
  } finally {
    await r.close();
  }
});

test('WAIT within the retry count is retried by the probe; beyond it the batch ends with wait', async (t) => {
  const r = await wireRig({
    faults: [
      { kind: 'swd-wait', atAccess: 1, count: 5 },
      { kind: 'swd-wait', atAccess: 10, count: 500 },
    ],
  });
  try {
    await attach(r);
    const first = await r.wire.transfer([
      { port: 'ap', register: 0x0, value: CSW_WORD_INC },
      { port: 'dp', register: 0x0 },
    ]);
    t.is(first.ack, 'ok', '5 WAITs are within the 80 retries');
    const start = r.session.stats().apAccesses;
    const second = await r.wire.transfer(
      Array.from({ length: 12 }, () => ({ port: 'ap' as const, register: 0x4, value: SRAM_BASE })),
    );
    t.is(second.ack, 'wait');
    t.true(second.completed < 12);
    // The probe tried once plus 80 retries on the transaction that kept WAITing.
    t.true(r.session.stats().apAccesses - start >= 81);
  } finally {
    await r.close();
  }
});

test('a bus fault ends a block with FAULT and the words before it', async (t) => {
  const r = await wireRig({ faults: [{ kind: 'bus-fault', address: SRAM_BASE + 8 }] });
  try {
    await attach(r);
    await r.wire.transfer([
      { port: 'ap', register: 0x0, value: CSW_WORD_INC },
      { port: 'ap', register: 0x4, value: SRAM_BASE },
    ]);
    const read = await r.wire.readBlock('ap', 0xc, 6);
    t.is(read.ack, 'fault');
    t.is(read.completed, 1, 'the third read faults, so the posted second never arrives');
    const write = await r.wire.transfer([{ port: 'ap', register: 0x0, value: 0x1e }]);
    t.is(write.ack, 'fault', 'sticky error: AP accesses fault until ABORT');
    const cleared = await r.wire.transfer([
      { port: 'dp', register: 0x0, value: 0x04 },
      { port: 'dp', register: 0x4 },
    ]);
    t.is(cleared.ack, 'ok');
    t.is((cleared.reads[0] ?? 0) & 0x20, 0, 'STICKYERR cleared');
  } finally {
    await r.close();
  }
});

test('before the line reset the target does not answer: no-ack', async (t) => {
  const r = await wireRig();
  try {
    r.session.board.dp.lineReset();
    const result = await r.wire.transfer([{ port: 'dp', register: 0x4 }]);
    t.is(result.ack, 'no-ack');
    t.is(result.completed, 0);
  } finally {
    await r.close();
  }
});
