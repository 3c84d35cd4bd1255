// The declarations name WebUSB types (USBDevice): they come from @types/w3c-web-usb, a
// dependency, so a TypeScript project that imports this package gets them too.
/// <reference types="w3c-web-usb" preserve="true" />
/**
 * @flashwright/usb-probe: what the USB probe transports (ST-Link, CMSIS-DAP) share, so that
 * each keeps only its own protocol. `usb` is imported here, lazily, and nowhere else.
 */
export { nodeUsbBackend, type TimedUsbDevice, type UsbBackend } from './node-usb.js';
export {
  classifyUsbFailure,
  usbErrorsFor,
  type ProbeWording,
  type UsbErrorFn,
  type UsbFailure,
} from './usb-errors.js';
export { GUARD_MARGIN_MS, guardTransfer, type TransferGuard } from './guarded-transfer.js';
export {
  chooseProbe,
  serialMatches,
  type ProbeCandidate,
  type ProbeNouns,
} from './choose-probe.js';
export { hidrawRule, udevHint, usbfsRule } from './udev.js';
export { getU16, getU32, hex, putU16, putU32 } from './bytes.js';
