/**
 * Test-side S-record writing, independent of the plugin's writer, so that parser tests do
 * not check the parser against its own serializer.
 */
export function srecord(type: number, address: number, data: readonly number[] = []): string {
  const width = [2, 2, 3, 4, 0, 2, 3, 4, 3, 2][type]!;
  const addressBytes: number[] = [];
  for (let i = width - 1; i >= 0; i--) addressBytes.push(Math.floor(address / 256 ** i) % 256);
  const body = [width + data.length + 1, ...addressBytes, ...data];
  const sum = body.reduce((a, b) => a + b, 0);
  const hex = [...body, ~sum & 0xff].map((b) => b.toString(16).toUpperCase().padStart(2, '0'));
  return `S${type}${hex.join('')}`;
}

/** mulberry32: a tiny seeded generator, so random tests are reproducible. */
export function randomGenerator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const randomInt = (random: () => number, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1));

export const fixtureUrl = (name: string): URL =>
  new URL(`../../../../test/fixtures/firmware/blink-l151/out/${name}`, import.meta.url);
