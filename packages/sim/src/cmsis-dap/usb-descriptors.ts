import { LANGUAGE_DESCRIPTOR, stringDescriptor } from '../stlink/usb-descriptors.js';
import type { CmsisDapVariant } from './variants.js';

/**
 * USB descriptors of the virtual CMSIS-DAP probes, for GET_DESCRIPTOR control transfers
 * (USB 2.0 specification chapter 9.6; HID 1.11 section 6.2 for the HID and report
 * descriptors of the v1 interface).
 */
const StringIndex = { MANUFACTURER: 1, PRODUCT: 2, SERIAL: 3, FIRST_INTERFACE: 4 } as const;

/**
 * The report descriptor of a CMSIS-DAP v1 interface: one vendor-defined collection with a
 * 64-byte input, a 64-byte output and a 1-byte feature report, no report IDs (the layout
 * Arm's CMSIS-DAP HID firmware declares).
 */
export const HID_REPORT_DESCRIPTOR = Uint8Array.of(
  0x06,
  0x00,
  0xff, // Usage Page (vendor 0xFF00)
  0x09,
  0x01, // Usage (1)
  0xa1,
  0x01, // Collection (Application)
  0x15,
  0x00, // Logical Minimum (0)
  0x26,
  0xff,
  0x00, // Logical Maximum (255)
  0x75,
  0x08, // Report Size (8)
  0x95,
  0x40, // Report Count (64)
  0x09,
  0x01, // Usage (1)
  0x81,
  0x02, // Input (Data, Variable, Absolute)
  0x95,
  0x40, // Report Count (64)
  0x09,
  0x01, // Usage (1)
  0x91,
  0x02, // Output (Data, Variable, Absolute)
  0x95,
  0x01, // Report Count (1)
  0x09,
  0x01, // Usage (1)
  0xb1,
  0x02, // Feature (Data, Variable, Absolute)
  0xc0, // End Collection
);

export function deviceDescriptor(variant: CmsisDapVariant): Uint8Array {
  return Uint8Array.of(
    18,
    0x01,
    0x00,
    0x02, // bcdUSB 2.00
    0xef,
    0x02,
    0x01, // miscellaneous class, interface association
    64, // bMaxPacketSize0
    variant.vendorId & 0xff,
    variant.vendorId >>> 8,
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

export function configurationDescriptor(variant: CmsisDapVariant): Uint8Array {
  const parts: number[] = [];
  variant.interfaces.forEach((iface, i) => {
    parts.push(9, 0x04, iface.number, 0, iface.endpoints.length, iface.class, iface.subclass);
    parts.push(iface.protocol, iface.name === null ? 0 : StringIndex.FIRST_INTERFACE + i);
    if (iface.class === 0x03) {
      const length = HID_REPORT_DESCRIPTOR.length;
      // HID descriptor: bcdHID 1.11, no country, one report descriptor.
      parts.push(9, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, length & 0xff, length >>> 8);
    }
    for (const ep of iface.endpoints) {
      const type = ep.type === 'bulk' ? 0x02 : 0x03;
      parts.push(7, 0x05, ep.address, type, ep.packetSize & 0xff, ep.packetSize >>> 8);
      parts.push(ep.type === 'interrupt' ? 0x01 : 0);
    }
  });
  const total = 9 + parts.length;
  return Uint8Array.of(
    9,
    0x02,
    total & 0xff,
    total >>> 8,
    variant.interfaces.length,
    1,
    0,
    0x80,
    50,
    ...parts,
  );
}

/** GET_DESCRIPTOR(type << 8 | index): device, configuration, strings, HID report. */
export function descriptor(
  variant: CmsisDapVariant,
  serial: string,
  value: number,
): Uint8Array | undefined {
  const type = value >>> 8;
  const index = value & 0xff;
  if (type === 0x01) return deviceDescriptor(variant);
  if (type === 0x02) return configurationDescriptor(variant);
  if (type === 0x22) return HID_REPORT_DESCRIPTOR;
  if (type !== 0x03) return undefined;
  if (index === 0) return LANGUAGE_DESCRIPTOR;
  const strings = new Map<number, string>([
    [StringIndex.MANUFACTURER, variant.manufacturerName],
    [StringIndex.PRODUCT, variant.productName],
    [StringIndex.SERIAL, serial],
  ]);
  variant.interfaces.forEach((iface, i) => {
    if (iface.name !== null) strings.set(StringIndex.FIRST_INTERFACE + i, iface.name);
  });
  const text = strings.get(index);
  return text === undefined ? undefined : stringDescriptor(text);
}
