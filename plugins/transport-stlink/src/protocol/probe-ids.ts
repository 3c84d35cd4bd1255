/**
 * ST-Link USB identities and endpoint maps: the PIDs of OpenOCD tcl/interface/stlink.cfg,
 * pyOCD probe/stlink/usb.py and probe-rs stlink/usb_interface.rs; the endpoints of the lsusb
 * dumps in OpenOCD doc/usb_adapters/stlink/ (also pyOCD USB_PID_EP_MAP). The debug interface
 * is always interface 0; endpoints are bulk. Endpoint numbers here are WebUSB endpoint numbers
 * (address without the direction bit): IN 0x81 is 1, OUT 0x02 is 2.
 */
export const ST_VENDOR_ID = 0x0483;

export type StLinkLine = 'V1' | 'V2' | 'V2-1' | 'V3' | 'V3PWR';

export interface StLinkModel {
  readonly productId: number;
  readonly line: StLinkLine;
  readonly name: string;
  /** USB loader / firmware-update mode: enumerates, but cannot debug. */
  readonly loader: boolean;
  readonly outEndpoint: number;
  readonly inEndpoint: number;
  /** Full-speed 64-byte or high-speed 512-byte bulk packets. */
  readonly packetBytes: 64 | 512;
}

function model(
  productId: number,
  line: StLinkLine,
  name: string,
  outEndpoint: number,
  options: { loader?: boolean } = {},
): StLinkModel {
  const highSpeed = line === 'V3' || line === 'V3PWR';
  return {
    productId,
    line,
    name,
    loader: options.loader ?? false,
    outEndpoint,
    inEndpoint: 1,
    packetBytes: highSpeed ? 512 : 64,
  };
}

export const STLINK_MODELS: readonly StLinkModel[] = [
  model(0x3744, 'V1', 'ST-LINK/V1', 2),
  model(0x3748, 'V2', 'ST-LINK/V2', 2),
  model(0x374a, 'V2-1', 'ST-LINK/V2-1 (audio)', 1),
  model(0x374b, 'V2-1', 'ST-LINK/V2-1', 1),
  model(0x3752, 'V2-1', 'ST-LINK/V2-1 (no MSD)', 1),
  // Listed only by probe-rs ("V2-1 No MSD"); unconfirmed, kept so such a probe is not ignored.
  model(0x3742, 'V2-1', 'ST-LINK/V2-1 (no MSD, unconfirmed PID)', 1),
  model(0x374d, 'V3', 'STLINK-V3 USB loader', 1, { loader: true }),
  model(0x374e, 'V3', 'STLINK-V3E', 1),
  model(0x374f, 'V3', 'STLINK-V3SET', 1),
  model(0x3753, 'V3', 'STLINK-V3 (2 VCP)', 1),
  model(0x3754, 'V3', 'STLINK-V3 (no MSD)', 1),
  model(0x3755, 'V3PWR', 'STLINK-V3PWR USB loader', 1, { loader: true }),
  model(0x3757, 'V3PWR', 'STLINK-V3PWR', 1),
];

export function stLinkModel(vendorId: number, productId: number): StLinkModel | undefined {
  if (vendorId !== ST_VENDOR_ID) return undefined;
  return STLINK_MODELS.find((m) => m.productId === productId);
}
