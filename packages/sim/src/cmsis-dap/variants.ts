import type { InterfaceDescriptor } from '../stlink/descriptors.js';
import { cmsisDapTiming, type UsbSpeed } from '../timing.js';

export type CmsisDapProbeKind = 'cmsis-dap-v1' | 'cmsis-dap-v2';

/** A virtual CMSIS-DAP probe: its USB identity and what its firmware reports in DAP_Info. */
export interface CmsisDapVariant {
  readonly kind: CmsisDapProbeKind;
  readonly version: 'v1' | 'v2';
  readonly vendorId: number;
  readonly productId: number;
  readonly manufacturerName: string;
  readonly productName: string;
  readonly speed: UsbSpeed;
  readonly interfaces: readonly InterfaceDescriptor[];
  /** DAP_PACKET_SIZE and DAP_PACKET_COUNT of the firmware (DAP_config.h). */
  readonly packetBytes: number;
  readonly packetCount: number;
  /** DAP_Info Capabilities byte 0. */
  readonly capabilities: number;
  /** DAP_Info 0x04 (DAP_FW_VER of the CMSIS-DAP sources it is built from). */
  readonly protocolVersion: string;
  /** DAP_Info 0x09; undefined where the firmware reports none. */
  readonly defaultFirmware: string | undefined;
  readonly defaultSerial: string;
}

/**
 * CMSIS-DAP v1: Arm's DAPLink interface firmware, which answers through a HID interface
 * with 64-byte reports at full speed. VID:PID 0x0D28:0x0204 and the product string "DAPLink
 * CMSIS-DAP" (ARMmbed/DAPLink source/usb/usb_config.c). Packet size 64 and count 1 are
 * DAPLink's values with the HID endpoint (source/hic_hal/nxp/lpc4322/DAP_config.h:
 * DAP_PACKET_SIZE 64 under HID_ENDPOINT, DAP_PACKET_COUNT 1). Protocol "2.1.0" is
 * DAP_FW_VER of the CMSIS-DAP 2.1 sources; "0257" stands for a DAPLink release number.
 */
const v1: CmsisDapVariant = {
  kind: 'cmsis-dap-v1',
  version: 'v1',
  vendorId: 0x0d28,
  productId: 0x0204,
  manufacturerName: 'ARM',
  productName: 'DAPLink CMSIS-DAP',
  speed: cmsisDapTiming.v1.usb,
  // DAPLink numbers its HID interface 3, after its MSC (0) and CDC (1, 2) interfaces; alone
  // it is interface 0, as USB 2.0 section 9.6.5 numbers interfaces from zero (Linux notes
  // "invalid interface number: 3 but max is 0" otherwise).
  interfaces: [
    {
      number: 0,
      class: 0x03,
      subclass: 0x00,
      protocol: 0x00,
      name: 'CMSIS-DAP v1',
      endpoints: [
        { address: 0x84, type: 'interrupt', packetSize: 64 },
        { address: 0x04, type: 'interrupt', packetSize: 64 },
      ],
    },
  ],
  packetBytes: 64,
  packetCount: 1,
  capabilities: 0x01,
  protocolVersion: '2.1.0',
  defaultFirmware: '0257',
  defaultSerial: '0240000034544e45001b00038b800017d121000097969900',
};

/**
 * CMSIS-DAP v2: NXP's MCU-Link with Arm's CMSIS-DAP firmware, a vendor-class interface named
 * "CMSIS-DAP v2" with high-speed bulk endpoints. Packet size 512 and count 8 are that
 * firmware's values (ARM-software/CMSIS_5 CMSIS/DAP/Firmware/Examples/MCU-LINK/
 * DAP_config.h: DAP_PACKET_SIZE 512U, DAP_PACKET_COUNT 8U); VID:PID 0x1FC9:0x0143 as NXP's
 * MCU-Link enumerates (pyOCD and probe-rs list it).
 */
const v2: CmsisDapVariant = {
  kind: 'cmsis-dap-v2',
  version: 'v2',
  vendorId: 0x1fc9,
  productId: 0x0143,
  manufacturerName: 'NXP Semiconductors',
  productName: 'MCU-Link CMSIS-DAP',
  speed: cmsisDapTiming.v2.usb,
  interfaces: [
    {
      number: 0,
      class: 0xff,
      subclass: 0x00,
      protocol: 0x00,
      name: 'CMSIS-DAP v2',
      endpoints: [
        { address: 0x01, type: 'bulk', packetSize: 512 },
        { address: 0x82, type: 'bulk', packetSize: 512 },
      ],
    },
  ],
  packetBytes: 512,
  packetCount: 8,
  capabilities: 0x01 | 0x02,
  protocolVersion: '2.1.0',
  defaultFirmware: '2.1.1',
  defaultSerial: 'MCUL0AZQ3OFRD',
};

export const cmsisDapVariants: Readonly<Record<CmsisDapProbeKind, CmsisDapVariant>> = {
  'cmsis-dap-v1': v1,
  'cmsis-dap-v2': v2,
};

export function isCmsisDapKind(kind: string): kind is CmsisDapProbeKind {
  return kind === 'cmsis-dap-v1' || kind === 'cmsis-dap-v2';
}
