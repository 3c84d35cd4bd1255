import type { FlashImage } from '@flashwright/core/image';
import { HEX_DIGIT } from '@flashwright/text-records';

export interface SrecWriteOptions {
  /** Data bytes per record; 16 like objcopy. At most 250 (the byte count is one byte). */
  readonly recordBytes?: number | undefined;
  /** Text of the S0 header record. */
  readonly header?: string | undefined;
}

/**
 * Writes S-records: an S0 header, S1, S2 or S3 data records (the narrowest address field
 * that holds every address and the entry point), an S5 or S6 record count when it fits, and
 * the matching S9, S8 or S7 termination carrying the entry point (0 when there is none).
 * Builds the bytes directly: a 4 MB image is 12 MB of text, too much for string joins.
 */
export function serializeSrec(image: FlashImage, options: SrecWriteOptions = {}): Uint8Array {
  const recordBytes = options.recordBytes ?? 16;
  if (!Number.isInteger(recordBytes) || recordBytes < 1 || recordBytes > 250) {
    throw new RangeError(`recordBytes must be 1 to 250, got ${recordBytes}`);
  }
  const header = new TextEncoder().encode(options.header ?? 'flashwright');
  const entryPoint = image.entryPoint ?? 0;
  const highest = Math.max(entryPoint, (image.extent()?.end ?? 1) - 1);
  const addressBytes = highest <= 0xffff ? 2 : highest <= 0xffffff ? 3 : 4;
  const dataType = addressBytes - 1; // S1, S2, S3
  const terminationType = 11 - addressBytes; // S9, S8, S7

  let records = 0;
  for (const data of image.blocks.values()) records += Math.ceil(data.length / recordBytes);
  const countType = records <= 0xffff ? 5 : records <= 0xffffff ? 6 : 0;

  // Each record: 'S', type, count, address, data and checksum (two digits a byte), LF.
  const recordChars = (address: number, dataLength: number): number =>
    7 + 2 * (address + dataLength);
  let size = recordChars(2, Math.min(header.length, 250)) + recordChars(addressBytes, 0);
  size += records * recordChars(addressBytes, 0) + image.size * 2;
  if (countType !== 0) size += recordChars(countType === 5 ? 2 : 3, 0);

  const out = new Uint8Array(size);
  let w = 0;
  const put = (type: number, address: number, width: number, data: Uint8Array): void => {
    const count = width + data.length + 1;
    out[w++] = 0x53;
    out[w++] = 0x30 + type;
    let sum = count;
    w = putByte(out, w, count);
    for (let shift = (width - 1) * 8; shift >= 0; shift -= 8) {
      const b = Math.floor(address / 2 ** shift) & 0xff;
      sum += b;
      w = putByte(out, w, b);
    }
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      sum += b;
      w = putByte(out, w, b);
    }
    w = putByte(out, w, ~sum & 0xff);
    out[w++] = 0x0a;
  };

  put(0, 0, 2, header.subarray(0, 250));
  for (const [start, data] of image.blocks) {
    for (let offset = 0; offset < data.length; offset += recordBytes) {
      put(dataType, start + offset, addressBytes, data.subarray(offset, offset + recordBytes));
    }
  }
  const empty = new Uint8Array(0);
  if (countType !== 0) put(countType, records, countType === 5 ? 2 : 3, empty);
  put(terminationType, entryPoint, addressBytes, empty);
  return out.subarray(0, w);
}

function putByte(out: Uint8Array, w: number, value: number): number {
  out[w] = HEX_DIGIT[value >> 4]!;
  out[w + 1] = HEX_DIGIT[value & 0xf]!;
  return w + 2;
}
