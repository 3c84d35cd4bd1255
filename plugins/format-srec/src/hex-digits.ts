// Kept in step with plugins/format-ihex/src/hex-digits.ts: plugins share code only through core.
/**
 * ASCII hex digit values: HEX_VALUE[charCode] is 0..15 for 0-9, A-F and a-f, and -1 for
 * anything else. A table lookup per character is what makes the record parser fast
 * (no string decoding, no parseInt).
 */
export const HEX_VALUE: Int8Array = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let digit = 0; digit < 10; digit++) table[0x30 + digit] = digit;
  for (let digit = 0; digit < 6; digit++) {
    table[0x41 + digit] = 10 + digit;
    table[0x61 + digit] = 10 + digit;
  }
  return table;
})();

/** Upper-case hex digits by value, for writers. */
export const HEX_DIGIT: Uint8Array = new TextEncoder().encode('0123456789ABCDEF');

export function formatHexByte(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(2, '0')}`;
}
