import test from 'ava';
import { TEST_CHIP } from './helpers/test-chip.js';
import { block, lastRwStatus, le16, le32, rig } from './helpers/stlink-host.js';

const HALT = block(0xf2, 0x35, ...le32(0xe000edf0), ...le32(0xa05f0003));
const u32At = (bytes: Uint8Array, offset: number): number =>
  new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset, true);

test('core registers: READREG needs a halted core; WRITEREG and READALLREGS', async (t) => {
  const r = await rig({ probe: 'stlink-v2-1' });
  await r.enterSwd();
  t.is(
    (await r.command(block(0xf2, 0x33, 15), { inLength: 8 }))[0],
    0x81,
    'running core: no S_REGRDY',
  );
  await r.command(HALT, { inLength: 2 });
  t.deepEqual(
    [...(await r.command(block(0xf2, 0x34, 2, ...le32(0xdeadbeef)), { inLength: 2 }))],
    [0x80, 0],
  );
  t.is(u32At(await r.command(block(0xf2, 0x33, 2), { inLength: 8 }), 4), 0xdeadbeef);
  const all = await r.command(block(0xf2, 0x3a), { inLength: 88 });
  t.is(all.length, 88);
  t.is(all[0], 0x80);
  t.is(u32At(all, 4 + 2 * 4), 0xdeadbeef, 'R2');
  t.is(u32At(all, 4 + 15 * 4), TEST_CHIP.INITIAL_PC & ~1, 'R15');
  t.is(u32At(all, 4 + 16 * 4), 0x01000000, 'xPSR');
  t.is(u32At(all, 4 + 17 * 4), TEST_CHIP.INITIAL_SP, 'MSP');
  t.is(
    (await r.command(block(0xf2, 0x33, 0x40), { inLength: 8 }))[0],
    0x80,
    'S0 on an M4F from J15',
  );
  const old = await rig({ probe: 'stlink-v2', firmware: 'V2J14S4' });
  await old.enterSwd();
  await old.command(HALT, { inLength: 2 });
  t.is(
    (await old.command(block(0xf2, 0x33, 0x40), { inLength: 8 }))[0],
    0x08,
    'FPU regsel before J15',
  );
});

test('RESETSYS resets the system; vector catch makes the core halt at the reset vector', async (t) => {
  const r = await rig({ probe: 'stlink-v2-1' });
  await r.enterSwd();
  await r.command(block(0xf2, 0x35, ...le32(0xe000edf0), ...le32(0xa05f0001)), { inLength: 2 });
  await r.command(block(0xf2, 0x35, ...le32(0xe000edfc), ...le32(1)), { inLength: 2 });
  t.deepEqual([...(await r.command(block(0xf2, 0x32), { inLength: 2 }))], [0x80, 0]);
  t.deepEqual(r.chip.resets, ['power', 'system']);
  t.true(r.board.core.halted);
});

test('DRIVE_NRST holds the target in reset; a clone does not reach NRST', async (t) => {
  const r = await rig({ probe: 'stlink-v2-1' });
  await r.enterSwd();
  t.deepEqual([...(await r.command(block(0xf2, 0x3c, 0x00), { inLength: 2 }))], [0x80, 0]);
  t.true(r.board.nrstAsserted);
  await r.command(block(0xf2, 0x07, ...le32(TEST_CHIP.RAM_START), ...le16(4)), { inLength: 4 });
  t.is((await lastRwStatus(r))[0], 0x11, 'system bus faults during reset');
  await r.command(block(0xf2, 0x3c, 0x01), { inLength: 2 });
  t.false(r.board.nrstAsserted);
  t.deepEqual(r.chip.resets, ['power', 'system']);
  t.deepEqual([...(await r.command(block(0xf2, 0x3c, 0x07), { inLength: 2 }))], [0x08, 0]);
  const clone = await rig({ probe: 'stlink-v2', clone: true });
  t.deepEqual([...(await clone.command(block(0xf2, 0x3c, 0x00), { inLength: 2 }))], [0x80, 0]);
  t.false(clone.board.nrstAsserted);
});

test('target voltage follows the configured volts; clones and unpowered boards read zero', async (t) => {
  const volts = (reply: Uint8Array): number => (2 * u32At(reply, 4) * 1.2) / u32At(reply, 0);
  const r = await rig({ probe: 'stlink-v2-1', voltage: 3.3 });
  t.true(Math.abs(volts(await r.command(block(0xf7), { inLength: 8 })) - 3.3) < 0.01);
  const low = await rig({ probe: 'stlink-v3', voltage: 1.8 });
  t.true(Math.abs(volts(await low.command(block(0xf7), { inLength: 8 })) - 1.8) < 0.01);
  const clone = await rig({ probe: 'stlink-v2', clone: true });
  t.deepEqual([...(await clone.command(block(0xf7), { inLength: 8 }))], [0, 0, 0, 0, 0, 0, 0, 0]);
  const old = await rig({ probe: 'stlink-v2', firmware: 'V2J12S4' });
  await old.command(block(0xf7));
  t.is(old.device.queuedInBytes, 0, 'no voltage command before J13');
});

test('V2 SWD divisors set the clock the SWD cost is charged at', async (t) => {
  const r = await rig({ probe: 'stlink-v2-1' });
  await r.command(block(0xf2, 0x43, 0x00, 0x00), { inLength: 2 });
  t.is(r.board.swdSpeedKhz, 4000);
  await r.command(block(0xf2, 0x43, ...le16(798)), { inLength: 2 });
  t.is(r.board.swdSpeedKhz, 5);
  await r.command(block(0xf2, 0x43, ...le16(4)), { inLength: 2 });
  t.is(r.board.swdSpeedKhz, 650, 'a divisor between entries runs at the next slower one');
});

test('V3 GET/SET_COM_FREQ and SWITCH_STLINK_FREQ', async (t) => {
  const r = await rig({ probe: 'stlink-v3' });
  const list = await r.command(block(0xf2, 0x62, 0x00), { inLength: 52 });
  t.is(list[0], 0x80);
  t.is(list[8], 7);
  t.is(u32At(list, 12), 24000);
  const set = await r.command(block(0xf2, 0x61, 0x00, 0x00, ...le32(4000)), { inLength: 8 });
  t.deepEqual([set[0], u32At(set, 4)], [0x80, 3300]);
  t.is(r.board.swdSpeedKhz, 3300);
  t.is(u32At(await r.command(block(0xf2, 0x62, 0x00), { inLength: 52 }), 4), 3300);
  t.is((await r.command(block(0xf2, 0x63, 0x01), { inLength: 8 }))[0], 0x40);
  t.is((await r.command(block(0xf2, 0x63, 0x03), { inLength: 8 }))[0], 0x41);
  const v2 = await rig({ probe: 'stlink-v2-1' });
  t.is(
    (await v2.command(block(0xf2, 0x62, 0x00), { inLength: 52 }))[0],
    0x08,
    'V2 has no COM_FREQ',
  );
});

test('DAP registers: DP ABORT clears a sticky error left by a raw AP access', async (t) => {
  const r = await rig({ probe: 'stlink-v2', firmware: 'V2J37S7' });
  await r.enterSwd();
  await r.command(block(0xf2, 0x46, 0x00, 0x00, 0x04, 0x00, ...le32(0x10000000)), { inLength: 2 });
  t.is((await r.command(block(0xf2, 0x45, 0x00, 0x00, 0x0c, 0x00), { inLength: 8 }))[0], 0x11);
  const ctrl = await r.command(block(0xf2, 0x45, 0xff, 0xff, 0x04, 0x00), { inLength: 8 });
  t.truthy(u32At(ctrl, 4) & 0x20, 'STICKYERR stays until the host clears it');
  t.deepEqual(
    [
      ...(await r.command(block(0xf2, 0x46, 0xff, 0xff, 0x00, 0x00, ...le32(0x1e)), {
        inLength: 2,
      })),
    ],
    [0x80, 0],
  );
  const after = await r.command(block(0xf2, 0x45, 0xff, 0xff, 0x04, 0x00), { inLength: 8 });
  t.is(u32At(after, 4) & 0x20, 0);
  const dlcr = await r.command(block(0xf2, 0x45, 0xff, 0xff, 0x14, 0x00), { inLength: 8 });
  t.deepEqual([dlcr[0], u32At(dlcr, 4)], [0x80, 0x40], 'banked DP register (DLCR) from J32');
});
