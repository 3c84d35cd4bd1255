/**
 * Test-side Intel HEX writing, independent of the plugin's writer, so that parser tests and
 * differential tests do not check the parser against its own serializer.
 */
export function record(type: number, offset: number, data: readonly number[] = []): string {
  const bytes = [data.length, (offset >> 8) & 0xff, offset & 0xff, type, ...data];
  const sum = bytes.reduce((a, b) => a + b, 0);
  return `:${[...bytes, -sum & 0xff].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('')}`;
}

export const EOF_RECORD = ':00000001FF';

export const dataRecord = (offset: number, data: readonly number[]): string =>
  record(0, offset, data);
export const linear = (upper: number): string => record(4, 0, [upper >> 8, upper & 0xff]);
export const segment = (paragraph: number): string =>
  record(2, 0, [paragraph >> 8, paragraph & 0xff]);

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
