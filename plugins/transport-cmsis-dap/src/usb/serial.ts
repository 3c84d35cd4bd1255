/** Serial selectors match case-insensitively, and a unique prefix is enough (as for ST-Link). */
export function serialMatches(serial: string | undefined, wanted: string): boolean {
  if (serial === undefined) return false;
  return serial.toUpperCase().startsWith(wanted.trim().toUpperCase());
}
