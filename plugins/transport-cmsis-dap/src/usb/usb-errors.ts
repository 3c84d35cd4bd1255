import { FlashwrightError, isFlashwrightError } from '@flashwright/core';

/** What a USB or HID failure was, from libusb/nusb/hidapi messages and WebUSB DOMException names. */
export type UsbFailure = 'timeout' | 'stall' | 'disconnected' | 'access' | 'busy' | 'other';

const patterns: readonly (readonly [UsbFailure, RegExp])[] = [
  ['timeout', /timed?[ _-]?out|ETIMEDOUT|TimeoutError|cancel/i],
  ['stall', /stall|pipe error|LIBUSB_ERROR_PIPE/i],
  [
    'disconnected',
    /disconnect|no such device|ENODEV|NotFoundError|LIBUSB_ERROR_NO_DEVICE|device (?:was|has been) (?:removed|lost)|could not read from HID device|cannot write to hid device/i,
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

/** The catalogue error for a failed USB or HID operation during `what`. */
export function usbError(error: unknown, what: string, timeoutMs?: number): FlashwrightError {
  if (isFlashwrightError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  switch (classifyUsbFailure(error)) {
    case 'timeout':
      return new FlashwrightError(
        'PROBE_TIMEOUT',
        `CMSIS-DAP probe did not answer ${what}${timeoutMs === undefined ? '' : ` within ${timeoutMs} ms`}`,
        { cause: error },
      );
    case 'stall':
      return new FlashwrightError('PROBE_USB_ERROR', `USB endpoint stalled during ${what}`, {
        hint: 'The probe rejected the transfer. Unplug and replug it, then try again.',
        cause: error,
      });
    case 'disconnected':
      return new FlashwrightError(
        'PROBE_DISCONNECTED',
        `CMSIS-DAP probe disconnected during ${what}`,
        { cause: error },
      );
    case 'access':
      return new FlashwrightError(
        'PROBE_ACCESS_DENIED',
        `No permission to use the CMSIS-DAP probe (${reason})`,
        { hint: 'Run `flashwright probes` for the udev rule that grants access.', cause: error },
      );
    case 'busy':
      return new FlashwrightError(
        'PROBE_USB_ERROR',
        `CMSIS-DAP probe is in use by another program (${reason})`,
        {
          hint: 'Close OpenOCD, pyOCD, probe-rs or an IDE debug session that holds the probe, then try again.',
          cause: error,
        },
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
}
