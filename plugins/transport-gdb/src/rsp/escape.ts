/**
 * Binary data in X, vFlashWrite and qXfer packets: '#', '$', '}' and '*' are sent as '}'
 * followed by the byte XOR 0x20 (GDB manual, "Overview" of the remote protocol: "Binary data").
 * '*' must be escaped too, since a reader would take it for a run-length marker.
 */
const ESCAPE = 0x7d;
const needsEscape = new Set([0x23, 0x24, 0x7d, 0x2a]);

export function escapedLength(data: Uint8Array): number {
  let length = data.length;
  for (const byte of data) if (needsEscape.has(byte)) length++;
  return length;
}

export function escapeBinary(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(escapedLength(data));
  let o = 0;
  for (const byte of data) {
    if (needsEscape.has(byte)) {
      out[o++] = ESCAPE;
      out[o++] = byte ^ 0x20;
    } else {
      out[o++] = byte;
    }
  }
  return out;
}

/** Reverses escapeBinary. A trailing lone '}' is malformed and returns undefined. */
export function unescapeBinary(data: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(data.length);
  let o = 0;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i]!;
    if (byte === ESCAPE) {
      const next = data[++i];
      if (next === undefined) return undefined;
      out[o++] = next ^ 0x20;
    } else {
      out[o++] = byte;
    }
  }
  return out.slice(0, o);
}

/** How many leading bytes of `data` fit in `budget` bytes once escaped. */
export function bytesFittingEscaped(data: Uint8Array, budget: number): number {
  let used = 0;
  let count = 0;
  for (const byte of data) {
    const cost = needsEscape.has(byte) ? 2 : 1;
    if (used + cost > budget) break;
    used += cost;
    count++;
  }
  return count;
}
