/**
 * Deterministic pseudo-random test data (xorshift32): like firmware, it does not compress to
 * nothing, and a failure can be reproduced from the seed.
 */
export function pseudoRandomImage(bytes: number, seed: number): Uint8Array {
  const data = new Uint8Array(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 0xff;
  }
  return data;
}
