/** Little-endian helpers for ST-Link command blocks and replies. */

export function u16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8);
}

export function u32(bytes: Uint8Array, offset: number): number {
  return (u16(bytes, offset) | (u16(bytes, offset + 2) << 16)) >>> 0;
}

export function putU32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}

/** A 2-byte status reply: status in byte 0 and 0 in byte 1 (pyOCD reads it as a u16). */
export function statusReply(status: number): Uint8Array {
  return Uint8Array.of(status, 0);
}

/** An 8-byte reply: status in byte 0, a u32 value at [4..7]. */
export function valueReply(status: number, value: number): Uint8Array {
  const reply = new Uint8Array(8);
  reply[0] = status;
  putU32(reply, 4, value);
  return reply;
}

/** A reply of `length` bytes with the status in byte 0 (how a rejected command answers). */
export function paddedStatus(status: number, length: number): Uint8Array {
  const reply = new Uint8Array(length);
  if (length > 0) reply[0] = status;
  return reply;
}
