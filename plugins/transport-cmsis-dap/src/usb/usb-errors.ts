import { usbErrorsFor } from '@flashwright/usb-probe';

/** The catalogue error for a failed USB or HID operation on a CMSIS-DAP probe during `what`. */
export const usbError = usbErrorsFor({
  probe: 'CMSIS-DAP probe',
  holders: 'OpenOCD, pyOCD, probe-rs or an IDE debug session that holds the probe',
});
