import test from 'ava';
import { UsbredirCodec, UsbredirProtocolError, list, num } from '../src/usbredir/codec.js';
import {
  Cap,
  capabilityWords,
  endpointIndex,
  hasCap,
  PacketType,
} from '../src/usbredir/protocol.js';

// Byte layouts from usb-redirection-protocol.md (version 0.7): little-endian, packed structs.
const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const le16 = (v: number): number[] => [v & 0xff, v >>> 8];

const DEVICE = capabilityWords([
  'connect_device_version',
  'ep_info_max_packet_size',
  '64bits_ids',
  '32bits_bulk_length',
]);
/** What QEMU 7.2's usb-redir announces (hw/usb/redirect.c): filter, the four above, bulk_receiving. */
const QEMU = capabilityWords([
  'connect_device_version',
  'filter',
  'device_disconnect_ack',
  'ep_info_max_packet_size',
  '64bits_ids',
  '32bits_bulk_length',
  'bulk_receiving',
]);

/** A codec that has seen a peer hello with these capabilities. */
function negotiated(own: number[], peer: number[]): UsbredirCodec {
  const codec = new UsbredirCodec(own);
  const other = new UsbredirCodec(peer);
  codec.push(other.encode({ name: 'hello', fields: { version: 'peer', capabilities: peer } }));
  return codec;
}

test('capability numbers and words follow the capability enum', (t) => {
  t.deepEqual(Cap, {
    bulk_streams: 0,
    connect_device_version: 1,
    filter: 2,
    device_disconnect_ack: 3,
    ep_info_max_packet_size: 4,
    '64bits_ids': 5,
    '32bits_bulk_length': 6,
    bulk_receiving: 7,
  });
  t.deepEqual(DEVICE, [0b0111_0010]);
  t.true(hasCap(DEVICE, '64bits_ids'));
  t.false(hasCap(DEVICE, 'filter'));
  t.is(PacketType.cancel_data_packet, 21);
  t.is(PacketType.control_packet, 100);
  t.is(PacketType.buffered_bulk_packet, 104);
  t.is(endpointIndex(0x02), 2, 'OUT endpoints first');
  t.is(endpointIndex(0x81), 17, 'then IN endpoints 0-15');
});

test('hello: 32-bit id header, 64-byte version string, capability words', (t) => {
  const bytes = new UsbredirCodec(DEVICE).encode({
    name: 'hello',
    fields: { version: 'flashwright', capabilities: DEVICE },
  });
  const version = new Array<number>(64).fill(0);
  [...Buffer.from('flashwright')].forEach((b, i) => (version[i] = b));
  t.deepEqual([...bytes], [...le32(0), ...le32(64 + 4), ...le32(0), ...version, ...le32(0x72)]);
  t.is(bytes.length, 12 + 68);
});

test('a version string longer than 63 bytes is cut and stays 0-terminated', (t) => {
  const bytes = new UsbredirCodec(DEVICE).encode({
    name: 'hello',
    fields: { version: 'v'.repeat(100), capabilities: DEVICE },
  });
  t.is(bytes[12 + 62], 0x76);
  t.is(bytes[12 + 63], 0);
});

test('after hellos with 64bits_ids on both sides, headers carry a 64-bit id (16 bytes)', (t) => {
  const codec = negotiated(DEVICE, QEMU);
  const bytes = codec.encode({ name: 'device_disconnect', id: 0x1_0000_0002n });
  t.deepEqual([...bytes], [...le32(2), ...le32(0), ...le32(2), ...le32(1)]);
});

test('without the peer having 64bits_ids, headers stay 12 bytes', (t) => {
  const codec = negotiated(DEVICE, capabilityWords(['connect_device_version']));
  const bytes = codec.encode({ name: 'set_configuration', id: 7, fields: { configuration: 1 } });
  t.deepEqual([...bytes], [...le32(6), ...le32(1), ...le32(7), 1]);
});

test('device_connect has device_version_bcd only with connect_device_version on both sides', (t) => {
  const fields = {
    speed: 1,
    device_class: 0xef,
    device_subclass: 2,
    device_protocol: 1,
    vendor_id: 0x0483,
    product_id: 0x374b,
    device_version_bcd: 0x0100,
  };
  const both = negotiated(DEVICE, QEMU).encode({ name: 'device_connect', fields });
  t.deepEqual(
    [...both],
    [
      ...le32(1),
      ...le32(10),
      ...le32(0),
      ...le32(0),
      1,
      0xef,
      2,
      1,
      0x83,
      0x04,
      0x4b,
      0x37,
      0x00,
      0x01,
    ],
  );
  const old = negotiated(DEVICE, capabilityWords(['64bits_ids'])).encode({
    name: 'device_connect',
    fields,
  });
  t.deepEqual([...old.subarray(4, 8)], le32(8), '2 bytes less');
  t.is(old.length, 16 + 8);
});

test('ep_info: 32 types, intervals, interfaces and (with the capability) u16 max packet sizes', (t) => {
  const type = new Array<number>(32).fill(255);
  type[0] = 0;
  type[16] = 0;
  type[endpointIndex(0x81)] = 2;
  const maxPacketSize = new Array<number>(32).fill(0);
  maxPacketSize[endpointIndex(0x81)] = 512;
  const bytes = negotiated(DEVICE, QEMU).encode({
    name: 'ep_info',
    fields: { type, interval: [], interface: [], max_packet_size: maxPacketSize },
  });
  t.deepEqual([...bytes.subarray(0, 8)], [...le32(5), ...le32(32 * 3 + 64)]);
  const body = bytes.subarray(16);
  t.is(body[0], 0);
  t.is(body[17], 2);
  t.is(body[1], 255);
  t.deepEqual([...body.subarray(96 + 2 * 17, 96 + 2 * 18)], le16(512));
  const without = negotiated(DEVICE, capabilityWords(['64bits_ids'])).encode({
    name: 'ep_info',
    fields: { type },
  });
  t.deepEqual(
    [...without.subarray(4, 8)],
    le32(96),
    '64 bytes less without ep_info_max_packet_size',
  );
});

test('interface_info: a u32 count and four 32-byte arrays', (t) => {
  const bytes = negotiated(DEVICE, QEMU).encode({
    name: 'interface_info',
    fields: {
      interface_count: 2,
      interface: [0, 1],
      interface_class: [0xff, 0x08],
      interface_subclass: [0xff, 0x06],
      interface_protocol: [0xff, 0x50],
    },
  });
  t.deepEqual([...bytes.subarray(0, 8)], [...le32(4), ...le32(132)]);
  const body = bytes.subarray(16);
  t.deepEqual([...body.subarray(0, 6)], [...le32(2), 0, 1]);
  t.deepEqual(
    [body[4 + 32], body[4 + 33], body[4 + 64 + 1], body[4 + 96 + 1]],
    [0xff, 0x08, 0x06, 0x50],
  );
});

test('control_packet: 10-byte header, data after it', (t) => {
  const codec = negotiated(DEVICE, QEMU);
  const bytes = codec.encode({
    name: 'control_packet',
    id: 9,
    fields: {
      endpoint: 0x80,
      request: 6,
      requesttype: 0x80,
      status: 0,
      value: 0x0100,
      index: 0,
      length: 2,
    },
    data: Uint8Array.of(18, 1),
  });
  t.deepEqual(
    [...bytes],
    [
      ...le32(100),
      ...le32(12),
      ...le32(9),
      ...le32(0),
      0x80,
      6,
      0x80,
      0,
      0x00,
      0x01,
      0,
      0,
      2,
      0,
      18,
      1,
    ],
  );
});

test('bulk_packet: length_high only with 32bits_bulk_length on both sides', (t) => {
  const fields = { endpoint: 0x81, status: 0, length: 0x0004, stream_id: 0, length_high: 0x0001 };
  const both = negotiated(DEVICE, QEMU).encode({ name: 'bulk_packet', id: 3, fields });
  t.deepEqual([...both.subarray(16)], [0x81, 0, 4, 0, ...le32(0), 1, 0]);
  const old = negotiated(DEVICE, capabilityWords(['64bits_ids'])).encode({
    name: 'bulk_packet',
    id: 3,
    fields,
  });
  t.deepEqual([...old.subarray(4, 8)], le32(8));
});

/** The 64-bit id of these tests' headers, little-endian (usb_redir_header with 64bits_ids). */
const id64 = (v: number): number[] => [...le32(v), 0, 0, 0, 0];

test('interrupt transfers: interrupt_packet, start/stop_interrupt_receiving and their status, byte by byte', (t) => {
  const codec = negotiated(DEVICE, QEMU);
  // usb_redir_interrupt_packet_header: u8 endpoint, u8 status, u16 length; the data follows.
  const report = Uint8Array.from({ length: 64 }, (_, i) => i);
  const packet = codec.encode({
    name: 'interrupt_packet',
    id: 7,
    fields: { endpoint: 0x84, status: 0, length: 64 },
    data: report,
  });
  t.deepEqual(
    [...packet.subarray(0, 20)],
    [...le32(103), ...le32(4 + 64), ...id64(7), 0x84, 0, ...le16(64)],
  );
  t.deepEqual([...packet.subarray(20)], [...report]);
  // usb_redir_start/stop_interrupt_receiving_header: u8 endpoint.
  t.deepEqual(
    [...codec.encode({ name: 'start_interrupt_receiving', id: 8, fields: { endpoint: 0x84 } })],
    [...le32(15), ...le32(1), ...id64(8), 0x84],
  );
  t.deepEqual(
    [...codec.encode({ name: 'stop_interrupt_receiving', id: 9, fields: { endpoint: 0x84 } })],
    [...le32(16), ...le32(1), ...id64(9), 0x84],
  );
  // usb_redir_interrupt_receiving_status_header: u8 status, u8 endpoint.
  t.deepEqual(
    [
      ...codec.encode({
        name: 'interrupt_receiving_status',
        id: 8,
        fields: { status: 4, endpoint: 0x84 },
      }),
    ],
    [...le32(17), ...le32(2), ...id64(8), 4, 0x84],
  );
  // An interrupt OUT packet from the usb-guest, fed one byte at a time.
  const guest = negotiated(QEMU, DEVICE);
  const out = guest.encode({
    name: 'interrupt_packet',
    id: 10,
    fields: { endpoint: 0x04, status: 0, length: 3 },
    data: Uint8Array.of(0x00, 0x04, 0xff),
  });
  const decoded = [];
  for (const byte of out) decoded.push(...codec.push(Uint8Array.of(byte)));
  t.is(decoded.length, 1);
  const [interrupt] = decoded;
  t.deepEqual(
    [interrupt?.name, interrupt?.id, num(interrupt!, 'endpoint'), num(interrupt!, 'length')],
    ['interrupt_packet', 10n, 0x04, 3],
  );
  t.deepEqual([...interrupt!.data], [0x00, 0x04, 0xff]);
});

test('ep_info of a HID interface: interrupt type 3, bInterval and 64-byte packets at the in/out indexes', (t) => {
  const type = new Array<number>(32).fill(255);
  const interval = new Array<number>(32).fill(0);
  const iface = new Array<number>(32).fill(0);
  const maxPacketSize = new Array<number>(32).fill(0);
  for (const address of [0x84, 0x04]) {
    type[endpointIndex(address)] = 3;
    interval[endpointIndex(address)] = 1;
    iface[endpointIndex(address)] = 3;
    maxPacketSize[endpointIndex(address)] = 64;
  }
  const body = negotiated(DEVICE, QEMU)
    .encode({
      name: 'ep_info',
      fields: { type, interval, interface: iface, max_packet_size: maxPacketSize },
    })
    .subarray(16);
  // "first 0-15 out, then 0-15 in": OUT 4 at index 4, IN 4 at index 20.
  t.deepEqual([endpointIndex(0x04), endpointIndex(0x84)], [4, 20]);
  t.deepEqual([body[4], body[20]], [3, 3], 'type');
  t.deepEqual([body[32 + 4], body[32 + 20]], [1, 1], 'interval');
  t.deepEqual([body[64 + 4], body[64 + 20]], [3, 3], 'interface');
  t.deepEqual([...body.subarray(96 + 8, 96 + 10)], le16(64));
  t.deepEqual([...body.subarray(96 + 40, 96 + 42)], le16(64));
});

test('decoding: byte by byte, several packets in one chunk, peer caps from the hello', (t) => {
  const guest = new UsbredirCodec(QEMU);
  const device = new UsbredirCodec(DEVICE);
  const stream = [
    ...guest.encode({
      name: 'hello',
      fields: { version: 'qemu usb-redir guest 7.2.0', capabilities: QEMU },
    }),
  ];
  guest.push(device.encode({ name: 'hello', fields: { version: 'd', capabilities: DEVICE } }));
  stream.push(
    ...guest.encode({ name: 'set_configuration', id: 5n, fields: { configuration: 1 } }),
    ...guest.encode({
      name: 'bulk_packet',
      id: 0x1234_5678_9an,
      fields: { endpoint: 0x02, length: 3, stream_id: 0, length_high: 0 },
      data: Uint8Array.of(0xf1, 0x80, 0),
    }),
  );
  const packets = [];
  for (const byte of stream) packets.push(...device.push(Uint8Array.of(byte)));
  t.deepEqual(
    packets.map((p) => p.name),
    ['hello', 'set_configuration', 'bulk_packet'],
  );
  const [hello, setConfig, bulk] = packets;
  t.is(hello?.fields.version, 'qemu usb-redir guest 7.2.0');
  t.deepEqual(list(hello!, 'capabilities'), QEMU);
  t.deepEqual(device.peerCaps, QEMU);
  t.is(setConfig?.id, 5n);
  t.is(num(setConfig!, 'configuration'), 1);
  t.is(bulk?.id, 0x1234_5678_9an);
  t.deepEqual([...bulk!.data], [0xf1, 0x80, 0]);
});

test('protocol errors: an unknown type, a packet before the hello, a short header', (t) => {
  t.throws(
    () => new UsbredirCodec(DEVICE).push(Uint8Array.from([...le32(99), ...le32(0), ...le32(0)])),
    {
      instanceOf: UsbredirProtocolError,
      message: /unknown packet type 99/,
    },
  );
  t.throws(
    () => new UsbredirCodec(DEVICE).push(Uint8Array.from([...le32(3), ...le32(0), ...le32(0)])),
    {
      message: /reset received before the peer's hello/,
    },
  );
  t.throws(() => new UsbredirCodec(DEVICE).encode({ name: 'reset' }), {
    message: /before the peer's hello/,
  });
  const codec = negotiated(DEVICE, QEMU);
  t.throws(
    () =>
      codec.push(Uint8Array.from([...le32(100), ...le32(4), ...le32(1), ...le32(0), 0, 0, 0, 0])),
    {
      message: /control_packet is 4 bytes, shorter than its 10-byte header/,
    },
  );
});
