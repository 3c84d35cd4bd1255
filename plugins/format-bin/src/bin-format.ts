import { FlashwrightError } from '@flashwright/core';
import { FlashImage, formatAddress, formatRange } from '@flashwright/core/image';
import { MAX_FILE_BYTES } from '@flashwright/core/plugin';

export interface BinParseOptions {
  readonly fileName?: string | undefined;
  /** Load address of the first byte. Required: a raw binary carries no addresses. */
  readonly base?: number | undefined;
}

export interface BinWriteOptions {
  /** Byte written into gaps between blocks; 0xFF (erased NOR flash) by default. */
  readonly fill?: number | undefined;
}

/**
 * Largest file `serializeBin` writes: the limit on every file flashwright reads. Images
 * with blocks far apart (flash at 0x08000000 and data at 0x20000000) would otherwise become
 * hundreds of megabytes of fill.
 */
export const MAX_BIN_BYTES = MAX_FILE_BYTES;

/** A raw binary is its bytes, loaded from `base` on. */
export function parseBin(bytes: Uint8Array, options: BinParseOptions = {}): FlashImage {
  const file = options.fileName ?? '<input>';
  const { base } = options;
  if (base === undefined) {
    throw new FlashwrightError(
      'IMAGE_BASE_REQUIRED',
      `${file}: a raw binary holds no addresses, so its load address (base) must be given`,
      { details: { file } },
    );
  }
  if (!Number.isInteger(base) || base < 0 || base + bytes.length > 0x1_0000_0000) {
    throw new FlashwrightError(
      'IMAGE_MALFORMED',
      `${file}: ${bytes.length} bytes at base ${String(base)} do not fit the 32-bit address space`,
      {
        hint: 'Check the base address (e.g. 0x08000000 for STM32 flash).',
        details: { file, base },
      },
    );
  }
  if (bytes.length === 0) {
    throw new FlashwrightError('IMAGE_TRUNCATED', `${file}: the file is empty`, {
      hint: 'The build probably failed or was interrupted: rebuild the firmware.',
      details: { file },
    });
  }
  return FlashImage.from([[base, bytes]], { source: file });
}

/**
 * Writes the bytes from the image's first address to its last, gaps filled with `fill`.
 * The load address and entry point are not kept: a raw binary has no place for them.
 */
export function serializeBin(image: FlashImage, options: BinWriteOptions = {}): Uint8Array {
  const fill = options.fill ?? 0xff;
  if (!Number.isInteger(fill) || fill < 0 || fill > 0xff) {
    throw new FlashwrightError(
      'USAGE',
      `fill must be a byte value 0 to 255 (0x00-0xFF), got ${fill}`,
    );
  }
  const extent = image.extent();
  if (extent === undefined) return new Uint8Array(0);
  const length = extent.end - extent.start;
  if (length > MAX_BIN_BYTES) {
    throw new FlashwrightError(
      'IMAGE_UNSUPPORTED',
      `a raw binary of ${formatRange(extent)} would be ${(length / 2 ** 20).toFixed(1)} MiB, mostly fill`,
      {
        hint: `The image has blocks far apart (${image
          .ranges()
          .map((r) => formatAddress(r.start))
          .join(', ')}). Write Intel HEX, S-record or ELF instead, which keep the gaps.`,
        details: { start: extent.start, end: extent.end },
      },
    );
  }
  return image.read(extent.start, length, fill);
}
