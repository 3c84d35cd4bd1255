import { hexNumber } from '../rsp/hex.js';
import { unescapeBinary } from '../rsp/escape.js';
import { parseErrorReply } from './reply.js';

/**
 * "qXfer:object:read:annex:offset,length" (GDB manual, "General Query Packets"), e.g.
 * qXfer:features:read:target.xml:0,ffb or qXfer:memory-map:read::0,ffb.
 */
export function encodeXferRead(
  object: string,
  annex: string,
  offset: number,
  length: number,
): string {
  return `qXfer:${object}:read:${annex}:${hexNumber(offset)},${hexNumber(length)}`;
}

export type XferReply =
  | { readonly kind: 'data'; readonly data: Uint8Array; readonly last: boolean }
  | { readonly kind: 'error'; readonly code: string }
  | { readonly kind: 'unsupported' };

/** "m" + data means more follows, "l" + data is the last part; the data is binary-escaped. */
export function parseXferReply(payload: Uint8Array): XferReply | undefined {
  if (payload.length === 0) return { kind: 'unsupported' };
  const marker = payload[0];
  if (marker === 0x6d || marker === 0x6c) {
    const data = unescapeBinary(payload.subarray(1));
    return data === undefined ? undefined : { kind: 'data', data, last: marker === 0x6c };
  }
  const code = parseErrorReply(String.fromCharCode(...payload.subarray(0, 64)));
  return code === undefined ? undefined : { kind: 'error', code };
}
