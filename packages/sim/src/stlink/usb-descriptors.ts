import { MANUFACTURER, ST_VENDOR_ID, type StlinkVariant } from './descriptors.js';

/**
 * Raw USB descriptors of a virtual ST-Link, for hosts that read them with GET_DESCRIPTOR
 * control transfers (OpenOCD reads the raw serial string to repair binary serials), and
 * the WebUSB objects built from the same data.
 */
export const StringIndex = { MANUFACTURER: 1, PRODUCT: 2, SERIAL: 3, FIRST_INTERFACE: 4 } as const;

export function deviceDescriptor(variant: StlinkVariant): Uint8Array {
  const [cls, sub, proto] = variant.deviceClass;
  return Uint8Array.of(
    18,
    0x01,
    0x00,
    0x02, // bcdUSB 2.00
    cls,
    sub,
    proto,
    64, // bMaxPacketSize0
    ST_VENDOR_ID & 0xff,
    ST_VENDOR_ID >>> 8,
    variant.productId & 0xff,
    variant.productId >>> 8,
    0x00,
    0x01, // bcdDevice 1.00
    StringIndex.MANUFACTURER,
    StringIndex.PRODUCT,
    StringIndex.SERIAL,
    1,
  );
}

export function configurationDescriptor(variant: StlinkVariant): Uint8Array {
  const parts: number[] = [];
  variant.interfaces.forEach((iface, i) => {
    parts.push(9, 0x04, iface.number, 0, iface.endpoints.length, iface.class, iface.subclass);
    parts.push(iface.protocol, iface.name === null ? 0 : StringIndex.FIRST_INTERFACE + i);
    for (const ep of iface.endpoints) {
      const type = ep.type === 'bulk' ? 0x02 : 0x03;
      parts.push(7, 0x05, ep.address, type, ep.packetSize & 0xff, ep.packetSize >>> 8);
      parts.push(ep.type === 'interrupt' ? 0x10 : 0);
    }
  });
  const total = 9 + parts.length;
  const maxPower = Math.min(250, Math.round(variant.maxPowerMa / 2));
  return Uint8Array.of(
    9,
    0x02,
    total & 0xff,
    total >>> 8,
    variant.interfaces.length,
    1,
    0,
    0x80,
    maxPower,
    ...parts,
  );
}

/**
 * A string descriptor. Each character becomes one UTF-16LE code unit, so a clone's binary
 * serial (12 characters holding byte values) gives the 26-byte descriptor OpenOCD repairs.
 */
export function stringDescriptor(text: string): Uint8Array {
  const bytes = new Uint8Array(2 + 2 * text.length);
  bytes[0] = bytes.length;
  bytes[1] = 0x03;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes[2 + 2 * i] = unit & 0xff;
    bytes[3 + 2 * i] = unit >>> 8;
  }
  return bytes;
}

/** String descriptor 0: the supported language (US English). */
export const LANGUAGE_DESCRIPTOR = Uint8Array.of(4, 0x03, 0x09, 0x04);

export function stringTable(variant: StlinkVariant, serial: string): Map<number, string> {
  const table = new Map<number, string>([
    [StringIndex.MANUFACTURER, MANUFACTURER],
    [StringIndex.PRODUCT, variant.productName],
    [StringIndex.SERIAL, serial],
  ]);
  variant.interfaces.forEach((iface, i) => {
    if (iface.name !== null) table.set(StringIndex.FIRST_INTERFACE + i, iface.name);
  });
  return table;
}

/** WebUSB view of the single configuration (value 1). */
export function webUsbConfiguration(
  variant: Pick<StlinkVariant, 'interfaces'>,
  claimed: ReadonlySet<number>,
): USBConfiguration {
  const configuration = {
    configurationValue: 1,
    configurationName: null,
    interfaces: [] as USBInterface[],
  };
  for (const iface of variant.interfaces) {
    const alternate: USBAlternateInterface = {
      alternateSetting: 0,
      interfaceClass: iface.class,
      interfaceSubclass: iface.subclass,
      interfaceProtocol: iface.protocol,
      interfaceName: iface.name,
      endpoints: iface.endpoints.map((ep) => ({
        endpointNumber: ep.address & 0x0f,
        direction: ep.address & 0x80 ? 'in' : 'out',
        type: ep.type,
        packetSize: ep.packetSize,
      })),
    };
    configuration.interfaces.push({
      interfaceNumber: iface.number,
      alternate,
      alternates: [alternate],
      get claimed() {
        return claimed.has(iface.number);
      },
    });
  }
  return configuration;
}
