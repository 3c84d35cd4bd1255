/** RSP checksum: the sum of the payload bytes (as sent, after escaping) modulo 256. */
export function rspChecksum(payload: Uint8Array): number {
  let sum = 0;
  for (const byte of payload) sum = (sum + byte) & 0xff;
  return sum;
}
