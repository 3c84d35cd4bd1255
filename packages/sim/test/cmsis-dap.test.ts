/**
 * The virtual CMSIS-DAP probes byte by byte: DAP_Info as the firmware they stand for
 * reports it, DAP_Transfer and DAP_TransferBlock on the SW-DP (posted reads, WAIT retries,
 * FAULT, no-ACK, value mismatch, transfer counts), nRESET, HID report padding, USB faults
 * and the timing model's round trips.
 */
import test from 'ava';
import { configurationDescriptor } from '../src/cmsis-dap/usb-descriptors.js';
import { cmsisDapVariants } from '../src/cmsis-dap/variants.js';
import {
  TransferTimeoutError,
  createVirtualCmsisDapSession,
  usbTiming,
  type FaultSpec,
  type VirtualCmsisDap,
} from '../src/index.js';

interface Rig {
  readonly device: VirtualCmsisDap;
  send(...bytes: number[]): Promise<void>;
  receive(): Promise<number[]>;
  command(...bytes: number[]): Promise<number[]>;
}

async function rig(
  probe: 'cmsis-dap-v1' | 'cmsis-dap-v2' = 'cmsis-dap-v2',
  faults: FaultSpec[] = [],
): Promise<Rig> {
  const { device } = createVirtualCmsisDapSession({ probe, device: 'STM32F103RB', faults });
  const iface = device.variant.interfaces[0];
  const out = iface?.endpoints.find((e) => (e.address & 0x80) === 0)?.address ?? 0;
  const inn = (iface?.endpoints.find((e) => (e.address & 0x80) !== 0)?.address ?? 0) & 0x0f;
  await device.open();
  await device.claimInterface(iface?.number ?? 0);
  const send = async (...bytes: number[]): Promise<void> => {
    await device.transferOut(out, Uint8Array.from(bytes));
  };
  const receive = async (): Promise<number[]> => {
    const result = await device.transferIn(inn, device.variant.packetBytes, 50);
    const view = result.data;
    return view ? Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength)) : [];
  };
  return {
    device,
    send,
    receive,
    command: async (...bytes) => {
      await send(...bytes);
      return receive();
    },
  };
}

const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

/** DAP_Connect SWD, line reset, DPIDR read, power-up. */
async function attach(r: Rig): Promise<void> {
  await r.command(0x02, 0x01);
  await r.command(0x12, 56, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
  await r.command(0x05, 0x00, 0x03, 0x02, 0x08, ...le32(0), 0x04, ...le32(0x50000000));
}

test('DAP_Info: packet size and count as MCU-Link (512 x 8) and DAPLink HID (64 x 1) report them', async (t) => {
  const v2 = await rig('cmsis-dap-v2');
  t.deepEqual(await v2.command(0x00, 0xff), [0x00, 0x02, 0x00, 0x02]);
  t.deepEqual(await v2.command(0x00, 0xfe), [0x00, 0x01, 0x08]);
  t.deepEqual(await v2.command(0x00, 0x04), [0x00, 0x06, ...Buffer.from('2.1.0'), 0x00]);
  t.deepEqual(await v2.command(0x00, 0x06), [0x00, 0x00], 'no target device name');
  const v1 = await rig('cmsis-dap-v1');
  const size = await v1.command(0x00, 0xff);
  t.is(size.length, 64, 'HID input reports are always 64 bytes');
  t.deepEqual(size.slice(0, 4), [0x00, 0x02, 0x40, 0x00]);
  t.deepEqual((await v1.command(0x00, 0xfe)).slice(0, 3), [0x00, 0x01, 0x01]);
});

test('before DAP_Connect a transfer executes nothing: count 0, response 0', async (t) => {
  const r = await rig();
  t.deepEqual(await r.command(0x05, 0x00, 0x01, 0x02), [0x05, 0x00, 0x00]);
  t.deepEqual(await r.command(0x06, 0x00, 0x01, 0x00, 0x0f), [0x06, 0x00, 0x00, 0x00]);
});

test('an unknown command answers FF; DAP_TransferAbort answers nothing', async (t) => {
  const r = await rig();
  t.deepEqual(await r.command(0x7a), [0xff]);
  await r.send(0x07);
  await t.throwsAsync(r.receive(), { instanceOf: TransferTimeoutError });
});

test('after a line reset only DPIDR answers; the DPIDR read comes back OK', async (t) => {
  const r = await rig();
  await r.command(0x02, 0x01);
  await r.command(0x12, 56, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
  t.deepEqual(await r.command(0x05, 0x00, 0x01, 0x06), [0x05, 0x00, 0x07], 'CTRL/STAT: no ACK');
  t.deepEqual(await r.command(0x05, 0x00, 0x01, 0x02), [
    0x05,
    0x01,
    0x01,
    ...le32(r.device.board.dp.dpidr),
  ]);
});

test('AP reads are posted: the probe returns each one with the next AP read or RDBUFF', async (t) => {
  const r = await rig();
  await attach(r);
  r.device.board.bus.write(0x20000000, 4, 0x11111111);
  r.device.board.bus.write(0x20000004, 4, 0x22222222);
  const response = await r.command(
    0x05,
    0x00,
    0x04,
    0x01,
    ...le32(0x23000012), // CSW: word, auto-increment
    0x05,
    ...le32(0x20000000), // TAR
    0x0f,
    0x0f, // DRW read x2
  );
  t.deepEqual(response, [0x05, 0x04, 0x01, ...le32(0x11111111), ...le32(0x22222222)]);
});

test('DAP_TransferBlock writes then reads a block of words', async (t) => {
  const r = await rig();
  await attach(r);
  await r.command(0x05, 0x00, 0x02, 0x01, ...le32(0x23000012), 0x05, ...le32(0x20000100));
  t.deepEqual(
    await r.command(0x06, 0x00, 0x02, 0x00, 0x0d, ...le32(0xaabbccdd), ...le32(0x01020304)),
    [0x06, 0x02, 0x00, 0x01],
  );
  await r.command(0x05, 0x00, 0x01, 0x05, ...le32(0x20000100));
  t.deepEqual(await r.command(0x06, 0x00, 0x02, 0x00, 0x0f), [
    0x06,
    0x02,
    0x00,
    0x01,
    ...le32(0xaabbccdd),
    ...le32(0x01020304),
  ]);
});

test('WAIT is retried as DAP_TransferConfigure says; past the count the batch stops with WAIT', async (t) => {
  const r = await rig('cmsis-dap-v2', [{ kind: 'swd-wait', atAccess: 1, count: 4 }]);
  await attach(r);
  t.deepEqual(await r.command(0x04, 0x00, 0x03, 0x00, 0x00, 0x00), [0x04, 0x00]);
  // 4 WAITs, 3 retries: the first transaction gives up.
  t.deepEqual(await r.command(0x05, 0x00, 0x01, 0x01, ...le32(0)), [0x05, 0x00, 0x02]);
  const again = await rig('cmsis-dap-v2', [{ kind: 'swd-wait', atAccess: 1, count: 4 }]);
  await attach(again);
  await again.command(0x04, 0x00, 0x04, 0x00, 0x00, 0x00);
  t.deepEqual(await again.command(0x05, 0x00, 0x01, 0x01, ...le32(0)), [0x05, 0x01, 0x01]);
});

test('a bus fault gives FAULT with the count of transfers before it', async (t) => {
  const r = await rig('cmsis-dap-v2', [{ kind: 'bus-fault', address: 0x20000004 }]);
  await attach(r);
  await r.command(0x05, 0x00, 0x02, 0x01, ...le32(0x23000012), 0x05, ...le32(0x20000000));
  // Block read of 3: post, read (returns word 0, posts word 1: faults).
  t.deepEqual(await r.command(0x06, 0x00, 0x03, 0x00, 0x0f), [0x06, 0x00, 0x00, 0x04]);
});

test('a value-match read that never matches sets the mismatch bit', async (t) => {
  const r = await rig();
  await attach(r);
  await r.command(0x04, 0x00, 0x50, 0x00, 0x02, 0x00);
  const response = await r.command(
    0x05,
    0x00,
    0x02,
    0x20,
    ...le32(0xffffffff), // match mask
    0x12,
    ...le32(0x12345678), // DPIDR read, match value
  );
  t.deepEqual(response, [0x05, 0x01, 0x11]);
});

test('DAP_SWJ_Pins drives nRESET and reads it back', async (t) => {
  const r = await rig();
  t.deepEqual(await r.command(0x10, 0x00, 0x80, ...le32(0)), [0x10, 0x03]);
  t.true(r.device.board.nrstAsserted);
  t.deepEqual(await r.command(0x10, 0x80, 0x80, ...le32(0)), [0x10, 0x83]);
  t.false(r.device.board.nrstAsserted);
});

test('DAP_SWJ_Clock sets the SWD clock; 0 Hz is DAP_ERROR', async (t) => {
  const r = await rig();
  t.deepEqual(await r.command(0x11, ...le32(8_000_000)), [0x11, 0x00]);
  t.is(r.device.board.swdSpeedKhz, 8000);
  t.deepEqual(await r.command(0x11, ...le32(0)), [0x11, 0xff]);
});

test('a request longer than the packet size is not a command: FF', async (t) => {
  const r = await rig('cmsis-dap-v2');
  t.deepEqual(await r.command(...new Array<number>(513).fill(0)), [0xff]);
});

test('the round trip is charged when the pipeline is empty, not for commands queued behind one', async (t) => {
  const r = await rig('cmsis-dap-v2');
  const clock = r.device.board.clock;
  const rtt = usbTiming['high-speed'].roundTripUs;
  const t0 = clock.nowUs;
  await r.command(0x01, 0x00, 0x01);
  const single = clock.nowUs - t0;
  t.true(single >= rtt);
  const t1 = clock.nowUs;
  for (let i = 0; i < 4; i++) await r.send(0x01, 0x00, 0x01);
  for (let i = 0; i < 4; i++) await r.receive();
  const four = clock.nowUs - t1;
  t.true(four < 2 * rtt, `4 pipelined commands cost ${four} µs, one round trip is ${rtt} µs`);
  t.is(r.device.peakUnanswered, 4);
});

test('USB faults: a timed-out IN loses its response; a disconnect is permanent', async (t) => {
  // Transfers 1 and 2 are the OUT and IN of the first command.
  const r = await rig('cmsis-dap-v2', [
    { kind: 'usb-timeout', atTransfer: 2 },
    { kind: 'disconnect', atTransfer: 5 },
  ]);
  await r.send(0x00, 0xfe);
  await t.throwsAsync(r.receive(), { instanceOf: TransferTimeoutError });
  t.deepEqual(await r.command(0x00, 0xfe), [0x00, 0x01, 0x08], 'nothing stale is left');
  const name = (error: unknown): string => (error as { name?: string }).name ?? String(error);
  t.is(await r.send(0x00, 0xfe).then(() => 'ok', name), 'NetworkError');
  t.is(await r.device.open().then(() => 'ok', name), 'NotFoundError');
});

test('GET_DESCRIPTOR: device, configuration (with the HID descriptor on v1), strings', async (t) => {
  const r = await rig('cmsis-dap-v1');
  const get = async (value: number, length = 255): Promise<number[]> => {
    const result = await r.device.controlTransferIn(
      { requestType: 'standard', recipient: 'device', request: 6, value, index: 0 },
      length,
    );
    const view = result.data;
    return view ? Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength)) : [];
  };
  const device = await get(0x0100);
  t.deepEqual(device.slice(8, 12), [0x28, 0x0d, 0x04, 0x02], 'VID 0D28, PID 0204');
  const config = await get(0x0200);
  t.is(config[2], config.length, 'wTotalLength');
  const hid = config.findIndex((b, i) => b === 9 && config[i + 1] === 0x21);
  t.true(hid > 0, 'a HID descriptor follows the interface');
  const product = await get(0x0302);
  t.is(Buffer.from(product.slice(2)).toString('utf16le'), 'DAPLink CMSIS-DAP');
  const report = await get(0x2200);
  t.is(report.at(-1), 0xc0, 'the report descriptor ends its collection');
  t.deepEqual(await get(0x0100, 8), device.slice(0, 8), 'a short request gets the first bytes');
});

test('each variant numbers its interfaces from zero (USB 2.0 section 9.6.5), as a host stack checks', (t) => {
  for (const variant of Object.values(cmsisDapVariants)) {
    const bytes = configurationDescriptor(variant);
    const numbers: number[] = [];
    for (let offset = 0; offset < bytes.length; offset += bytes[offset] ?? bytes.length) {
      if (bytes[offset + 1] === 0x04) numbers.push(bytes[offset + 2] ?? -1);
    }
    t.deepEqual(
      numbers,
      numbers.map((_, i) => i),
      variant.kind,
    );
    t.is(bytes[4], numbers.length, `${variant.kind}: bNumInterfaces`);
  }
});

test("timing 'realtime': the board's clock never falls behind the wall clock of a slow host (as the ST-Link's)", async (t) => {
  for (const timing of ['realtime', 'instant'] as const) {
    const { device, board } = createVirtualCmsisDapSession({
      probe: 'cmsis-dap-v2',
      device: 'STM32F103RB',
      timing,
    });
    await device.open();
    await device.claimInterface(0);
    const info = async (): Promise<void> => {
      await device.transferOut(1, Uint8Array.of(0x00, 0x04));
      await device.transferIn(2, 512, 50);
    };
    await info();
    const before = board.clock.nowUs;
    // The host takes 60 ms between two commands (a guest behind usbredir, say).
    await new Promise((resolve) => setTimeout(resolve, 60));
    await info();
    const ms = (board.clock.nowUs - before) / 1000;
    if (timing === 'realtime') t.true(ms >= 60, `realtime: ${ms} ms`);
    else t.true(ms < 10, `instant keeps pure virtual time: ${ms} ms`);
  }
});
