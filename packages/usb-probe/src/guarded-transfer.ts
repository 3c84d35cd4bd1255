import type { FlashwrightError } from '@flashwright/core';
import { classifyUsbFailure, type UsbErrorFn } from './usb-errors.js';

/** Our own timer waits this much longer than the transfer's timeout, so the device's wins when it honours it. */
export const GUARD_MARGIN_MS = 250;

export interface TransferGuard {
  /** The step, for the error ("READMEM_32BIT data IN"). */
  readonly what: string;
  readonly timeoutMs: number;
  readonly usbError: UsbErrorFn;
  /** The device and its IN endpoint: clearing a halt there tells an unplugged device from a failed transfer. */
  readonly device: USBDevice;
  readonly inEndpoint: number;
  /** Our timer won: the transfer is still in flight and its reply would be taken for the next one's. */
  readonly onAbandoned?: (error: FlashwrightError) => void;
  /** Records the failure on the link (broken, needs a reset) and returns what to throw. */
  readonly fail: (error: FlashwrightError) => FlashwrightError;
}

/**
 * Races a USB transfer against our own timer, and turns whatever ends it badly into the
 * catalogue error. WebUSB reports a transfer cut short by an unplug as a generic
 * NetworkError, so a generic failure asks the device whether it is still there.
 *
 * When our timer fires, the verdict waits for one more turn of the event loop. A timer fires
 * late when the loop was busy (a long synchronous stretch, a loaded host), and then the
 * transfer's completion may be due too but queued behind the timer: Node runs the timers
 * phase before the poll phase that delivers I/O, and runs every due timer of one duration
 * before those of another (Node lib/internal/timers.js, processTimers and listOnTimeout).
 * Only a transfer still pending after that turn has outlived its timeout.
 */
export async function guardTransfer<T>(work: Promise<T>, guard: TransferGuard): Promise<T> {
  const { what, timeoutMs, usbError } = guard;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cancelVerdict: (() => void) | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cancelVerdict = afterDueEvents(() => {
        const error = usbError(new Error('timed out'), what, timeoutMs);
        guard.onAbandoned?.(error);
        reject(error);
      });
    }, timeoutMs + GUARD_MARGIN_MS);
  });
  const stop = (): void => {
    clearTimeout(timer);
    cancelVerdict?.();
  };
  // The abandoned transfer may still settle later; nobody waits for it.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, expired]);
  } catch (error) {
    stop(); // settled: no verdict of our timer while the device is looked at below
    let failure = usbError(error, what, timeoutMs);
    if (failure.code === 'PROBE_USB_ERROR' && (await deviceGone(guard.device, guard.inEndpoint))) {
      failure = usbError(new Error('device disconnected'), what);
    }
    throw guard.fail(failure);
  } finally {
    stop();
  }
}

/**
 * Runs `callback` once the event loop has delivered what is already due: setImmediate on
 * Node (its check phase follows the poll phase), a zero timeout in a browser (a task queued
 * after the USB completions already queued). Returns the cancel.
 */
function afterDueEvents(callback: () => void): () => void {
  if (typeof setImmediate === 'function') {
    const immediate = setImmediate(callback);
    return () => clearImmediate(immediate);
  }
  const timeout = setTimeout(callback, 0);
  return () => clearTimeout(timeout);
}

/** True when the device no longer answers at all (unplugged). */
async function deviceGone(device: USBDevice, inEndpoint: number): Promise<boolean> {
  try {
    await device.clearHalt('in', inEndpoint);
    return false;
  } catch (error) {
    return classifyUsbFailure(error) === 'disconnected';
  }
}
