const hexDigits = '0123456789abcdef';

/** Lower-case hex, two digits per byte, as RSP memory and register packets carry data. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += hexDigits[byte >> 4]! + hexDigits[byte & 0xf]!;
  return out;
}

/** Parses an even-length hex string; returns undefined on any other character. */
export function hexToBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !isHex(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function isHex(text: string): boolean {
  return /^[0-9a-fA-F]*$/.test(text);
}

/** Addresses and lengths in packets: lower-case hex without leading zeros or 0x. */
export function hexNumber(value: number): string {
  return value.toString(16);
}

/** Parses a hex number field, e.g. "1000" in "PacketSize=1000"; undefined when malformed. */
export function parseHexNumber(text: string): number | undefined {
  if (text.length === 0 || text.length > 13 || !isHex(text)) return undefined;
  return Number.parseInt(text, 16);
}
