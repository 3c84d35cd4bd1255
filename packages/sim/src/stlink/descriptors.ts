import type { UsbSpeed } from '../timing.js';

/**
 * USB identity of the virtual ST-Links, as the lsusb dumps in OpenOCD
 * doc/usb_adapters/stlink/ show them (PIDs also in tcl/interface/stlink.cfg, endpoints also
 * in pyOCD probe/stlink/usb.py USB_PID_EP_MAP). Endpoint addresses carry the direction bit
 * (0x81 = IN 1).
 */
export interface EndpointDescriptor {
  readonly address: number;
  readonly type: 'bulk' | 'interrupt';
  readonly packetSize: number;
}

export interface InterfaceDescriptor {
  readonly number: number;
  readonly class: number;
  readonly subclass: number;
  readonly protocol: number;
  readonly name: string | null;
  readonly endpoints: readonly EndpointDescriptor[];
}

export type StlinkProbeKind = 'stlink-v2' | 'stlink-v2-1' | 'stlink-v3';

export interface StlinkVariant {
  readonly kind: StlinkProbeKind;
  readonly productId: number;
  readonly speed: UsbSpeed;
  /** Debug OUT, debug IN and SWO endpoint addresses. */
  readonly debugOut: number;
  readonly debugIn: number;
  readonly traceIn: number;
  readonly deviceClass: readonly [number, number, number];
  readonly productName: string;
  readonly maxPowerMa: number;
  readonly interfaces: readonly InterfaceDescriptor[];
  /** Firmware a new probe of this kind reports unless configured otherwise. */
  readonly defaultFirmware: string;
  readonly defaultSerial: string;
}

const VENDOR = { class: 0xff, subclass: 0xff, protocol: 0xff } as const;

function bulk(address: number, packetSize: number): EndpointDescriptor {
  return { address, type: 'bulk', packetSize };
}

function msc(number: number, packetSize: number): InterfaceDescriptor {
  return {
    number,
    class: 0x08,
    subclass: 0x06,
    protocol: 0x50,
    name: 'ST-Link mass storage',
    endpoints: [bulk(0x83, packetSize), bulk(0x03, packetSize)],
  };
}

function vcp(first: number, packetSize: number): InterfaceDescriptor[] {
  return [
    {
      number: first,
      class: 0x02,
      subclass: 0x02,
      protocol: 0x01,
      name: 'ST-Link VCP Ctrl',
      endpoints: [{ address: 0x84, type: 'interrupt', packetSize: 16 }],
    },
    {
      number: first + 1,
      class: 0x0a,
      subclass: 0x00,
      protocol: 0x00,
      name: 'ST-Link VCP Data',
      endpoints: [bulk(0x05, packetSize), bulk(0x85, packetSize)],
    },
  ];
}

function bridge(number: number): InterfaceDescriptor {
  return {
    number,
    ...VENDOR,
    name: 'ST-Link Bridge',
    endpoints: [bulk(0x86, 512), bulk(0x06, 512)],
  };
}

/** Every modelled PID. The first of each kind is the one a recipe's `probe` selects. */
/** STLINK-V3E / V3MINI (PID 0x374E): debug, mass storage and VCP. */
const stlinkV3E: StlinkVariant = {
  kind: 'stlink-v3',
  productId: 0x374e,
  speed: 'high-speed',
  debugOut: 0x01,
  debugIn: 0x81,
  traceIn: 0x82,
  deviceClass: [0xef, 0x02, 0x01],
  productName: 'STLINK-V3',
  maxPowerMa: 500,
  interfaces: [
    {
      number: 0,
      ...VENDOR,
      name: 'ST-Link Debug',
      endpoints: [bulk(0x81, 512), bulk(0x01, 512), bulk(0x82, 512)],
    },
    msc(1, 512),
    ...vcp(2, 512),
  ],
  defaultFirmware: 'V3J7M3B5S1',
  defaultSerial: '002F00293137510D33333639',
};

export const stlinkVariants: readonly StlinkVariant[] = [
  {
    kind: 'stlink-v2',
    productId: 0x3748,
    speed: 'full-speed',
    debugOut: 0x02,
    debugIn: 0x81,
    traceIn: 0x83,
    deviceClass: [0, 0, 0],
    productName: 'STM32 STLink',
    maxPowerMa: 100,
    interfaces: [
      {
        number: 0,
        ...VENDOR,
        name: 'ST Link',
        endpoints: [bulk(0x81, 64), bulk(0x02, 64), bulk(0x83, 64)],
      },
    ],
    defaultFirmware: 'V2J37S7',
    defaultSerial: '37FF71064E4B363432461043',
  },
  {
    kind: 'stlink-v2-1',
    productId: 0x374b,
    speed: 'full-speed',
    debugOut: 0x01,
    debugIn: 0x81,
    traceIn: 0x82,
    deviceClass: [0xef, 0x02, 0x01],
    productName: 'STM32 STLink',
    maxPowerMa: 300,
    interfaces: [
      {
        number: 0,
        ...VENDOR,
        name: 'ST-Link Debug',
        endpoints: [bulk(0x81, 64), bulk(0x01, 64), bulk(0x82, 32)],
      },
      msc(1, 64),
      ...vcp(2, 64),
    ],
    defaultFirmware: 'V2J40M27',
    defaultSerial: '066DFF485550755187121723',
  },
  {
    kind: 'stlink-v2-1',
    productId: 0x3752,
    speed: 'full-speed',
    debugOut: 0x01,
    debugIn: 0x81,
    traceIn: 0x82,
    deviceClass: [0xef, 0x02, 0x01],
    productName: 'STM32 STLink',
    maxPowerMa: 300,
    interfaces: [
      {
        number: 0,
        ...VENDOR,
        name: 'ST-Link Debug',
        endpoints: [bulk(0x81, 64), bulk(0x01, 64), bulk(0x82, 32)],
      },
      ...vcp(1, 64),
    ],
    defaultFirmware: 'V2J40M27',
    defaultSerial: '0670FF485550755187121724',
  },
  stlinkV3E,
  // V3SET: the same debug interface, plus the ST-Link Bridge interface.
  {
    ...stlinkV3E,
    productId: 0x374f,
    interfaces: [...stlinkV3E.interfaces, bridge(4)],
    defaultSerial: '003A00483137510D33333640',
  },
];

/** The variant for a probe kind, or a specific PID of that kind. */
export function stlinkVariant(
  kind: StlinkProbeKind,
  productId?: number,
): StlinkVariant | undefined {
  return stlinkVariants.find(
    (v) => v.kind === kind && (productId === undefined || v.productId === productId),
  );
}

export const ST_VENDOR_ID = 0x0483;
export const MANUFACTURER = 'STMicroelectronics';
