/** "F2 30 A3" -> bytes. */
export function bytesOf(text: string): Uint8Array {
  const parts = text
    .trim()
    .split(/\s+/)
    .filter((p) => p.length > 0);
  return Uint8Array.from(parts.map((p) => Number.parseInt(p, 16)));
}

/** A 16-byte command block: the given bytes, zero-padded. */
export function blockOf(text: string): number[] {
  const out = new Array<number>(16).fill(0);
  bytesOf(text).forEach((b, i) => (out[i] = b));
  return out;
}

export function list(bytes: Uint8Array): number[] {
  return Array.from(bytes);
}
