/**
 * The usbredir protocol (USB Network Redirection protocol, version 0.7, spice-usbredir
 * docs/usb-redirection-protocol.md; packet and capability numbers as in
 * usbredirparser/usbredirproto.h). Every integer is little-endian and every struct packed.
 * This module holds the numbers and the layout of each packet type's header; codec.ts
 * turns packets into bytes and back.
 */

/** Packet types: control packets 0..27, data packets from 100. */
export const PacketType = {
  hello: 0,
  device_connect: 1,
  device_disconnect: 2,
  reset: 3,
  interface_info: 4,
  ep_info: 5,
  set_configuration: 6,
  get_configuration: 7,
  configuration_status: 8,
  set_alt_setting: 9,
  get_alt_setting: 10,
  alt_setting_status: 11,
  start_iso_stream: 12,
  stop_iso_stream: 13,
  iso_stream_status: 14,
  start_interrupt_receiving: 15,
  stop_interrupt_receiving: 16,
  interrupt_receiving_status: 17,
  alloc_bulk_streams: 18,
  free_bulk_streams: 19,
  bulk_streams_status: 20,
  cancel_data_packet: 21,
  filter_reject: 22,
  filter_filter: 23,
  device_disconnect_ack: 24,
  start_bulk_receiving: 25,
  stop_bulk_receiving: 26,
  bulk_receiving_status: 27,
  control_packet: 100,
  bulk_packet: 101,
  iso_packet: 102,
  interrupt_packet: 103,
  buffered_bulk_packet: 104,
} as const;
export type PacketName = keyof typeof PacketType;

/** The status field of replies. */
export const Status = {
  success: 0,
  cancelled: 1,
  inval: 2,
  ioerror: 3,
  stall: 4,
  timeout: 5,
  babble: 6,
} as const;

/** Capability bit numbers of the hello packet. */
export const Cap = {
  bulk_streams: 0,
  connect_device_version: 1,
  filter: 2,
  device_disconnect_ack: 3,
  ep_info_max_packet_size: 4,
  '64bits_ids': 5,
  '32bits_bulk_length': 6,
  bulk_receiving: 7,
} as const;
export type CapName = keyof typeof Cap;

/** Endpoint types of ep_info ("these 4 match the usb spec"), 255 for no endpoint. */
export const EndpointType = { control: 0, iso: 1, bulk: 2, interrupt: 3, invalid: 255 } as const;

export const Speed = { low: 0, full: 1, high: 2, super: 3, unknown: 255 } as const;

/** How a header field is stored: an integer, an array of 32 integers, or a 64-byte string. */
export type FieldKind = 'u8' | 'u16' | 'u32' | 'u64' | 'u8x32' | 'u16x32' | 'u32x32' | 'char64';

/** A field present only when both sides announced this capability. */
export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly cap?: CapName;
}

const f = (name: string, kind: FieldKind, cap?: CapName): FieldSpec =>
  cap === undefined ? { name, kind } : { name, kind, cap };

/** Each packet type's type-specific header, in wire order. Data follows the header. */
export const layouts: Readonly<Record<PacketName, readonly FieldSpec[]>> = {
  // The capability words follow the version string: the codec handles them as data.
  hello: [f('version', 'char64')],
  device_connect: [
    f('speed', 'u8'),
    f('device_class', 'u8'),
    f('device_subclass', 'u8'),
    f('device_protocol', 'u8'),
    f('vendor_id', 'u16'),
    f('product_id', 'u16'),
    f('device_version_bcd', 'u16', 'connect_device_version'),
  ],
  device_disconnect: [],
  reset: [],
  interface_info: [
    f('interface_count', 'u32'),
    f('interface', 'u8x32'),
    f('interface_class', 'u8x32'),
    f('interface_subclass', 'u8x32'),
    f('interface_protocol', 'u8x32'),
  ],
  ep_info: [
    f('type', 'u8x32'),
    f('interval', 'u8x32'),
    f('interface', 'u8x32'),
    f('max_packet_size', 'u16x32', 'ep_info_max_packet_size'),
    f('max_streams', 'u32x32', 'bulk_streams'),
  ],
  set_configuration: [f('configuration', 'u8')],
  get_configuration: [],
  configuration_status: [f('status', 'u8'), f('configuration', 'u8')],
  set_alt_setting: [f('interface', 'u8'), f('alt', 'u8')],
  get_alt_setting: [f('interface', 'u8')],
  alt_setting_status: [f('status', 'u8'), f('interface', 'u8'), f('alt', 'u8')],
  start_iso_stream: [f('endpoint', 'u8'), f('pkts_per_urb', 'u8'), f('no_urbs', 'u8')],
  stop_iso_stream: [f('endpoint', 'u8')],
  iso_stream_status: [f('status', 'u8'), f('endpoint', 'u8')],
  start_interrupt_receiving: [f('endpoint', 'u8')],
  stop_interrupt_receiving: [f('endpoint', 'u8')],
  interrupt_receiving_status: [f('status', 'u8'), f('endpoint', 'u8')],
  alloc_bulk_streams: [f('endpoints', 'u32'), f('no_streams', 'u32')],
  free_bulk_streams: [f('endpoints', 'u32')],
  bulk_streams_status: [f('endpoints', 'u32'), f('no_streams', 'u32'), f('status', 'u8')],
  cancel_data_packet: [],
  filter_reject: [],
  // The filter string (0-terminated) is the packet's data.
  filter_filter: [],
  device_disconnect_ack: [],
  start_bulk_receiving: [
    f('stream_id', 'u32'),
    f('bytes_per_transfer', 'u32'),
    f('endpoint', 'u8'),
    f('no_transfers', 'u8'),
  ],
  stop_bulk_receiving: [f('stream_id', 'u32'), f('endpoint', 'u8')],
  bulk_receiving_status: [f('stream_id', 'u32'), f('endpoint', 'u8'), f('status', 'u8')],
  control_packet: [
    f('endpoint', 'u8'),
    f('request', 'u8'),
    f('requesttype', 'u8'),
    f('status', 'u8'),
    f('value', 'u16'),
    f('index', 'u16'),
    f('length', 'u16'),
  ],
  bulk_packet: [
    f('endpoint', 'u8'),
    f('status', 'u8'),
    f('length', 'u16'),
    f('stream_id', 'u32'),
    f('length_high', 'u16', '32bits_bulk_length'),
  ],
  iso_packet: [f('endpoint', 'u8'), f('status', 'u8'), f('length', 'u16')],
  interrupt_packet: [f('endpoint', 'u8'), f('status', 'u8'), f('length', 'u16')],
  buffered_bulk_packet: [
    f('stream_id', 'u32'),
    f('length', 'u32'),
    f('endpoint', 'u8'),
    f('status', 'u8'),
  ],
};

const packetNames = new Map<number, PacketName>(
  Object.entries(PacketType).map(([name, type]) => [type, name as PacketName]),
);

export function packetName(type: number): PacketName | undefined {
  return packetNames.get(type);
}

/** Bytes a field takes on the wire. */
export function fieldBytes(kind: FieldKind): number {
  switch (kind) {
    case 'u8':
      return 1;
    case 'u16':
      return 2;
    case 'u32':
      return 4;
    case 'u64':
      return 8;
    case 'u8x32':
      return 32;
    case 'u16x32':
      return 64;
    case 'u32x32':
      return 128;
    case 'char64':
      return 64;
  }
}

/**
 * Index of an endpoint in ep_info's 32-entry arrays: "first 0-15 out, then 0-15 in"
 * (usb-redirection-protocol.md, usb_redir_ep_info).
 */
export function endpointIndex(address: number): number {
  return ((address & 0x80) >>> 3) | (address & 0x0f);
}

/** The capability words of a set of capabilities (one u32 covers capabilities 0..31). */
export function capabilityWords(caps: Iterable<CapName>): number[] {
  let word = 0;
  for (const cap of caps) word |= 1 << Cap[cap];
  return [word >>> 0];
}

export function hasCap(words: readonly number[], cap: CapName): boolean {
  const bit = Cap[cap];
  return (((words[bit >>> 5] ?? 0) >>> (bit & 31)) & 1) === 1;
}
