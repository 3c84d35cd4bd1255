import { COMMAND_BLOCK_BYTES } from './constants.js';

/** A zero-padded 16-byte command block starting with the given bytes. */
export function commandBlock(...head: readonly number[]): Uint8Array {
  if (head.length > COMMAND_BLOCK_BYTES) {
    throw new RangeError(`command block of ${head.length} bytes exceeds ${COMMAND_BLOCK_BYTES}`);
  }
  const block = new Uint8Array(COMMAND_BLOCK_BYTES);
  block.set(head.map((b) => b & 0xff));
  return block;
}

export function putU16(block: Uint8Array, offset: number, value: number): void {
  block[offset] = value & 0xff;
  block[offset + 1] = (value >>> 8) & 0xff;
}

export function putU32(block: Uint8Array, offset: number, value: number): void {
  new DataView(block.buffer, block.byteOffset, block.byteLength).setUint32(
    offset,
    value >>> 0,
    true,
  );
}

export function getU16(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(offset, true);
}

export function getU32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

export function hex(value: number, digits = 8): string {
  return `0x${(value >>> 0).toString(16).padStart(digits, '0')}`;
}
