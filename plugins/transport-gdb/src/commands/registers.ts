import { bytesToHex, hexNumber, hexToBytes } from '../rsp/hex.js';
import { parseErrorReply } from './reply.js';

/** "p n": read one register, in target byte order. */
export function encodeReadRegister(regnum: number): string {
  return `p${hexNumber(regnum)}`;
}

/** "P n=value": write one register; `value` in target byte order. */
export function encodeWriteRegister(regnum: number, value: Uint8Array): string {
  return `P${hexNumber(regnum)}=${bytesToHex(value)}`;
}

/** "G data": write all registers, the same layout as the reply to "g". */
export function encodeWriteAllRegisters(block: Uint8Array): string {
  return `G${bytesToHex(block)}`;
}

export type RegisterReply =
  | { readonly kind: 'data'; readonly bytes: Uint8Array }
  | { readonly kind: 'error'; readonly code: string }
  | { readonly kind: 'unsupported' };

/**
 * Reply to "p" or "g": hex bytes; "xx" pairs mean "unavailable" and read as zero.
 * Undefined for anything else.
 */
export function parseRegisterReply(text: string): RegisterReply | undefined {
  if (text === '') return { kind: 'unsupported' };
  const code = parseErrorReply(text);
  if (code !== undefined) return { kind: 'error', code };
  const bytes = hexToBytes(text.replace(/xx/g, '00'));
  return bytes === undefined ? undefined : { kind: 'data', bytes };
}

/** Little-endian register bytes to a number (32 bits at most, which is all a Cortex-M has). */
export function registerValue(bytes: Uint8Array): number {
  let value = 0;
  for (let i = Math.min(bytes.length, 4) - 1; i >= 0; i--) value = value * 256 + bytes[i]!;
  return value;
}

export function registerBytes(value: number, sizeBytes: number): Uint8Array {
  const out = new Uint8Array(sizeBytes);
  let rest = value >>> 0;
  for (let i = 0; i < Math.min(sizeBytes, 4); i++) {
    out[i] = rest & 0xff;
    rest >>>= 8;
  }
  return out;
}
