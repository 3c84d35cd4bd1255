/** MemoryPort over the virtual ST-Links: sizes, widths, alignment, firmware gates, faults. */
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { RamRegion, SRAM_BASE } from '@flashwright/sim';
import { connected, pattern } from './helpers/virtual.js';

const RAM = SRAM_BASE;

test('6 KB round trips on V2, V2-1 and V3, crossing 1 KB TAR boundaries intact', async (t) => {
  for (const probe of ['stlink-v2', 'stlink-v2-1', 'stlink-v3'] as const) {
    const r = await connected({ probe });
    const data = pattern(6144 + 100, 7);
    await r.probe.memory.write(RAM + 0x10, data);
    const back = await r.probe.memory.read(RAM + 0x10, data.length);
    t.deepEqual(back, data, probe);
    // The board holds the bytes where they belong (no 1 KB wrap).
    t.is(r.session.board.bus.read(RAM + 0x10 + 5000, 1), data[5000] ?? -1);
    await r.close();
  }
});

test('unaligned edges go as 8-bit and land on the right bytes', async (t) => {
  const r = await connected();
  t.teardown(() => r.close());
  await r.probe.memory.write(RAM, new Uint8Array(32).fill(0xee));
  await r.probe.memory.write(RAM + 3, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  t.deepEqual(
    Array.from(await r.probe.memory.read(RAM, 16)),
    [0xee, 0xee, 0xee, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xee, 0xee, 0xee],
  );
  t.deepEqual(Array.from(await r.probe.memory.read(RAM + 5, 1)), [3], '1-byte read quirk');
  t.deepEqual(Array.from(await r.probe.memory.read(RAM + 6, 3)), [4, 5, 6]);
});

test('forced widths: 8, 16 and 32-bit accesses reach the bus at that width', async (t) => {
  const r = await connected();
  t.teardown(() => r.close());
  // A spy region on the simulated bus records the size of every access.
  const ram = new RamRegion('spy', 0x6000_0000, 0x1000);
  const sizes: number[] = [];
  r.session.board.bus.map({
    name: 'spy',
    start: ram.start,
    end: ram.end,
    read: (address, size) => (sizes.push(size), ram.read(address, size)),
    write: (address, size, value) => (sizes.push(size), ram.write(address, size, value)),
  });
  const data = pattern(200, 3);
  for (const width of [8, 16, 32] as const) {
    sizes.length = 0;
    await r.probe.memory.write(ram.start + 0x100, data, { width });
    t.deepEqual(await r.probe.memory.read(ram.start + 0x100, 200, { width }), data, `${width}-bit`);
    t.true(
      sizes.length > 0 && sizes.every((size) => size === width / 8),
      `${width}-bit on the bus`,
    );
  }
  sizes.length = 0;
  await r.probe.memory.write(ram.start + 1, pattern(9));
  t.deepEqual(sizes, [1, 1, 1, 4, 1, 1], 'default: 8-bit edges, 32-bit middle');
  const refused = await t.throwsAsync(r.probe.memory.read(RAM + 1, 4, { width: 16 }), {
    instanceOf: FlashwrightError,
  });
  t.is(refused?.code, 'INTERNAL');
});

test('16-bit needs V2J26: a forced 16-bit access on V2J25 is PROBE_FIRMWARE_TOO_OLD naming V2J26', async (t) => {
  const r = await connected({ firmware: 'V2J25S7' });
  t.teardown(() => r.close());
  const error = await t.throwsAsync(r.probe.memory.write(RAM, new Uint8Array(4), { width: 16 }), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'PROBE_FIRMWARE_TOO_OLD');
  t.is(error?.exitCode, 4);
  t.regex(error?.message ?? '', /V2J26/);
  t.regex(error?.message ?? '', /V2J25S7/);
  // 8 and 32-bit still work on that firmware.
  await r.probe.memory.write(RAM, Uint8Array.from([1, 2, 3, 4, 5]));
  t.deepEqual(Array.from(await r.probe.memory.read(RAM, 5)), [1, 2, 3, 4, 5]);
});

test('firmware before J15 checks transfers with GETLASTRWSTATUS and still reports faults', async (t) => {
  const r = await connected({ firmware: 'V2J14S0' });
  t.teardown(() => r.close());
  const data = pattern(300);
  await r.probe.memory.write(RAM, data);
  t.deepEqual(await r.probe.memory.read(RAM, 300), data);
  const error = await t.throwsAsync(r.probe.memory.read(0x3000_0000, 16), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'TARGET_FAULT');
});

test('V3J6+ writes 8-bit in 512-byte commands; V2 in 64', async (t) => {
  const v3 = await connected({ probe: 'stlink-v3' });
  t.teardown(() => v3.close());
  const before = v3.session.stats().usbTransfers;
  await v3.probe.memory.write(RAM, pattern(1024), { width: 8 });
  // 2 commands x (block + data + status OUT + status IN) = 8 transfers.
  t.is(v3.session.stats().usbTransfers - before, 8);
  const v2 = await connected({ probe: 'stlink-v2' });
  t.teardown(() => v2.close());
  const start = v2.session.stats().usbTransfers;
  await v2.probe.memory.write(RAM, pattern(1024), { width: 8 });
  t.is(v2.session.stats().usbTransfers - start, 16 * 4);
});

test('one status query per transfer, and 6144-byte 32-bit commands', async (t) => {
  const r = await connected({ device: 'STM32F411RE' });
  t.teardown(() => r.close());
  const before = r.session.stats().usbTransfers;
  await r.probe.memory.write(RAM, pattern(65536));
  // 11 commands (10 x 6144 + 2096), each: block, data, status block, status reply.
  t.is(r.session.stats().usbTransfers - before, 44);
  const mid = r.session.stats().usbTransfers;
  await r.probe.memory.read(RAM, 65536);
  t.is(r.session.stats().usbTransfers - mid, 44);
});

test('read32/write32 on AP 0 are single debug-register commands', async (t) => {
  const r = await connected();
  t.teardown(() => r.close());
  const before = r.session.stats().usbTransfers;
  await r.probe.memory.write32(RAM + 8, 0xdeadbeef);
  t.is(await r.probe.memory.read32(RAM + 8), 0xdeadbeef);
  t.is(r.session.stats().usbTransfers - before, 4);
  t.is(await r.probe.memory.read32(0xe000ed00), 0x411fc231, 'CPUID of the F103');
});

test('an unmapped address is TARGET_FAULT with the fault address; the link recovers', async (t) => {
  const r = await connected();
  t.teardown(() => r.close());
  const error = await t.throwsAsync(r.probe.memory.read(0x3000_0000, 64), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'TARGET_FAULT');
  t.is(error?.exitCode, 5);
  t.regex(error?.message ?? '', /0x30000000/);
  t.truthy(error?.hint);
  // Sticky errors were cleared: the next access works.
  await r.probe.memory.write32(RAM, 0x12345678);
  t.is(await r.probe.memory.read32(RAM), 0x12345678);
  const single = await t.throwsAsync(r.probe.memory.read32(0x3000_0000), {
    instanceOf: FlashwrightError,
  });
  t.is(single?.code, 'TARGET_FAULT');
  t.is(single?.details?.['faultAddress'], 0x30000000);
});

test('an injected bus fault in the middle of a block reports the faulting address', async (t) => {
  const r = await connected({ faults: [{ kind: 'bus-fault', address: RAM + 0x404 }] });
  t.teardown(() => r.close());
  const error = await t.throwsAsync(r.probe.memory.read(RAM, 0x800), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'TARGET_FAULT');
  t.is(error?.details?.['faultAddress'], RAM + 0x404);
  t.regex(error?.message ?? '', /faulted at 0x20000404/);
  const write = await t.throwsAsync(r.probe.memory.write(RAM + 0x400, new Uint8Array(16)), {
    instanceOf: FlashwrightError,
  });
  t.is(write?.code, 'TARGET_FAULT');
  // Below the faulting word everything still reads.
  t.is((await r.probe.memory.read(RAM, 0x400)).length, 0x400);
});

test('a short SWD WAIT storm is retried away; a long one is TARGET_NO_RESPONSE, quickly', async (t) => {
  const short = await connected({ faults: [{ kind: 'swd-wait', atAccess: 1, count: 3 }] });
  t.teardown(() => short.close());
  const data = pattern(64);
  await short.probe.memory.write(RAM, data);
  t.deepEqual(await short.probe.memory.read(RAM, 64), data);

  // A storm that outlasts every retry, starting after the connect sequence.
  const long = await connected({ faults: [{ kind: 'swd-wait', atAccess: 200, count: 1_000_000 }] });
  t.teardown(() => long.close());
  const started = Date.now();
  const error = await t.throwsAsync(
    (async () => {
      for (;;) await long.probe.memory.read(RAM, 4096);
    })(),
    { instanceOf: FlashwrightError },
  );
  t.is(error?.code, 'TARGET_NO_RESPONSE');
  t.is(error?.exitCode, 5);
  t.regex(error?.message ?? '', /WAIT/);
  t.true(Date.now() - started < 5000, 'bounded retries');
});

test('the port declares its limits: 6144-byte word transfers, and two USB exchanges per transfer at the bus speed it runs at', async (t) => {
  for (const [probe, startUs] of [
    ['stlink-v2', 2000],
    ['stlink-v2-1', 2000],
    ['stlink-v3', 250],
  ] as const) {
    const r = await connected({ probe });
    t.like(
      r.probe.memory.limits,
      { maxTransferBytes: 6144, alignBytes: 4, transferStartUs: startUs },
      probe,
    );
    await r.close();
  }
});

test('the read estimate (limits.readBytesPerSecond) agrees with the virtual time of a 128 KiB read', async (t) => {
  for (const [probe, speedKhz] of [
    ['stlink-v2', 4000],
    ['stlink-v2', 1800],
    ['stlink-v3', 24000],
  ] as const) {
    const r = await connected({ probe }, speedKhz);
    const rate = r.probe.memory.limits?.readBytesPerSecond ?? 0;
    const bytes = 128 * 1024;
    const before = r.session.stats().virtualMs;
    await r.probe.memory.read(0x20000000, Math.min(bytes, 16 * 1024));
    await r.probe.memory.read(0x08000000, bytes);
    const spentMs = r.session.stats().virtualMs - before;
    const estimateMs = ((bytes + 16 * 1024) * 1000) / rate;
    t.true(
      Math.abs(spentMs / estimateMs - 1) < 0.05,
      `${probe} at ${speedKhz} kHz: ${spentMs.toFixed(1)} ms spent, ${estimateMs.toFixed(1)} ms estimated`,
    );
    await r.close();
  }
});

test('onProgress hears each command of a split write and read, and ends at the length', async (t) => {
  const r = await connected();
  t.teardown(() => r.close());
  const data = pattern(6144 * 2 + 10, 5);
  const written: number[] = [];
  await r.probe.memory.write(RAM + 2, data, { onProgress: (n) => written.push(n) });
  // 2 bytes 8-bit up to the first aligned word, then 32-bit commands of 6144, 6144 and 8.
  t.deepEqual(written, [2, 6146, 12290, 12298]);
  t.is(written.at(-1), data.length);
  const read: number[] = [];
  t.deepEqual(
    await r.probe.memory.read(RAM + 2, data.length, { onProgress: (n) => read.push(n) }),
    data,
  );
  t.is(read.at(-1), data.length);
  t.true(
    read.every((n, i) => i === 0 || n > read[i - 1]!),
    'growing',
  );
});

test('an error thrown by onProgress ends the write after that command, nothing more is sent', async (t) => {
  const r = await connected();
  t.teardown(() => r.close());
  await r.probe.memory.write(RAM, new Uint8Array(6144 * 2).fill(0xaa));
  const stop = new Error('stop here');
  const error = await t.throwsAsync(
    r.probe.memory.write(RAM, new Uint8Array(6144 * 2).fill(0x55), {
      width: 32,
      onProgress: () => {
        throw stop;
      },
    }),
  );
  t.is(error, stop);
  const back = await r.probe.memory.read(RAM, 6144 * 2);
  t.true(
    back.subarray(0, 6144).every((b) => b === 0x55),
    'the first command was done',
  );
  t.true(
    back.subarray(6144).every((b) => b === 0xaa),
    'the second was never sent',
  );
});
