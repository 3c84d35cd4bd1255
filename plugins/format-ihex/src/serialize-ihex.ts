import type { FlashImage } from '@flashwright/core/image';
import { MemoryMap } from './memory-map.js';

const END_OF_FILE_RECORD = ':00000001FF';
const ADDRESS_SPACE_BYTES = 2 ** 32;

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
  const blocks = new Map(image.blocks);
  // nrf-intel-hex 1.4.0 refuses a block whose (exclusive) end is 0x1_0000_0000, though its
  // last byte, at 0xFFFFFFFF, is addressable: write that byte here, after its records.
  let top = '';
  const last = [...blocks].at(-1);
  if (last !== undefined && last[0] + last[1].length === ADDRESS_SPACE_BYTES) {
    const [address, data] = last;
    if (data.length > 1) blocks.set(address, data.subarray(0, -1));
    else blocks.delete(address);
    top = `${record(4, 0, [0xff, 0xff])}\n${record(0, 0xffff, [data[data.length - 1]!])}\n`;
  }
  const memoryMap = new MemoryMap(blocks);
  const text = memoryMap.asHexString(options.recordBytes ?? 16);
  if (!text.endsWith(END_OF_FILE_RECORD)) {
    throw new Error('nrf-intel-hex output does not end with an end-of-file record');
  }
  const records = text.slice(0, -END_OF_FILE_RECORD.length);
  const start =
    image.entryPoint === undefined ? '' : `${startLinearAddressRecord(image.entryPoint)}\n`;
  return new TextEncoder().encode(`${records}${top}${start}${END_OF_FILE_RECORD}\n`);
}

/** One record: count, 16-bit offset, type, data and checksum (the two's complement sum). */
function record(type: number, offset: number, data: readonly number[]): string {
  const bytes = [data.length, offset >>> 8, offset & 0xff, type, ...data];
  const sum = bytes.reduce((a, b) => a + b, 0);
  const hex = [...bytes, -sum & 0xff].map((b) => b.toString(16).toUpperCase().padStart(2, '0'));
  return `:${hex.join('')}`;
}

/** Type 05: four data bytes, the 32-bit entry point, big-endian. */
export function startLinearAddressRecord(entryPoint: number): string {
  return record(5, 0, [
    entryPoint >>> 24,
    (entryPoint >>> 16) & 0xff,
    (entryPoint >>> 8) & 0xff,
    entryPoint & 0xff,
  ]);
}
