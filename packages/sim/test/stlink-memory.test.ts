import test from 'ava';
import { TEST_CHIP } from './helpers/test-chip.js';
import { block, lastRwStatus, le16, le32, rig } from './helpers/stlink-host.js';

const RAM = TEST_CHIP.RAM_START;

function memCmd(op: number, address: number, length: number, ap = 0): Uint8Array {
  return block(0xf2, op, ...le32(address), ...le16(length), ap);
}

test('V2J37S7: the SWD connect, halt and memory commands of OpenOCD stlink_usb.c', async (t) => {
  const r = await rig({ probe: 'stlink-v2' });
  t.deepEqual(
    [...(await r.command(block(0xf1), { inLength: 6 }))],
    [0x29, 0x47, 0x83, 0x04, 0x48, 0x37],
  );
  t.deepEqual([...(await r.command(block(0xf5), { inLength: 2 }))], [0x00, 0x00]);
  await r.command(block(0xf3, 0x07));
  t.is((await r.command(block(0xf7), { inLength: 8 })).length, 8);
  t.deepEqual([...(await r.command(block(0xf2, 0x43, 0x01, 0x00), { inLength: 2 }))], [0x80, 0x00]);
  t.is(r.board.swdSpeedKhz, 1800);
  t.deepEqual([...(await r.command(block(0xf2, 0x30, 0xa3), { inLength: 2 }))], [0x80, 0x00]);
  t.deepEqual(
    [...(await r.command(block(0xf2, 0x31), { inLength: 12 }))],
    [0x80, 0, 0, 0, 0x77, 0x14, 0xa0, 0x2b, 0, 0, 0, 0],
  );
  t.deepEqual([...(await r.command(block(0xf2, 0x4b, 0x00), { inLength: 2 }))], [0x80, 0x00]);
  const halt = block(0xf2, 0x35, 0xf0, 0xed, 0x00, 0xe0, 0x03, 0x00, 0x5f, 0xa0);
  t.deepEqual([...(await r.command(halt, { inLength: 2 }))], [0x80, 0x00]);
  const dhcsr = await r.command(block(0xf2, 0x36, 0xf0, 0xed, 0x00, 0xe0), { inLength: 8 });
  t.is(dhcsr[0], 0x80);
  t.truthy(new DataView(dhcsr.buffer).getUint32(4, true) & (1 << 17), 'S_HALT');
  const pc = await r.command(block(0xf2, 0x33, 0x0f), { inLength: 8 });
  t.deepEqual([...pc], [0x80, 0, 0, 0, ...le32(TEST_CHIP.INITIAL_PC & ~1)]);
  r.chip.ram.bytes.set([1, 2, 3, 4, 5], 0);
  const data = await r.command(block(0xf2, 0x07, 0x00, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00), {
    inLength: 256,
  });
  t.deepEqual([...data.subarray(0, 6)], [1, 2, 3, 4, 5, 0]);
  t.deepEqual(await lastRwStatus(r), [0x80, 0]);
  const write = block(0xf2, 0x08, 0x00, 0x00, 0x00, 0x20, 0x08, 0x00, 0x00);
  await r.command(write, { data: Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2) });
  t.deepEqual([...r.chip.ram.bytes.subarray(0, 8)], [9, 8, 7, 6, 5, 4, 3, 2]);
  const ctrlStat = await r.command(block(0xf2, 0x45, 0xff, 0xff, 0x04, 0x00), { inLength: 8 });
  t.is(new DataView(ctrlStat.buffer).getUint32(4, true) >>> 28, 0xf, 'powered up by ENTER');
  const idr = await r.command(block(0xf2, 0x45, 0x00, 0x00, 0xfc, 0x00), { inLength: 8 });
  t.deepEqual([...idr], [0x80, 0, 0, 0, ...le32(0x24770011)]);
  t.deepEqual([...(await r.command(block(0xf2, 0x3c, 0x02), { inLength: 2 }))], [0x80, 0x00]);
  await r.command(block(0xf2, 0x21));
  t.deepEqual([...(await r.command(block(0xf5), { inLength: 2 }))], [0x01, 0x00]);
});

test('8, 16 and 32-bit writes and reads land on the right bytes', async (t) => {
  const r = await rig({ probe: 'stlink-v2-1' });
  await r.enterSwd();
  await r.command(memCmd(0x0d, RAM + 1, 3), { data: Uint8Array.of(0xa1, 0xa2, 0xa3) });
  await r.command(memCmd(0x48, RAM + 6, 4), { data: Uint8Array.of(0xb1, 0xb2, 0xb3, 0xb4) });
  t.deepEqual(
    [...r.chip.ram.bytes.subarray(0, 10)],
    [0, 0xa1, 0xa2, 0xa3, 0, 0, 0xb1, 0xb2, 0xb3, 0xb4],
  );
  t.deepEqual(
    [...(await r.command(memCmd(0x0c, RAM + 1, 3), { inLength: 3 }))],
    [0xa1, 0xa2, 0xa3],
  );
  t.deepEqual(
    [...(await r.command(memCmd(0x47, RAM + 6, 4), { inLength: 4 }))],
    [0xb1, 0xb2, 0xb3, 0xb4],
  );
  t.deepEqual(await lastRwStatus(r), [0x80, 0]);
});

test('a 1-byte 8-bit read answers 2 bytes, data first', async (t) => {
  const r = await rig({ probe: 'stlink-v2-1' });
  await r.enterSwd();
  r.chip.ram.bytes[3] = 0x5a;
  const reply = await r.command(memCmd(0x0c, RAM + 3, 1), { inLength: 64 });
  t.is(reply.length, 2);
  t.is(reply[0], 0x5a);
});

test('size limits: 8-bit 64 bytes on V2, 512 on V3J6+, 64 before; 16/32-bit reads 6144, writes up to 0xFFFC', async (t) => {
  const v2 = await rig({ probe: 'stlink-v2-1' });
  await v2.enterSwd();
  await v2.command(memCmd(0x0c, RAM, 64), { inLength: 64 });
  t.deepEqual(await lastRwStatus(v2), [0x80, 0]);
  await v2.command(memCmd(0x0c, RAM, 65), { inLength: 65 });
  t.is((await lastRwStatus(v2))[0], 0x08);
  // Writes stream: st-flash writes its 16 or 32 KiB loader buffer in one WRITEMEM_32BIT.
  await v2.command(memCmd(0x08, RAM, 7168), { data: new Uint8Array(7168).fill(0x5a) });
  t.is((await lastRwStatus(v2))[0], 0x80);
  t.is(v2.chip.ram.bytes[7167], 0x5a);
  await v2.command(memCmd(0x07, RAM, 6144), { inLength: 6144 });
  t.is((await lastRwStatus(v2))[0], 0x80);
  await v2.command(memCmd(0x07, RAM, 6148), { inLength: 6148 });
  t.is((await lastRwStatus(v2))[0], 0x08);
  const v3 = await rig({ probe: 'stlink-v3', firmware: 'V3J7M3B5S1' });
  await v3.enterSwd();
  await v3.command(memCmd(0x0d, RAM, 512), { data: new Uint8Array(512).fill(7) });
  t.deepEqual(await lastRwStatus(v3), [0x80, 0]);
  t.is(v3.chip.ram.bytes[511], 7);
  await v3.command(memCmd(0x0d, RAM, 513), { data: new Uint8Array(513) });
  t.is((await lastRwStatus(v3))[0], 0x08);
  const oldV3 = await rig({ probe: 'stlink-v3', firmware: 'V3J5M3' });
  await oldV3.enterSwd();
  await oldV3.command(memCmd(0x0c, RAM, 128), { inLength: 128 });
  t.is((await lastRwStatus(oldV3))[0], 0x08);
});

test('unaligned 16/32-bit requests are refused with ALIGNMENT_ERROR and touch nothing', async (t) => {
  const r = await rig({ probe: 'stlink-v2-1' });
  await r.enterSwd();
  await r.command(memCmd(0x08, RAM + 2, 4), { data: Uint8Array.of(1, 2, 3, 4) });
  t.deepEqual(await lastRwStatus(r), [0x0a, RAM + 2]);
  t.deepEqual([...r.chip.ram.bytes.subarray(0, 8)], [0, 0, 0, 0, 0, 0, 0, 0]);
  await r.command(memCmd(0x07, RAM, 6), { inLength: 6 });
  t.is((await lastRwStatus(r))[0], 0x0a);
  await r.command(memCmd(0x48, RAM + 1, 2), { data: Uint8Array.of(1, 2) });
  t.is((await lastRwStatus(r))[0], 0x0a);
});

test('features above the configured firmware answer CMD_ERROR', async (t) => {
  const j25 = await rig({ probe: 'stlink-v2', firmware: 'V2J25S7' });
  await j25.enterSwd();
  await j25.command(memCmd(0x48, RAM, 2), { data: Uint8Array.of(1, 2) });
  t.is((await lastRwStatus(j25))[0], 0x08, 'no 16-bit before J26');
  t.is(j25.chip.ram.bytes[0], 0);
  t.deepEqual(
    [...(await j25.command(block(0xf2, 0x4b, 0x01), { inLength: 2 }))],
    [0x08, 0],
    'no INIT_AP before J28',
  );
  const j14 = await rig({ probe: 'stlink-v2', firmware: 'V2J14S4' });
  await j14.enterSwd();
  t.is(
    (await j14.command(block(0xf2, 0x3e), { inLength: 12 }))[0],
    0x08,
    'no GETLASTRWSTATUS2 before J15',
  );
  t.deepEqual([...(await j14.command(block(0xf2, 0x3b), { inLength: 2 }))], [0x80, 0]);
  const j21 = await rig({ probe: 'stlink-v2', firmware: 'V2J21S4' });
  t.deepEqual(
    [...(await j21.command(block(0xf2, 0x43, 0x00, 0x00), { inLength: 2 }))],
    [0x08, 0],
    'no SWD_SET_FREQ before J22',
  );
  const j31 = await rig({ probe: 'stlink-v2', firmware: 'V2J31S7' });
  await j31.enterSwd();
  t.is(
    (await j31.command(block(0xf2, 0x45, 0xff, 0xff, 0x24, 0x00), { inLength: 8 }))[0],
    0x08,
    'banked DP needs J32',
  );
  t.is(
    (await j31.command(block(0xf2, 0x54, ...le32(RAM), 4, 0), { inLength: 4 }))[0],
    0x08,
    'no read-no-increment before J32',
  );
  const v3 = await rig({ probe: 'stlink-v3' });
  t.deepEqual(
    [...(await v3.command(block(0xf2, 0x43, 0x01, 0x00), { inLength: 2 }))],
    [0x08, 0],
    'V3 has no V2 divisors',
  );
});

test('a bus fault stops the transfer: AP fault status with the faulting address, data up to it', async (t) => {
  const r = await rig({ probe: 'stlink-v2-1', chip: { ramBytes: 1024 } });
  await r.enterSwd();
  r.chip.ram.bytes.fill(0xee, 1016, 1024);
  const end = RAM + 1024;
  const data = await r.command(memCmd(0x07, end - 8, 16), { inLength: 16 });
  t.deepEqual([...data.subarray(0, 8)], [0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee]);
  t.deepEqual(await lastRwStatus(r), [0x11, end]);
  await r.command(memCmd(0x07, RAM, 4), { inLength: 4 });
  t.deepEqual(await lastRwStatus(r), [0x80, 0], 'the firmware cleared the sticky error');
  const debugReg = await r.command(block(0xf2, 0x36, ...le32(0x10000000)), { inLength: 8 });
  t.is(debugReg[0], 0x11);
});

test('unread IN data stays queued; a short read of a longer reply babbles', async (t) => {
  const r = await rig({ probe: 'stlink-v2' });
  await r.command(block(0xf1));
  await r.command(block(0xf5));
  t.is(r.device.queuedInBytes, 8);
  t.deepEqual([...(await r.read(64))], [0x29, 0x47, 0x83, 0x04, 0x48, 0x37]);
  t.deepEqual([...(await r.read(64))], [0x00, 0x00]);
  await r.command(block(0xf1));
  const short = await r.device.transferIn(1, 2, 50);
  t.is(short.status, 'babble');
  t.is(short.data?.byteLength, 2);
  t.is(r.device.queuedInBytes, 0);
});

test('multi-packet replies arrive packet by packet and complete at the requested length', async (t) => {
  const r = await rig({ probe: 'stlink-v2-1' });
  await r.enterSwd();
  await r.command(memCmd(0x07, RAM, 256));
  const first = await r.device.transferIn(1, 128, 50);
  t.is(first.data?.byteLength, 128);
  t.is(r.device.queuedInBytes, 128);
  await r.read(128);
  await t.throwsAsync(r.device.transferIn(1, 64, 20), { message: 'LIBUSB_TRANSFER_TIMED_OUT' });
});

test('NO_ADDR_INC variants repeat the same address', async (t) => {
  const r = await rig({ probe: 'stlink-v3' });
  await r.enterSwd();
  await r.command(memCmd(0x50, RAM + 8, 12), {
    data: Uint8Array.of(1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0),
  });
  t.deepEqual([...r.chip.ram.bytes.subarray(8, 16)], [3, 0, 0, 0, 0, 0, 0, 0]);
  const data = await r.command(memCmd(0x54, RAM + 8, 8), { inLength: 8 });
  t.deepEqual([...data], [3, 0, 0, 0, 3, 0, 0, 0]);
});

test('APs other than 0 need INIT_AP from J28; before J28 the AP byte is ignored', async (t) => {
  const r = await rig({ probe: 'stlink-v2', firmware: 'V2J37S7' });
  await r.enterSwd();
  await r.command(memCmd(0x07, RAM, 4, 1), { inLength: 4 });
  t.is((await lastRwStatus(r))[0], 0x1d);
  t.is((await r.command(block(0xf2, 0x45, 0x01, 0x00, 0xfc, 0x00), { inLength: 8 }))[0], 0x1d);
  await r.command(block(0xf2, 0x4b, 0x01), { inLength: 2 });
  const idr = await r.command(block(0xf2, 0x45, 0x01, 0x00, 0xfc, 0x00), { inLength: 8 });
  t.deepEqual([...idr], [0x80, 0, 0, 0, 0, 0, 0, 0], 'AP 1 is absent: IDR reads 0');
  t.deepEqual([...(await r.command(block(0xf2, 0x4c, 0x01), { inLength: 2 }))], [0x80, 0]);
  t.is((await r.command(block(0xf2, 0x45, 0x01, 0x00, 0xfc, 0x00), { inLength: 8 }))[0], 0x1d);
  const old = await rig({ probe: 'stlink-v2', firmware: 'V2J27S6' });
  await old.enterSwd();
  old.chip.ram.bytes[0] = 0x42;
  t.is((await old.command(memCmd(0x07, RAM, 4, 1), { inLength: 4 }))[0], 0x42);
});

test('RW_MISC batches 32-bit reads and writes with per-item status', async (t) => {
  const r = await rig({ probe: 'stlink-v2', firmware: 'V2J37S7' });
  await r.enterSwd();
  r.chip.ram.bytes.set([0x78, 0x56, 0x34, 0x12], 16);
  const opcodes = [5, 1, 2, 3, 3];
  const params = [0, RAM, 0xcafebabe, RAM + 16, 0x10000000];
  const data = new Uint8Array(8 + 20);
  data.set(opcodes);
  params.forEach((p, i) => data.set(le32(p), 8 + 4 * i));
  await r.command(block(0xf2, 0x51, ...le32(5)), { data });
  const reply = await r.command(block(0xf2, 0x52), { inLength: 40 });
  const view = new DataView(reply.buffer);
  t.is(view.getUint32(12, true), 0x12345678);
  t.deepEqual(
    [0, 1, 2, 3].map((i) => view.getUint32(20 + 4 * i, true)),
    [0x80, 0x80, 0x80, 0x80],
  );
  t.is(view.getUint32(36, true), 0x11, 'faulting read reports AP fault');
  t.deepEqual([...r.chip.ram.bytes.subarray(0, 4)], [0xbe, 0xba, 0xfe, 0xca]);
});

test('JTAG mode: the probe does not rewrite TAR, so a transfer wraps at the AP block; SWD does', async (t) => {
  const r = await rig({ probe: 'stlink-v2-1' });
  r.chip.ram.bytes.set([1, 1, 1, 1], 0);
  r.chip.ram.bytes.set([2, 2, 2, 2], 0x1000);
  r.chip.ram.bytes.set([3, 3, 3, 3], 0xffc);
  await r.command(block(0xf2, 0x30, 0xa4), { inLength: 2 });
  const jtag = await r.command(memCmd(0x07, RAM + 0xffc, 8), { inLength: 8 });
  t.deepEqual([...jtag], [3, 3, 3, 3, 1, 1, 1, 1], 'wrapped inside the 4 KB block');
  await r.command(block(0xf2, 0x21));
  await r.command(block(0xf2, 0x30, 0xa3), { inLength: 2 });
  const swd = await r.command(memCmd(0x07, RAM + 0xffc, 8), { inLength: 8 });
  t.deepEqual([...swd], [3, 3, 3, 3, 2, 2, 2, 2]);
});
