import { FlashwrightError } from '@flashwright/core';
import type { AccessWidth } from '@flashwright/core/plugin';

/** One memory command of a split transfer; `offset` is into the caller's buffer. */
export interface TransferPiece {
  readonly width: AccessWidth;
  readonly address: number;
  readonly lengthBytes: number;
  readonly offset: number;
}

/** Per-command size limits of this probe and direction (their sources: protocol/version.ts). */
export interface TransferLimits {
  readonly max8Bytes: number;
  /** 16- and 32-bit transfers: the 6144-byte probe buffer. */
  readonly maxWordBytes: number;
}

const ADDRESS_SPACE = 2 ** 32;

function chunk(
  pieces: TransferPiece[],
  width: AccessWidth,
  address: number,
  lengthBytes: number,
  offset: number,
  maxBytes: number,
): void {
  for (let done = 0; done < lengthBytes; done += maxBytes) {
    const size = Math.min(maxBytes, lengthBytes - done);
    pieces.push({ width, address: address + done, lengthBytes: size, offset: offset + done });
  }
}

function checkAlignment(width: AccessWidth, address: number, lengthBytes: number): void {
  const unit = width / 8;
  if (address % unit !== 0 || lengthBytes % unit !== 0) {
    throw new FlashwrightError(
      'INTERNAL',
      `A ${width}-bit access needs an address and length that are multiples of ${unit} (got 0x${address.toString(16)}, ${lengthBytes} bytes)`,
      { hint: 'This is a bug in the caller of the memory port. Re-run with -v and report it.' },
    );
  }
}

/**
 * Splits a transfer into probe commands. With a forced width, every access has that width
 * (flash controllers care), and the range must be aligned to it. Without, the aligned middle
 * goes as 32-bit at the probe's largest size and unaligned edges as 8-bit (as OpenOCD does).
 *
 * Transfers are not split at 1 KB TAR auto-increment boundaries: in SWD mode the ST-Link
 * firmware handles the wrap itself (ST, quoted in OpenOCD's stlink_usb.c; pyOCD and probe-rs
 * do not split either), and splitting would cost one round trip per KB.
 */
export function planTransfers(
  address: number,
  lengthBytes: number,
  width: AccessWidth | undefined,
  limits: TransferLimits,
): TransferPiece[] {
  if (
    !Number.isInteger(address) ||
    !Number.isInteger(lengthBytes) ||
    address < 0 ||
    lengthBytes < 0
  ) {
    throw new RangeError(`bad memory range: address ${address}, length ${lengthBytes}`);
  }
  if (address + lengthBytes > ADDRESS_SPACE) {
    throw new RangeError(`memory range 0x${address.toString(16)} + ${lengthBytes} passes 4 GiB`);
  }
  const pieces: TransferPiece[] = [];
  if (lengthBytes === 0) return pieces;
  if (width !== undefined) {
    checkAlignment(width, address, lengthBytes);
    const max = width === 8 ? limits.max8Bytes : limits.maxWordBytes;
    chunk(pieces, width, address, lengthBytes, 0, max - (max % (width / 8)));
    return pieces;
  }
  const end = address + lengthBytes;
  const alignedStart = address + ((4 - (address % 4)) % 4);
  const alignedEnd = end - (end % 4);
  if (alignedStart >= alignedEnd) {
    chunk(pieces, 8, address, lengthBytes, 0, limits.max8Bytes);
    return pieces;
  }
  if (alignedStart > address)
    chunk(pieces, 8, address, alignedStart - address, 0, limits.max8Bytes);
  chunk(
    pieces,
    32,
    alignedStart,
    alignedEnd - alignedStart,
    alignedStart - address,
    limits.maxWordBytes,
  );
  if (end > alignedEnd)
    chunk(pieces, 8, alignedEnd, end - alignedEnd, alignedEnd - address, limits.max8Bytes);
  return pieces;
}
