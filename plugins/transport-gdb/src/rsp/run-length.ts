/**
 * Run-length decoding of replies: "X*N" repeats the character X a further (N - 29) times,
 * where N is a printable character (GDB manual, remote protocol "Overview": '0* ' is "0000").
 * Expansion works on the raw characters, before binary unescaping, as GDB's own reader does.
 * Returns undefined for a '*' with nothing to repeat or a missing count.
 */
const STAR = 0x2a;

export function expandRunLength(raw: Uint8Array): Uint8Array | undefined {
  if (!raw.includes(STAR)) return raw;
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!;
    if (byte !== STAR) {
      out.push(byte);
      continue;
    }
    const previous = out.at(-1);
    const count = raw[++i];
    if (previous === undefined || count === undefined || count < 29) return undefined;
    for (let n = 0; n < count - 29; n++) out.push(previous);
  }
  return Uint8Array.from(out);
}
