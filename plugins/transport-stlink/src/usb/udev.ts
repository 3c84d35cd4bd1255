import { udevHint as hintFor, usbfsRule } from '@flashwright/usb-probe';
import { ST_VENDOR_ID } from '../protocol/probe-ids.js';

/** Where the rule goes. Below 73 so systemd-logind's uaccess (73-seat-late.rules) sees the tag. */
export const UDEV_RULE_FILE = '/etc/udev/rules.d/70-flashwright-stlink.rules';

/** The least-privilege udev rule for one ST-Link model (usbfs only: every ST-Link is a bulk device). */
export function udevRule(productId: number, vendorId = ST_VENDOR_ID): string {
  return usbfsRule(vendorId, productId);
}

/** The full fix as a hint: the rule, where it goes, and how to apply it. */
export function udevHint(productId: number, vendorId = ST_VENDOR_ID): string {
  return hintFor(UDEV_RULE_FILE, [udevRule(productId, vendorId)]);
}
