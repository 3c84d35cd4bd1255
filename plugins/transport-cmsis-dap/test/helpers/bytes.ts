/** "05 00 02" -> bytes. */
export function bytesOf(text: string): Uint8Array {
  const parts = text
    .trim()
    .split(/\s+/)
    .filter((p) => p.length > 0);
  return Uint8Array.from(parts.map((p) => Number.parseInt(p, 16)));
}

export function list(bytes: Uint8Array): number[] {
  return Array.from(bytes);
}

/** A HID report: the bytes, zero-padded to 64. */
export function report(text: string): Uint8Array {
  const out = new Uint8Array(64);
  out.set(bytesOf(text));
  return out;
}
