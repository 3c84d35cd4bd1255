import { COMMAND_BLOCK_BYTES } from './constants.js';

export { getU16, getU32, hex, putU16, putU32 } from '@flashwright/usb-probe';

/** A zero-padded 16-byte command block starting with the given bytes. */
export function commandBlock(...head: readonly number[]): Uint8Array {
  if (head.length > COMMAND_BLOCK_BYTES) {
    throw new RangeError(`command block of ${head.length} bytes exceeds ${COMMAND_BLOCK_BYTES}`);
  }
  const block = new Uint8Array(COMMAND_BLOCK_BYTES);
  block.set(head.map((b) => b & 0xff));
  return block;
}
