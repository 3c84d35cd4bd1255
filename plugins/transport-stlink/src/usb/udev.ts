import { ST_VENDOR_ID } from '../protocol/probe-ids.js';

/** Where the rule goes. Below 73 so systemd-logind's uaccess (73-seat-late.rules) sees the tag. */
export const UDEV_RULE_FILE = '/etc/udev/rules.d/70-flashwright-stlink.rules';

function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}

/**
 * A least-privilege udev rule for one ST-Link model: TAG+="uaccess" grants the logged-in
 * seat user access to that vendor:product only (no MODE="0666", no group for everyone).
 */
export function udevRule(productId: number, vendorId = ST_VENDOR_ID): string {
  return `SUBSYSTEM=="usb", ATTR{idVendor}=="${hex4(vendorId)}", ATTR{idProduct}=="${hex4(productId)}", TAG+="uaccess"`;
}

/** The full fix as a hint: the rule, where it goes, and how to apply it. */
export function udevHint(productId: number, vendorId = ST_VENDOR_ID): string {
  return [
    `Add this line to ${UDEV_RULE_FILE}:`,
    `  ${udevRule(productId, vendorId)}`,
    'then run `sudo udevadm control --reload-rules && sudo udevadm trigger` and replug the probe.',
  ].join('\n');
}
