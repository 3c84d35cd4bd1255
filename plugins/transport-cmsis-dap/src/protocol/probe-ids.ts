/**
 * Known CMSIS-DAP probes. A probe is recognised as pyOCD (pyocd/probe/pydapaccess/interface/
 * common.py, is_known_cmsis_dap_vid_pid and the "CMSIS-DAP" product-string filter) and
 * probe-rs (probe-rs/src/probe/cmsisdap/tools.rs, is_cmsis_dap) recognise one: the product
 * string or the debug interface's string contains "CMSIS-DAP", or the VID:PID is one of the
 * probes below. The table only names them.
 */
export interface KnownProbe {
  readonly vendorId: number;
  /** Undefined: any product of this vendor whose strings say CMSIS-DAP. */
  readonly productId?: number;
  readonly name: string;
}

export const KNOWN_PROBES: readonly KnownProbe[] = [
  // Arm Mbed DAPLink interface firmware (ARMmbed/DAPLink, usb_config: VID 0x0D28 PID 0x0204).
  { vendorId: 0x0d28, productId: 0x0204, name: 'DAPLink' },
  // Raspberry Pi Debug Probe and Debugprobe on Pico (raspberrypi/debugprobe, usb_descriptors.c).
  { vendorId: 0x2e8a, productId: 0x000c, name: 'Raspberry Pi Debug Probe' },
  // NXP MCU-Link (CMSIS-DAP firmware) and LPC-Link2 with NXP's CMSIS-DAP firmware.
  { vendorId: 0x1fc9, productId: 0x0143, name: 'NXP MCU-Link' },
  { vendorId: 0x1fc9, productId: 0x0090, name: 'NXP LPC-Link2' },
  // SEGGER J-Link OB firmware in CMSIS-DAP mode names its interface "CMSIS-DAP".
  { vendorId: 0x1366, name: 'SEGGER J-Link (CMSIS-DAP mode)' },
];

const CMSIS_DAP = /CMSIS-DAP/i;

/** Whether a product or interface string marks a CMSIS-DAP probe. */
export function saysCmsisDap(text: string | null | undefined): boolean {
  return text !== null && text !== undefined && CMSIS_DAP.test(text);
}

export function knownProbe(vendorId: number, productId: number): KnownProbe | undefined {
  return (
    KNOWN_PROBES.find((p) => p.vendorId === vendorId && p.productId === productId) ??
    KNOWN_PROBES.find((p) => p.vendorId === vendorId && p.productId === undefined)
  );
}
