import { connect, type Socket } from 'node:net';
import test from 'ava';
import { createVirtualSession, type VirtualSessionOptions } from '../src/session.js';
import { UsbredirCodec, list, num, type Packet, type PacketInit } from '../src/usbredir/codec.js';
import { capabilityWords, endpointIndex, Speed, Status } from '../src/usbredir/protocol.js';
import { startUsbredirServer, type UsbredirServer } from '../src/usbredir/server.js';
import { createTestChip } from './helpers/test-chip.js';

/** QEMU 7.2's usb-redir capabilities (hw/usb/redirect.c usbredir_create_parser). */
const QEMU_CAPS = capabilityWords([
  'connect_device_version',
  'filter',
  'device_disconnect_ack',
  'ep_info_max_packet_size',
  '64bits_ids',
  '32bits_bulk_length',
  'bulk_receiving',
]);

/** A scripted usb-guest: sends packets and waits for the ones it expects. */
class Guest {
  readonly codec = new UsbredirCodec(QEMU_CAPS);
  readonly received: Packet[] = [];
  #waiters: (() => void)[] = [];
  #nextId = 1n;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received.push(...this.codec.push(new Uint8Array(chunk)));
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static async connect(port: number): Promise<Guest> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const guest = new Guest(socket);
    guest.socket.write(
      guest.codec.encode({
        name: 'hello',
        fields: { version: 'test guest', capabilities: QEMU_CAPS },
      }),
    );
    return guest;
  }

  send(packet: Omit<PacketInit, 'id'>): bigint {
    const id = this.#nextId++;
    this.socket.write(this.codec.encode({ ...packet, id }));
    return id;
  }

  /** Waits for (and removes) the first received packet that matches. */
  async next(match: (p: Packet) => boolean): Promise<Packet> {
    for (;;) {
      const index = this.received.findIndex(match);
      if (index >= 0) return this.received.splice(index, 1)[0]!;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  async reply(id: bigint): Promise<Packet> {
    return this.next((p) => p.id === id && p.name !== 'hello');
  }

  async control(
    requesttype: number,
    request: number,
    value: number,
    index: number,
    length: number,
    data?: Uint8Array,
  ): Promise<Packet> {
    const id = this.send({
      name: 'control_packet',
      fields: { endpoint: requesttype & 0x80, request, requesttype, value, index, length },
      ...(data ? { data } : {}),
    });
    return this.reply(id);
  }

  async bulkOut(endpoint: number, data: Uint8Array): Promise<Packet> {
    const id = this.send({
      name: 'bulk_packet',
      fields: { endpoint, length: data.length, stream_id: 0, length_high: 0 },
      data,
    });
    return this.reply(id);
  }

  bulkIn(endpoint: number, length: number): bigint {
    return this.send({
      name: 'bulk_packet',
      fields: { endpoint, length: length & 0xffff, stream_id: 0, length_high: length >>> 16 },
    });
  }
}

async function serve(
  t: { teardown: (fn: () => Promise<void> | void) => void },
  options: Partial<VirtualSessionOptions> = {},
): Promise<{
  server: UsbredirServer;
  guest: Guest;
  session: ReturnType<typeof createVirtualSession>;
}> {
  const session = createVirtualSession({ probe: 'stlink-v2', ...options }, () => createTestChip());
  const server = await startUsbredirServer({ device: session.device, port: 0 });
  session.board.faults.onDisconnect(() => server.disconnect());
  const guest = await Guest.connect(server.port);
  t.teardown(async () => {
    guest.socket.destroy();
    await server.close();
    await session.close();
  });
  return { server, guest, session };
}

test('handshake: hello, then ep_info, interface_info and device_connect of an ST-Link V2', async (t) => {
  const { guest } = await serve(t);
  const hello = await guest.next((p) => p.name === 'hello');
  t.deepEqual(
    list(hello, 'capabilities'),
    capabilityWords([
      'connect_device_version',
      'ep_info_max_packet_size',
      '64bits_ids',
      '32bits_bulk_length',
    ]),
  );
  const epInfo = await guest.next((p) => p.name === 'ep_info');
  const type = list(epInfo, 'type');
  t.deepEqual(
    [
      type[0],
      type[16],
      type[endpointIndex(0x81)],
      type[endpointIndex(0x02)],
      type[endpointIndex(0x83)],
    ],
    [0, 0, 2, 2, 2],
  );
  t.is(type[endpointIndex(0x01)], 255, 'no endpoint OUT 1 on a V2');
  t.is(list(epInfo, 'max_packet_size')[endpointIndex(0x81)], 64);
  t.is(list(epInfo, 'max_packet_size')[0], 64, 'bMaxPacketSize0');
  const ifaces = await guest.next((p) => p.name === 'interface_info');
  t.is(num(ifaces, 'interface_count'), 1);
  t.deepEqual(
    [list(ifaces, 'interface_class')[0], list(ifaces, 'interface_subclass')[0]],
    [0xff, 0xff],
  );
  const connect = await guest.next((p) => p.name === 'device_connect');
  t.deepEqual(connect.fields, {
    speed: Speed.full,
    device_class: 0,
    device_subclass: 0,
    device_protocol: 0,
    vendor_id: 0x0483,
    product_id: 0x3748,
    device_version_bcd: 0x0100,
  });
  const order = [epInfo, ifaces, connect].map((p) => p.name);
  t.deepEqual(order, ['ep_info', 'interface_info', 'device_connect']);
});

test('V2-1 announces its debug, mass-storage and VCP interfaces; V3 is high speed', async (t) => {
  const v21 = await serve(t, { probe: 'stlink-v2-1' });
  const ifaces = await v21.guest.next((p) => p.name === 'interface_info');
  t.is(num(ifaces, 'interface_count'), 4);
  t.deepEqual(list(ifaces, 'interface_class').slice(0, 4), [0xff, 0x08, 0x02, 0x0a]);
  t.deepEqual(list(ifaces, 'interface_protocol').slice(0, 4), [0xff, 0x50, 0x01, 0x00]);
  const epInfo = await v21.guest.next((p) => p.name === 'ep_info');
  t.is(list(epInfo, 'type')[endpointIndex(0x84)], 3, 'VCP notification endpoint is interrupt');
  t.is(list(epInfo, 'interval')[endpointIndex(0x84)], 0x10);
  t.is(list(epInfo, 'interface')[endpointIndex(0x85)], 3);
  const v3 = await serve(t, { probe: 'stlink-v3' });
  const connect = await v3.guest.next((p) => p.name === 'device_connect');
  t.is(num(connect, 'speed'), Speed.high);
  t.is(num(connect, 'product_id'), 0x374e);
});

test('control packets: descriptors from the device, GET_STATUS, a stall for what it lacks', async (t) => {
  const { guest } = await serve(t);
  await guest.next((p) => p.name === 'device_connect');
  const device = await guest.control(0x80, 6, 0x0100, 0, 64);
  t.is(num(device, 'status'), Status.success);
  t.is(num(device, 'length'), 18);
  t.deepEqual([...device.data.subarray(0, 2), device.data[8], device.data[9]], [18, 1, 0x83, 0x04]);
  const config = await guest.control(0x80, 6, 0x0200, 0, 9);
  t.is(config.data.length, 9, 'cut to the asked length');
  const serial = await guest.control(0x80, 6, 0x0303, 0x0409, 255);
  t.is(Buffer.from(serial.data.subarray(2)).toString('utf16le'), '37FF71064E4B363432461043');
  const status = await guest.control(0x80, 0, 0, 0, 2);
  t.deepEqual([num(status, 'status'), ...status.data], [Status.success, 0, 0]);
  const vendor = await guest.control(0xc0, 0x01, 0, 0, 4);
  t.is(num(vendor, 'status'), Status.stall);
  t.is(num(vendor, 'length'), 0);
  const noString = await guest.control(0x80, 6, 0x0309, 0x0409, 255);
  t.is(num(noString, 'status'), Status.stall);
});

test('set_configuration: fresh ep_info and interface_info before configuration_status', async (t) => {
  const { guest } = await serve(t);
  await guest.next((p) => p.name === 'device_connect');
  const before = guest.received.length;
  const id = guest.send({ name: 'set_configuration', fields: { configuration: 1 } });
  const status = await guest.reply(id);
  t.deepEqual([num(status, 'status'), num(status, 'configuration')], [Status.success, 1]);
  t.deepEqual(
    guest.received.slice(before).map((p) => p.name),
    ['ep_info', 'interface_info'],
  );
  guest.received.length = 0;
  const unconfigure = await guest.reply(
    guest.send({ name: 'set_configuration', fields: { configuration: 0 } }),
  );
  t.is(num(unconfigure, 'configuration'), 0);
  const ifaces = await guest.next((p) => p.name === 'interface_info');
  t.is(num(ifaces, 'interface_count'), 0);
  const bad = await guest.reply(
    guest.send({ name: 'set_configuration', fields: { configuration: 2 } }),
  );
  t.is(num(bad, 'status'), Status.ioerror);
  const get = await guest.reply(guest.send({ name: 'get_configuration' }));
  t.deepEqual([num(get, 'status'), num(get, 'configuration')], [Status.success, 0]);
  const viaControl = await guest.control(0x00, 9, 1, 0, 0);
  t.is(num(viaControl, 'status'), Status.success, 'SET_CONFIGURATION as a control transfer');
  const got = await guest.control(0x80, 8, 0, 0, 1);
  t.deepEqual([...got.data], [1]);
});

test('bulk packets carry ST-Link commands and replies', async (t) => {
  const { guest } = await serve(t);
  await guest.next((p) => p.name === 'device_connect');
  const getVersion = new Uint8Array(16);
  getVersion[0] = 0xf1;
  const out = await guest.bulkOut(0x02, getVersion);
  t.deepEqual([num(out, 'status'), num(out, 'length')], [Status.success, 16]);
  const reply = await guest.reply(guest.bulkIn(0x81, 6));
  t.is(num(reply, 'status'), Status.success);
  t.is(num(reply, 'length'), 6);
  t.deepEqual(
    [...reply.data.subarray(2)],
    [0x83, 0x04, 0x48, 0x37],
    'VID and PID in the GET_VERSION reply',
  );
  const wrongType = await guest.reply(
    guest.send({ name: 'interrupt_packet', fields: { endpoint: 0x02, length: 0 } }),
  );
  t.is(num(wrongType, 'status'), Status.inval, 'interrupt packet on a bulk endpoint');
});

test('an IN request waits for data; cancel_data_packet answers it with status cancelled', async (t) => {
  const { guest } = await serve(t);
  await guest.next((p) => p.name === 'device_connect');
  const id = guest.bulkIn(0x81, 64);
  // cancel_data_packet names the request in its own header id.
  guest.socket.write(guest.codec.encode({ name: 'cancel_data_packet', id }));
  const cancelled = await guest.reply(id);
  t.is(cancelled.name, 'bulk_packet');
  t.deepEqual([num(cancelled, 'status'), num(cancelled, 'length')], [Status.cancelled, 0]);
  // The next request still gets the next reply.
  const getVersion = new Uint8Array(16);
  getVersion[0] = 0xf1;
  await guest.bulkOut(0x02, getVersion);
  const reply = await guest.reply(guest.bulkIn(0x81, 6));
  t.is(num(reply, 'length'), 6);
});

test('a disconnect fault becomes device_disconnect; later packets fail with ioerror', async (t) => {
  const { guest } = await serve(t, { faults: [{ kind: 'disconnect', atTransfer: 2 }] });
  await guest.next((p) => p.name === 'device_connect');
  const getVersion = new Uint8Array(16);
  getVersion[0] = 0xf1;
  await guest.bulkOut(0x02, getVersion);
  const inId = guest.bulkIn(0x81, 6);
  await guest.next((p) => p.name === 'device_disconnect');
  const failed = await guest.reply(inId);
  t.is(num(failed, 'status'), Status.ioerror);
  const after = await guest.bulkOut(0x02, getVersion);
  t.is(num(after, 'status'), Status.ioerror);
});

test('unsupported requests get a status, never silence', async (t) => {
  const { guest } = await serve(t, { probe: 'stlink-v2-1' });
  await guest.next((p) => p.name === 'device_connect');
  const alt = await guest.reply(
    guest.send({ name: 'set_alt_setting', fields: { interface: 0, alt: 1 } }),
  );
  t.deepEqual([alt.name, num(alt, 'status')], ['alt_setting_status', Status.stall]);
  const alt0 = await guest.reply(
    guest.send({ name: 'set_alt_setting', fields: { interface: 2, alt: 0 } }),
  );
  t.is(num(alt0, 'status'), Status.success);
  const iso = await guest.reply(
    guest.send({
      name: 'start_iso_stream',
      fields: { endpoint: 0x81, pkts_per_urb: 8, no_urbs: 2 },
    }),
  );
  t.deepEqual([iso.name, num(iso, 'status')], ['iso_stream_status', Status.inval]);
  const bulkInterrupt = await guest.reply(
    guest.send({ name: 'start_interrupt_receiving', fields: { endpoint: 0x81 } }),
  );
  t.is(num(bulkInterrupt, 'status'), Status.inval, 'a bulk endpoint cannot be interrupt-received');
  const vcp = await guest.reply(
    guest.send({ name: 'start_interrupt_receiving', fields: { endpoint: 0x84 } }),
  );
  t.is(num(vcp, 'status'), Status.success, 'the VCP notification endpoint can');
  const stop = await guest.reply(
    guest.send({ name: 'stop_interrupt_receiving', fields: { endpoint: 0x84 } }),
  );
  t.is(num(stop, 'status'), Status.success);
});

/**
 * A HID device shaped as CMSIS-DAP v1 probes are (interface class 3, interrupt IN and OUT
 * endpoints of 64 bytes): every report written to OUT 1 is answered on IN 1. Built from
 * raw descriptors only, to show that the server takes any WebUSB-shaped device.
 */
function hidDevice(): { device: USBDevice; written: Uint8Array[] } {
  const deviceDescriptor = Uint8Array.of(
    18,
    1,
    0x00,
    0x02,
    0,
    0,
    0,
    64,
    0x28,
    0x0d,
    0x04,
    0x02,
    0x00,
    0x01,
    0,
    0,
    0,
    1,
  );
  const report = Uint8Array.of(0x06, 0x00, 0xff, 0x09, 0x01, 0xa1, 0x01, 0xc0);
  const config = Uint8Array.of(
    9,
    2,
    41,
    0,
    1,
    1,
    0,
    0x80,
    50,
    9,
    4,
    0,
    0,
    2,
    3,
    0,
    0,
    0,
    9,
    0x21,
    0x11,
    0x01,
    0,
    1,
    0x22,
    report.length,
    0,
    7,
    5,
    0x81,
    3,
    64,
    0,
    1,
    7,
    5,
    0x01,
    3,
    64,
    0,
    1,
  );
  const written: Uint8Array[] = [];
  const replies: Uint8Array[] = [];
  let waiting: (() => void) | undefined;
  const ok = (bytes: Uint8Array, length: number): USBInTransferResult => ({
    status: 'ok',
    data: new DataView(bytes.slice(0, length).buffer),
  });
  const device = {
    opened: false,
    open() {
      (this as { opened: boolean }).opened = true;
      return Promise.resolve();
    },
    selectConfiguration: () => Promise.resolve(),
    claimInterface: () => Promise.resolve(),
    releaseInterface: () => Promise.resolve(),
    reset: () => Promise.resolve(),
    clearHalt: () => Promise.resolve(),
    controlTransferIn(setup: USBControlTransferParameters, length: number) {
      if (setup.request === 6 && setup.value === 0x0100)
        return Promise.resolve(ok(deviceDescriptor, length));
      if (setup.request === 6 && setup.value === 0x0200) return Promise.resolve(ok(config, length));
      if (setup.recipient === 'interface' && setup.request === 6 && setup.value === 0x2200)
        return Promise.resolve(ok(report, length));
      return Promise.resolve({ status: 'stall' } as USBInTransferResult);
    },
    controlTransferOut: () =>
      Promise.resolve({ status: 'stall', bytesWritten: 0 } as USBOutTransferResult),
    transferOut(endpoint: number, data: Uint8Array) {
      written.push(data);
      replies.push(Uint8Array.of(data[0] ?? 0, 0x42));
      waiting?.();
      return Promise.resolve({ status: 'ok', bytesWritten: data.length } as USBOutTransferResult);
    },
    async transferIn(endpoint: number, length: number) {
      while (replies.length === 0) await new Promise<void>((resolve) => (waiting = resolve));
      return ok(replies.shift()!, length);
    },
  };
  return { device: device as unknown as USBDevice, written };
}

test('interrupt endpoints: a HID (CMSIS-DAP v1 shaped) device is driven through interrupt packets', async (t) => {
  const { device, written } = hidDevice();
  const server = await startUsbredirServer({ device, port: 0 });
  const guest = await Guest.connect(server.port);
  t.teardown(async () => {
    guest.socket.destroy();
    await server.close();
  });
  const connect = await guest.next((p) => p.name === 'device_connect');
  t.deepEqual(
    [num(connect, 'vendor_id'), num(connect, 'product_id'), num(connect, 'speed')],
    [0x0d28, 0x0204, Speed.full],
  );
  const epInfo = await guest.next((p) => p.name === 'ep_info');
  t.deepEqual(
    [list(epInfo, 'type')[endpointIndex(0x81)], list(epInfo, 'type')[endpointIndex(0x01)]],
    [3, 3],
  );
  const reportDescriptor = await guest.control(0x81, 6, 0x2200, 0, 255);
  t.deepEqual(
    [num(reportDescriptor, 'status'), reportDescriptor.data.length],
    [Status.success, 8],
    'class descriptors come from the device',
  );
  const receiving = await guest.reply(
    guest.send({ name: 'start_interrupt_receiving', fields: { endpoint: 0x81 } }),
  );
  t.is(num(receiving, 'status'), Status.success);
  const out = await guest.reply(
    guest.send({
      name: 'interrupt_packet',
      fields: { endpoint: 0x01, length: 64 },
      data: new Uint8Array(64),
    }),
  );
  t.deepEqual(
    [out.name, num(out, 'status'), num(out, 'length')],
    ['interrupt_packet', Status.success, 64],
  );
  t.is(written.length, 1);
  const report = await guest.next(
    (p) => p.name === 'interrupt_packet' && num(p, 'endpoint') === 0x81,
  );
  t.is(report.id, 0n, 'interrupt IN packets are numbered from 0');
  t.deepEqual([...report.data], [0x00, 0x42]);
});
