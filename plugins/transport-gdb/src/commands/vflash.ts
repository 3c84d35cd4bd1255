import { joinBytes, latin1Bytes } from '../rsp/bytes.js';
import { escapeBinary } from '../rsp/escape.js';
import { hexNumber } from '../rsp/hex.js';

/** "vFlashErase:addr,length" (GDB manual, "Packets": vFlashErase). */
export function encodeFlashErase(address: number, length: number): string {
  return `vFlashErase:${hexNumber(address)},${hexNumber(length)}`;
}

/** "vFlashWrite:addr:binary": the server buffers it and programs by vFlashDone at the latest. */
export function encodeFlashWrite(address: number, data: Uint8Array): Uint8Array {
  return joinBytes([latin1Bytes(`vFlashWrite:${hexNumber(address)}:`), escapeBinary(data)]);
}

export function flashWriteHeaderBytes(address: number): number {
  return 'vFlashWrite:'.length + hexNumber(address).length + 1;
}

export const FLASH_DONE = 'vFlashDone';

/** "E.memtype": the range is not flash according to the server's memory map. */
export function isMemoryTypeError(text: string): boolean {
  return text === 'E.memtype';
}
