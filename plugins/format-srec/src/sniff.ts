import { HEX_VALUE } from '@flashwright/text-records';

/**
 * True when `head` starts (after an optional byte order mark and blank space) with an
 * S-record: 'S', a type digit 0-9 other than 4, and at least the two hex digits of the byte
 * count and a 16-bit address.
 */
export function sniffSrec(head: Uint8Array): boolean {
  let pos = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (pos < head.length && isBlank(head[pos]!)) pos++;
  if (head[pos] !== 0x53) return false;
  const type = head[pos + 1];
  if (type === undefined || type < 0x30 || type > 0x39 || type === 0x34) return false;
  for (let i = 2; i < 8; i++) {
    const c = head[pos + i];
    if (c === undefined || HEX_VALUE[c]! < 0) return false;
  }
  return true;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
