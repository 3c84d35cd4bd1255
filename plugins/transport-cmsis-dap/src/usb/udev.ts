import { hidrawRule, udevHint as hintFor, usbfsRule } from '@flashwright/usb-probe';

/** Where the rules go. Below 73 so systemd-logind's uaccess (73-seat-late.rules) sees the tag. */
export const UDEV_RULE_FILE = '/etc/udev/rules.d/70-flashwright-cmsis-dap.rules';

/**
 * Least-privilege udev rules for one probe. CMSIS-DAP v2 is reached through usbfs, v1 through
 * hidraw, so both lines are given, as pyOCD's udev rules do.
 */
export function udevRules(vendorId: number, productId: number): string[] {
  return [usbfsRule(vendorId, productId), hidrawRule(vendorId, productId)];
}

/** The full fix as a hint: the rules, where they go, and how to apply them. */
export function udevHint(vendorId: number, productId: number): string {
  return hintFor(UDEV_RULE_FILE, udevRules(vendorId, productId));
}
