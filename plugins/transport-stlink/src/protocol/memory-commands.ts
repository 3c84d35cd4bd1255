import type { AccessWidth } from '@flashwright/core/plugin';
import { commandBlock, putU16, putU32 } from './bytes.js';
import { expectLength, type StLinkCommand } from './command.js';
import { CommandClass, DebugCommand } from './constants.js';
import { noReply } from './general-commands.js';

const readOps: Readonly<Record<AccessWidth, number>> = {
  8: DebugCommand.READMEM_8BIT,
  16: DebugCommand.READMEM_16BIT,
  32: DebugCommand.READMEM_32BIT,
};

const writeOps: Readonly<Record<AccessWidth, number>> = {
  8: DebugCommand.WRITEMEM_8BIT,
  16: DebugCommand.WRITEMEM_16BIT,
  32: DebugCommand.WRITEMEM_32BIT,
};

/**
 * The shared request block of the memory commands (OpenOCD stlink_usb.c, pyOCD stlink.py,
 * probe-rs stlink/mod.rs memory_command): address at 2..5, byte length at 6..7, AP number at 8,
 * CSW[31:8] at 9..11. CSW is left zero ("the probe's default"), which every firmware accepts;
 * a non-zero CSW needs J32.
 */
function memoryBlock(op: number, address: number, lengthBytes: number, ap: number): Uint8Array {
  if (!Number.isInteger(lengthBytes) || lengthBytes < 1 || lengthBytes > 0xffff) {
    throw new RangeError(`memory transfer length ${lengthBytes} is not a u16 of at least 1`);
  }
  if (!Number.isInteger(ap) || ap < 0 || ap > 0xff) {
    throw new RangeError(`AP number ${ap} is not a byte`);
  }
  const block = commandBlock(CommandClass.DEBUG, op);
  putU32(block, 2, address);
  putU16(block, 6, lengthBytes);
  block[8] = ap;
  return block;
}

function readName(width: AccessWidth): string {
  return `READMEM_${width}BIT`;
}

/**
 * READMEM_8/16/32BIT -> `lengthBytes` bytes, no status (follow with GETLASTRWSTATUS2).
 * Quirk: an 8-bit read of 1 byte returns 2 bytes, the first being the data (OpenOCD
 * stlink_usb.c reads 2; probe-rs stlink/mod.rs says a smaller buffer overflows).
 */
export function readMemory(
  width: AccessWidth,
  address: number,
  lengthBytes: number,
  ap = 0,
): StLinkCommand<Uint8Array> {
  const name = readName(width);
  const responseBytes = width === 8 && lengthBytes === 1 ? 2 : lengthBytes;
  return {
    name,
    block: memoryBlock(readOps[width], address, lengthBytes, ap),
    responseBytes,
    decode(response) {
      expectLength(name, response, responseBytes);
      return response.subarray(0, lengthBytes);
    },
  };
}

/** WRITEMEM_8/16/32BIT: data as a second OUT transfer, no reply (OpenOCD stlink_usb_xfer_rw). */
export function writeMemory(
  width: AccessWidth,
  address: number,
  data: Uint8Array,
  ap = 0,
): StLinkCommand<void> {
  return noReply(
    `WRITEMEM_${width}BIT`,
    memoryBlock(writeOps[width], address, data.length, ap),
    data,
  );
}
