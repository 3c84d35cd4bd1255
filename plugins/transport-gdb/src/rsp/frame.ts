import { latin1Bytes } from './bytes.js';
import { rspChecksum } from './checksum.js';

/** '$' + payload + '#' + two lower-case hex digits of the checksum. */
export function encodePacket(payload: Uint8Array | string): Uint8Array {
  const body = typeof payload === 'string' ? latin1Bytes(payload) : payload;
  const out = new Uint8Array(body.length + 4);
  out[0] = 0x24;
  out.set(body, 1);
  out[body.length + 1] = 0x23;
  out.set(latin1Bytes(rspChecksum(body).toString(16).padStart(2, '0')), body.length + 2);
  return out;
}

/** Bytes the framing adds to a payload: '$', '#' and the two checksum digits. */
export const FRAME_OVERHEAD_BYTES = 4;

export const ACK = Uint8Array.of(0x2b);
export const NAK = Uint8Array.of(0x2d);
/** Ctrl-C: the out-of-band interrupt request, sent raw between packets. */
export const INTERRUPT = Uint8Array.of(0x03);
