import { endpointIndex, EndpointType } from './protocol.js';

/**
 * What the usb-host side announces about a device, read from its raw descriptors (USB 2.0
 * specification, 9.6.1 device, 9.6.3 configuration, 9.6.5 interface, 9.6.6 endpoint), as
 * usbredirhost does from libusb's parsed configuration: one entry per interface (alternate
 * setting 0) and the type, interval, interface and max packet size of each endpoint.
 */
export interface DeviceDescriptorInfo {
  readonly bcdUsb: number;
  readonly deviceClass: number;
  readonly deviceSubclass: number;
  readonly deviceProtocol: number;
  readonly maxPacketSize0: number;
  readonly vendorId: number;
  readonly productId: number;
  readonly bcdDevice: number;
}

export interface EndpointInfo {
  readonly address: number;
  readonly type: number;
  readonly interval: number;
  readonly interfaceNumber: number;
  readonly maxPacketSize: number;
}

export interface InterfaceInfo {
  readonly number: number;
  readonly class: number;
  readonly subclass: number;
  readonly protocol: number;
  readonly endpoints: readonly EndpointInfo[];
}

export interface ConfigurationInfo {
  readonly value: number;
  readonly interfaces: readonly InterfaceInfo[];
}

export class DescriptorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DescriptorError';
  }
}

const u16 = (bytes: Uint8Array, offset: number): number =>
  (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8);

export function parseDeviceDescriptor(bytes: Uint8Array): DeviceDescriptorInfo {
  if (bytes.length < 18 || bytes[1] !== 0x01) {
    throw new DescriptorError(`not a device descriptor (${bytes.length} bytes, type ${bytes[1]})`);
  }
  return {
    bcdUsb: u16(bytes, 2),
    deviceClass: bytes[4] ?? 0,
    deviceSubclass: bytes[5] ?? 0,
    deviceProtocol: bytes[6] ?? 0,
    maxPacketSize0: bytes[7] ?? 0,
    vendorId: u16(bytes, 8),
    productId: u16(bytes, 10),
    bcdDevice: u16(bytes, 12),
  };
}

/** Parses a whole configuration descriptor (wTotalLength bytes); other descriptors are skipped. */
export function parseConfigurationDescriptor(bytes: Uint8Array): ConfigurationInfo {
  if (bytes.length < 9 || bytes[1] !== 0x02) {
    throw new DescriptorError(`not a configuration descriptor (type ${bytes[1]})`);
  }
  const total = Math.min(u16(bytes, 2), bytes.length);
  const interfaces: { info: InterfaceInfo; endpoints: EndpointInfo[] }[] = [];
  let current: { info: InterfaceInfo; endpoints: EndpointInfo[] } | undefined;
  for (let offset = 0; offset + 2 <= total;) {
    const length = bytes[offset] ?? 0;
    const type = bytes[offset + 1];
    if (length < 2 || offset + length > total) {
      throw new DescriptorError(`descriptor at offset ${offset} has a bad length ${length}`);
    }
    if (type === 0x04 && length >= 9) {
      const alternate = bytes[offset + 3] ?? 0;
      if (alternate === 0) {
        const endpoints: EndpointInfo[] = [];
        current = {
          endpoints,
          info: {
            number: bytes[offset + 2] ?? 0,
            class: bytes[offset + 5] ?? 0,
            subclass: bytes[offset + 6] ?? 0,
            protocol: bytes[offset + 7] ?? 0,
            endpoints,
          },
        };
        interfaces.push(current);
      } else {
        current = undefined;
      }
    } else if (type === 0x05 && length >= 7 && current) {
      current.endpoints.push({
        address: bytes[offset + 2] ?? 0,
        type: (bytes[offset + 3] ?? 0) & 0x03,
        maxPacketSize: u16(bytes, offset + 4),
        interval: bytes[offset + 6] ?? 0,
        interfaceNumber: current.info.number,
      });
    }
    offset += length;
  }
  return { value: bytes[5] ?? 0, interfaces: interfaces.map((i) => i.info) };
}

/** The ep_info arrays for a configuration (undefined: unconfigured, endpoint 0 only). */
export function endpointTable(
  maxPacketSize0: number,
  configuration: ConfigurationInfo | undefined,
): { type: number[]; interval: number[]; interface: number[]; max_packet_size: number[] } {
  const table = {
    type: Array.from({ length: 32 }, (_, i): number =>
      (i & 0x0f) === 0 ? EndpointType.control : EndpointType.invalid,
    ),
    interval: new Array<number>(32).fill(0),
    interface: new Array<number>(32).fill(0),
    max_packet_size: Array.from({ length: 32 }, (_, i) => ((i & 0x0f) === 0 ? maxPacketSize0 : 0)),
  };
  for (const iface of configuration?.interfaces ?? []) {
    for (const ep of iface.endpoints) {
      const i = endpointIndex(ep.address);
      table.type[i] = ep.type;
      table.interval[i] = ep.interval;
      table.interface[i] = ep.interfaceNumber;
      table.max_packet_size[i] = ep.maxPacketSize;
    }
  }
  return table;
}

/** The interface_info arrays for a configuration. */
export function interfaceTable(configuration: ConfigurationInfo | undefined): {
  interface_count: number;
  interface: number[];
  interface_class: number[];
  interface_subclass: number[];
  interface_protocol: number[];
} {
  const interfaces = configuration?.interfaces.slice(0, 32) ?? [];
  return {
    interface_count: interfaces.length,
    interface: interfaces.map((i) => i.number),
    interface_class: interfaces.map((i) => i.class),
    interface_subclass: interfaces.map((i) => i.subclass),
    interface_protocol: interfaces.map((i) => i.protocol),
  };
}
