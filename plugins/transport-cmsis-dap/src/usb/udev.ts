/** Where the rule goes. Below 73 so systemd-logind's uaccess (73-seat-late.rules) sees the tag. */
export const UDEV_RULE_FILE = '/etc/udev/rules.d/70-flashwright-cmsis-dap.rules';

function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}

/**
 * Least-privilege udev rules for one probe: TAG+="uaccess" grants the logged-in seat user
 * that vendor:product only. CMSIS-DAP v2 is reached through usbfs (SUBSYSTEM "usb"), v1
 * through hidraw (KERNEL "hidraw*"), so both lines are given, as pyOCD's udev rules do.
 */
export function udevRules(vendorId: number, productId: number): string[] {
  return [
    `SUBSYSTEM=="usb", ATTR{idVendor}=="${hex4(vendorId)}", ATTR{idProduct}=="${hex4(productId)}", TAG+="uaccess"`,
    `KERNEL=="hidraw*", ATTRS{idVendor}=="${hex4(vendorId)}", ATTRS{idProduct}=="${hex4(productId)}", TAG+="uaccess"`,
  ];
}

/** The full fix as a hint: the rules, where they go, and how to apply them. */
export function udevHint(vendorId: number, productId: number): string {
  return [
    `Add these lines to ${UDEV_RULE_FILE}:`,
    ...udevRules(vendorId, productId).map((rule) => `  ${rule}`),
    'then run `sudo udevadm control --reload-rules && sudo udevadm trigger` and replug the probe.',
  ].join('\n');
}
