import { joinBytes, latin1Bytes } from '../rsp/bytes.js';
import { escapeBinary } from '../rsp/escape.js';
import { bytesToHex, hexNumber, hexToBytes } from '../rsp/hex.js';
import { parseErrorReply } from './reply.js';

/** "m addr,length": read memory. */
export function encodeReadMemory(address: number, length: number): string {
  return `m${hexNumber(address)},${hexNumber(length)}`;
}

export type ReadMemoryReply =
  | { readonly kind: 'data'; readonly bytes: Uint8Array }
  | { readonly kind: 'error'; readonly code: string };

/**
 * The reply to "m": hex bytes (possibly fewer than asked for: the server may stop at an
 * unreadable address) or an error. Undefined for anything else, e.g. a stop reply.
 */
export function parseReadMemoryReply(text: string): ReadMemoryReply | undefined {
  const code = parseErrorReply(text);
  if (code !== undefined) return { kind: 'error', code };
  const bytes = hexToBytes(text);
  return bytes === undefined ? undefined : { kind: 'data', bytes };
}

/** "M addr,length:hex": write memory, two characters per byte. */
export function encodeWriteMemoryHex(address: number, data: Uint8Array): string {
  return `M${hexNumber(address)},${hexNumber(data.length)}:${bytesToHex(data)}`;
}

/** Payload bytes of an M packet before the data: "M" + address + "," + length + ":". */
export function writeHexHeaderBytes(address: number, length: number): number {
  return 3 + hexNumber(address).length + hexNumber(length).length;
}

/** "X addr,length:binary": write memory with escaped binary data. */
export function encodeWriteMemoryBinary(address: number, data: Uint8Array): Uint8Array {
  const header = latin1Bytes(`X${hexNumber(address)},${hexNumber(data.length)}:`);
  return joinBytes([header, escapeBinary(data)]);
}

/** Same header length as M: "X" + address + "," + length + ":". */
export const writeBinaryHeaderBytes = writeHexHeaderBytes;
