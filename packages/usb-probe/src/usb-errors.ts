import { FlashwrightError, isFlashwrightError } from '@flashwright/core';

/** What a USB or HID failure was, from libusb/nusb/hidapi messages and WebUSB DOMException names. */
export type UsbFailure = 'timeout' | 'stall' | 'disconnected' | 'access' | 'busy' | 'other';

const patterns: readonly (readonly [UsbFailure, RegExp])[] = [
  // node `usb` 3 (nusb) cancels a transfer whose timeout expires and reports "Cancelled".
  ['timeout', /timed?[ _-]?out|ETIMEDOUT|TimeoutError|cancel/i],
  ['stall', /stall|pipe error|LIBUSB_ERROR_PIPE/i],
  [
    'disconnected',
    /disconnect|no such device|ENODEV|NotFoundError|LIBUSB_ERROR_NO_DEVICE|device (?:was|has been) (?:removed|lost)|device gone|could not read from HID device|cannot write to hid device/i,
  ],
  [
    'access',
    /permission denied|access denied|EACCES|EPERM|SecurityError|LIBUSB_ERROR_ACCESS|cannot open device/i,
  ],
  ['busy', /busy|failed to claim|unable to claim|already claimed|LIBUSB_ERROR_BUSY/i],
];

export function classifyUsbFailure(error: unknown): UsbFailure {
  let text = String(error);
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    text = `${error.name} ${error.message} ${typeof code === 'string' || typeof code === 'number' ? code : ''}`;
  }
  for (const [kind, pattern] of patterns) if (pattern.test(text)) return kind;
  return 'other';
}

/** How a transport names its probes in errors, and what may hold one. */
export interface ProbeWording {
  /** "ST-Link", "CMSIS-DAP probe": the subject of "… did not answer", "… disconnected". */
  readonly probe: string;
  /** The programs that commonly hold this kind of probe, for the busy hint. */
  readonly holders: string;
}

/** The catalogue error for a failed USB or HID operation; `what` names the step that failed. */
export type UsbErrorFn = (error: unknown, what: string, timeoutMs?: number) => FlashwrightError;

export function usbErrorsFor(wording: ProbeWording): UsbErrorFn {
  return (error, what, timeoutMs) => {
    if (isFlashwrightError(error)) return error;
    const reason = error instanceof Error ? error.message : String(error);
    const within = timeoutMs === undefined ? '' : ` within ${timeoutMs} ms`;
    switch (classifyUsbFailure(error)) {
      case 'timeout':
        return new FlashwrightError(
          'PROBE_TIMEOUT',
          `${wording.probe} did not answer ${what}${within}`,
          {
            cause: error,
          },
        );
      case 'stall':
        return new FlashwrightError('PROBE_USB_ERROR', `USB endpoint stalled during ${what}`, {
          hint: 'The probe rejected the transfer. Unplug and replug it, then try again.',
          cause: error,
        });
      case 'disconnected':
        return new FlashwrightError(
          'PROBE_DISCONNECTED',
          `${wording.probe} disconnected during ${what}`,
          {
            cause: error,
          },
        );
      case 'access':
        return new FlashwrightError(
          'PROBE_ACCESS_DENIED',
          `No permission to use the ${wording.probe} (${reason})`,
          { hint: 'Run `flashwright probes` for the udev rule that grants access.', cause: error },
        );
      case 'busy':
        return new FlashwrightError(
          'PROBE_USB_ERROR',
          `${wording.probe} is in use by another program (${reason})`,
          { hint: `Close ${wording.holders}, then try again.`, cause: error },
        );
      case 'other':
        return new FlashwrightError(
          'PROBE_USB_ERROR',
          `USB transfer failed during ${what}: ${reason}`,
          {
            hint: 'Unplug and replug the probe (use a direct port, not a hub), then try again.',
            cause: error,
          },
        );
    }
  };
}
