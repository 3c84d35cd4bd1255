function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}

/**
 * A least-privilege udev rule for a probe reached through usbfs: TAG+="uaccess" grants the
 * logged-in seat user that vendor:product only (no MODE="0666", no group for everyone).
 */
export function usbfsRule(vendorId: number, productId: number): string {
  return `SUBSYSTEM=="usb", ATTR{idVendor}=="${hex4(vendorId)}", ATTR{idProduct}=="${hex4(productId)}", TAG+="uaccess"`;
}

/** The same for a HID probe reached through hidraw (CMSIS-DAP v1), as pyOCD's udev rules do. */
export function hidrawRule(vendorId: number, productId: number): string {
  return `KERNEL=="hidraw*", ATTRS{idVendor}=="${hex4(vendorId)}", ATTRS{idProduct}=="${hex4(productId)}", TAG+="uaccess"`;
}

/**
 * The full fix as a hint: the rules, where they go (a file below 73, so systemd-logind's
 * uaccess in 73-seat-late.rules sees the tag), and how to apply them.
 */
export function udevHint(ruleFile: string, rules: readonly string[]): string {
  return [
    `Add ${rules.length === 1 ? 'this line' : 'these lines'} to ${ruleFile}:`,
    ...rules.map((rule) => `  ${rule}`),
    'then run `sudo udevadm control --reload-rules && sudo udevadm trigger` and replug the probe.',
  ].join('\n');
}
