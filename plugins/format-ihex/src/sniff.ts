import { HEX_VALUE } from '@flashwright/text-records';

/**
 * True when `head` starts (after an optional UTF-8 byte order mark and blank space) with
 * ':' and at least the eight hex digits of a record header. Eight digits keep a stray
 * colon in some other text from passing as Intel HEX.
 */
export function sniffIntelHex(head: Uint8Array): boolean {
  let pos = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (pos < head.length && isBlank(head[pos]!)) pos++;
  if (head[pos] !== 0x3a) return false;
  for (let i = 1; i <= 8; i++) {
    const c = head[pos + i];
    if (c === undefined || HEX_VALUE[c]! < 0) return false;
  }
  return true;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
