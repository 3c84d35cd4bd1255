/**
 * The one file that imports `usb` (a transport imports it in one file only: docs/plugins.md).
 * It is loaded lazily, so a machine without the native binding or without a USB subsystem gets
 * PROBE_NO_USB from list()/open() instead of a crash at import time.
 */
import { FlashwrightError } from '@flashwright/core';
import type { UsbBackend } from './transport.js';

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
