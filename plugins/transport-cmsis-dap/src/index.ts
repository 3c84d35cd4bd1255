// The declarations name WebUSB types (USBDevice): they come from @types/w3c-web-usb, a
// dependency, so a TypeScript project that imports this package gets them too.
/// <reference types="w3c-web-usb" preserve="true" />
import { PLUGIN_API_VERSION, type FlashwrightPlugin } from '@flashwright/core';
import { nodeHidBackend } from './node-hid.js';
import { nodeUsbBackend } from '@flashwright/usb-probe';
import { createCmsisDapTransport } from './transport.js';

export {
  CmsisDapProbe,
  type CmsisDapOpenOptions,
  type UsbIdentity,
} from './driver/cmsis-dap-probe.js';
export { DapDriver } from './driver/dap-driver.js';
export { CmsisDapWire } from './driver/swd-wire.js';
export { firmwareWarnings } from './driver/firmware-policy.js';
export {
  DEFAULT_SPEED_KHZ,
  DEFAULT_WAIT_RETRY,
  readProbeInfo,
  startSwd,
  type DapProbeInfo,
} from './driver/open-sequence.js';
export {
  createCmsisDapTransport,
  type CmsisDapTransportOptions,
  type HidBackend,
  type HidDeviceInfo,
  type UsbBackend,
} from './transport.js';
export { KNOWN_PROBES, knownProbe, saysCmsisDap, type KnownProbe } from './protocol/probe-ids.js';
export { findDapInterface, type DapInterface } from './usb/dap-interface.js';
export {
  WebUsbPacketChannel,
  DEFAULT_TRANSFER_TIMEOUT_MS,
  type PacketChannel,
} from './usb/packet-channel.js';
export { HidPacketChannel, type HidReportDevice } from './usb/hid-channel.js';
export { udevHint, udevRules, UDEV_RULE_FILE } from './usb/udev.js';

export const PLUGIN_NAME = '@flashwright/transport-cmsis-dap';
export const PLUGIN_VERSION = '0.1.0';

/** The plugin factory the loader calls for `transport: cmsis-dap`. */
export function plugin(): FlashwrightPlugin {
  return {
    meta: { name: PLUGIN_NAME, version: PLUGIN_VERSION, apiVersion: PLUGIN_API_VERSION },
    transports: [createCmsisDapTransport(nodeUsbBackend, { hid: nodeHidBackend })],
  };
}
