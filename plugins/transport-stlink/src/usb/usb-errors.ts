import { usbErrorsFor } from '@flashwright/usb-probe';

/**
 * The catalogue error for a failed USB operation on an ST-Link. `what` says which step failed
 * ("READMEM_32BIT data IN", "claiming interface 0").
 */
export const usbError = usbErrorsFor({
  probe: 'ST-Link',
  holders: 'STM32CubeIDE/CubeProgrammer, OpenOCD, st-util or stlink-server',
});
