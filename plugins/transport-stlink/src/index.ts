// The declarations name WebUSB types (USBDevice): they come from @types/w3c-web-usb, a
// dependency, so a TypeScript project that imports this package gets them too.
/// <reference types="w3c-web-usb" preserve="true" />
import { PLUGIN_API_VERSION, type FlashwrightPlugin } from '@flashwright/core';
import { nodeUsbBackend } from '@flashwright/usb-probe';
import { createStLinkTransport } from './transport.js';

export { StLinkProbe, type StLinkOpenOptions } from './driver/stlink-probe.js';
export { StLinkDriver, DEFAULT_WAIT_RETRY, type WaitRetryPolicy } from './driver/stlink-driver.js';
export { StLinkMemory } from './driver/memory.js';
export { planTransfers, type TransferPiece, type TransferLimits } from './driver/transfer-plan.js';
export {
  createStLinkTransport,
  type StLinkTransportOptions,
  type UsbBackend,
} from './transport.js';
export {
  STLINK_MODELS,
  ST_VENDOR_ID,
  stLinkModel,
  type StLinkModel,
  type StLinkLine,
} from './protocol/probe-ids.js';
export {
  formatVersion,
  hasFeature,
  type FirmwareFeature,
  type StLinkVersion,
} from './protocol/version.js';
export { statusName } from './protocol/status.js';
export { V2_SWD_SPEEDS, V2_JTAG_SPEEDS } from './protocol/speed.js';
export { udevRule, udevHint, UDEV_RULE_FILE } from './usb/udev.js';

export const PLUGIN_NAME = '@flashwright/transport-stlink';
export const PLUGIN_VERSION = '0.1.0';

/** The plugin factory the loader calls for `transport: stlink`. */
export function plugin(): FlashwrightPlugin {
  return {
    meta: { name: PLUGIN_NAME, version: PLUGIN_VERSION, apiVersion: PLUGIN_API_VERSION },
    transports: [createStLinkTransport(nodeUsbBackend)],
  };
}
