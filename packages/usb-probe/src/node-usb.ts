/**
 * The one file of the USB transports that imports `usb` (docs/plugins.md). It is loaded
 * lazily, so a machine without the native binding or without a USB subsystem gets
 * PROBE_NO_USB from list()/open() instead of a crash at import time.
 */
import { FlashwrightError } from '@flashwright/core';

/** Where USB devices come from: node `usb` (nodeUsbBackend), a browser's navigator.usb, or the sim. */
export interface UsbBackend {
  /** Every attached device. Throws PROBE_NO_USB when the machine has no USB subsystem. */
  getDevices(signal?: AbortSignal): Promise<USBDevice[]>;
}

/**
 * node `usb` (v3) takes a per-transfer timeout as a third argument and cancels the transfer
 * when it expires; browsers ignore the extra argument. Both are USBDevice.
 */
export interface TimedUsbDevice extends USBDevice {
  transferIn(
    endpointNumber: number,
    length: number,
    timeoutMs?: number,
  ): Promise<USBInTransferResult>;
  transferOut(
    endpointNumber: number,
    data: Uint8Array,
    timeoutMs?: number,
  ): Promise<USBOutTransferResult>;
}

let webUsb: Promise<USB> | undefined;

async function loadWebUsb(): Promise<USB> {
  try {
    const usb = await import('usb');
    return new usb.WebUSB({ allowAllDevices: true });
  } catch (error) {
    throw noUsb(`the USB library could not be loaded (${String(error)})`, error);
  }
}

function noUsb(reason: string, cause: unknown): FlashwrightError {
  return new FlashwrightError(
    'PROBE_NO_USB',
    `This machine has no usable USB subsystem: ${reason}`,
    {
      cause,
    },
  );
}

/** Every device node `usb` can see, through its WebUSB API; shared by all USB transports. */
export const nodeUsbBackend: UsbBackend = {
  async getDevices() {
    webUsb ??= loadWebUsb();
    const usb = await webUsb;
    try {
      return await usb.getDevices();
    } catch (error) {
      // No /sys/bus/usb (containers) or no libusb backend: say so, never crash.
      throw noUsb(error instanceof Error ? error.message : String(error), error);
    }
  },
};
