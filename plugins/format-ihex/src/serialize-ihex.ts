import type { FlashImage } from '@flashwright/core';
import { MemoryMap } from './memory-map.js';

const END_OF_FILE_RECORD = ':00000001FF';

export interface IntelHexWriteOptions {
  /** Data bytes per record; 16 like objcopy and most toolchains. */
  readonly recordBytes?: number | undefined;
}

/**
 * Writes Intel HEX with nrf-intel-hex (data and type 04 records), then adds a type 05 start
 * linear address record when the image has an entry point, which nrf-intel-hex does not
 * write. Lines end in LF, and the file with one.
 */
export function serializeIntelHex(
  image: FlashImage,
  options: IntelHexWriteOptions = {},
): Uint8Array {
  const memoryMap = new MemoryMap(image.blocks as Map<number, Uint8Array>);
  const text = memoryMap.asHexString(options.recordBytes ?? 16);
  if (!text.endsWith(END_OF_FILE_RECORD)) {
    throw new Error('nrf-intel-hex output does not end with an end-of-file record');
  }
  const records = text.slice(0, -END_OF_FILE_RECORD.length);
  const start =
    image.entryPoint === undefined ? '' : `${startLinearAddressRecord(image.entryPoint)}\n`;
  return new TextEncoder().encode(`${records}${start}${END_OF_FILE_RECORD}\n`);
}

/** Type 05: four data bytes, the 32-bit entry point, big-endian. */
export function startLinearAddressRecord(entryPoint: number): string {
  const bytes = [
    4,
    0,
    0,
    5,
    entryPoint >>> 24,
    (entryPoint >>> 16) & 0xff,
    (entryPoint >>> 8) & 0xff,
    entryPoint & 0xff,
  ];
  const sum = bytes.reduce((a, b) => a + b, 0);
  const hex = [...bytes, -sum & 0xff].map((b) => b.toString(16).toUpperCase().padStart(2, '0'));
  return `:${hex.join('')}`;
}
