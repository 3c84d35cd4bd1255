import test from 'ava';
import { TEST_CHIP } from './helpers/test-chip.js';
import { block, lastRwStatus, le16, le32, rig } from './helpers/stlink-host.js';

const read4 = block(0xf2, 0x07, ...le32(TEST_CHIP.RAM_START), ...le16(4));

test('transfers need an opened device and a claimed interface', async (t) => {
  const r = await rig({ probe: 'stlink-v2' });
  await r.device.releaseInterface(0);
  await t.throwsAsync(r.device.transferOut(2, block(0xf1)), {
    any: true,
    name: 'InvalidStateError',
  });
  await r.device.close();
  await t.throwsAsync(r.device.transferIn(1, 64), { any: true, name: 'InvalidStateError' });
  await r.device.open();
  await t.throwsAsync(r.device.claimInterface(3), { any: true, name: 'NotFoundError' });
  await r.device.claimInterface(0);
  await t.throwsAsync(r.device.transferOut(5, block(0xf1)), { any: true, name: 'NotFoundError' });
});

test('usb-timeout: the Nth transfer fails like node-usb, later ones work', async (t) => {
  const r = await rig({ probe: 'stlink-v2', faults: [{ kind: 'usb-timeout', atTransfer: 2 }] });
  await r.command(block(0xf1));
  await t.throwsAsync(r.read(6), { message: 'LIBUSB_TRANSFER_TIMED_OUT' });
  t.is(r.device.queuedInBytes, 0, 'the reply was lost');
  t.is((await r.command(block(0xf1), { inLength: 6 }))[0], 0x29);
});

test('usb-stall: the endpoint stays halted until clearHalt', async (t) => {
  const r = await rig({ probe: 'stlink-v2', faults: [{ kind: 'usb-stall', atTransfer: 1 }] });
  t.is((await r.device.transferOut(2, block(0xf1))).status, 'stall');
  t.is((await r.device.transferOut(2, block(0xf1))).status, 'stall');
  await r.device.clearHalt('out', 2);
  t.is((await r.device.transferOut(2, block(0xf1))).status, 'ok');
  t.is((await r.read(6))[0], 0x29);
});

test('disconnect: NetworkError on the transfer, NotFoundError after, and open fails', async (t) => {
  const r = await rig({ probe: 'stlink-v2', faults: [{ kind: 'disconnect', atTransfer: 3 }] });
  await r.command(block(0xf1), { inLength: 6 });
  await t.throwsAsync(r.device.transferOut(2, block(0xf1)), { any: true, name: 'NetworkError' });
  await t.throwsAsync(r.device.transferIn(1, 64), { any: true, name: 'NotFoundError' });
  await t.throwsAsync(r.device.clearHalt('in', 1), { any: true, name: 'NotFoundError' });
  await t.throwsAsync(r.device.claimInterface(0), { any: true, name: 'NotFoundError' });
  await r.device.close();
  await t.throwsAsync(r.device.open(), { any: true, name: 'NotFoundError' });
  t.true(r.board.faults.disconnected);
});

test('swd-wait storm: memory commands latch SWD_AP_WAIT until it passes', async (t) => {
  const r = await rig({
    probe: 'stlink-v2-1',
    faults: [{ kind: 'swd-wait', atAccess: 1, count: 2 }],
  });
  await r.enterSwd();
  await r.command(read4, { inLength: 4 });
  t.is((await lastRwStatus(r))[0], 0x10);
  await r.command(read4, { inLength: 4 });
  t.is((await lastRwStatus(r))[0], 0x10);
  await r.command(read4, { inLength: 4 });
  t.is((await lastRwStatus(r))[0], 0x80);
});

test('bus-fault at an address: AP fault with that address', async (t) => {
  const address = TEST_CHIP.RAM_START + 0x40;
  const r = await rig({ probe: 'stlink-v3', faults: [{ kind: 'bus-fault', address, length: 4 }] });
  await r.enterSwd();
  await r.command(block(0xf2, 0x08, ...le32(TEST_CHIP.RAM_START), ...le16(0x80)), {
    data: new Uint8Array(0x80).fill(1),
  });
  t.deepEqual(await lastRwStatus(r), [0x11, address]);
  t.is(r.chip.ram.bytes[0x3f], 1);
  t.is(r.chip.ram.bytes[0x40], 0, 'nothing written from the fault on');
});

test('power loss after N flash bytes keeps only what was written; the target goes silent', async (t) => {
  const r = await rig({
    probe: 'stlink-v2-1',
    faults: [{ kind: 'power-loss', afterFlashBytes: 6 }],
  });
  await r.enterSwd();
  await r.command(block(0xf2, 0x08, ...le32(TEST_CHIP.NVM_START + 0x100), ...le16(16)), {
    data: Uint8Array.from({ length: 16 }, (_, i) => i),
  });
  t.deepEqual([...r.chip.nvm.bytes.subarray(0x100, 0x108)], [0, 1, 2, 3, 4, 5, 0xff, 0xff]);
  t.false(r.board.powered);
  t.is((await lastRwStatus(r))[0], 0x12, 'no ACK from the dead target (SWD_AP_ERROR)');
  const voltage = await r.command(block(0xf7), { inLength: 8 });
  t.is(new DataView(voltage.buffer).getUint32(4, true), 0);
});

test('V3 lock-up on DEBUG_EXIT outside debug mode (opt-in) until USB reset', async (t) => {
  const r = await rig({ probe: 'stlink-v3', lockUpOnStrayExit: true });
  await r.command(block(0xf2, 0x21));
  await t.throwsAsync(r.device.transferOut(1, block(0xf1)), {
    message: 'LIBUSB_TRANSFER_TIMED_OUT',
  });
  await r.device.reset();
  t.is((await r.command(block(0xf1), { inLength: 6 }))[0], 0x30);
  const tolerant = await rig({ probe: 'stlink-v3' });
  await tolerant.command(block(0xf2, 0x21));
  t.is(
    (await tolerant.command(block(0xf1), { inLength: 6 }))[0],
    0x30,
    'without the option it is ignored',
  );
});

test('close fails a pending read but keeps the queued reply for the next open', async (t) => {
  const r = await rig({ probe: 'stlink-v2' });
  const pending = r.device.transferIn(1, 64, 5000);
  await r.device.close();
  await t.throwsAsync(pending, { any: true, name: 'AbortError' });
  await r.device.open();
  await r.device.claimInterface(0);
  await r.device.transferOut(2, block(0xf1));
  await r.device.close();
  await r.device.open();
  await r.device.claimInterface(0);
  t.is((await r.read(64))[0], 0x29, 'unread IN data survives close/open, as on the probe');
});
