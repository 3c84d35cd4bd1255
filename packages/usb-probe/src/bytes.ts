/** Little-endian fields of probe commands and replies (ST-Link and CMSIS-DAP are both little-endian). */
export function putU16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
}

export function putU32(bytes: Uint8Array, offset: number, value: number): void {
  view(bytes).setUint32(offset, value >>> 0, true);
}

export function getU16(bytes: Uint8Array, offset: number): number {
  return view(bytes).getUint16(offset, true);
}

export function getU32(bytes: Uint8Array, offset: number): number {
  return view(bytes).getUint32(offset, true);
}

/** `0x` and `digits` lower-case hex digits, for messages. */
export function hex(value: number, digits = 8): string {
  return `0x${(value >>> 0).toString(16).padStart(digits, '0')}`;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
