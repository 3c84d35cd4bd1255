import { latin1Text } from '../rsp/bytes.js';
import { hexToBytes } from '../rsp/hex.js';

/**
 * "O" + hex: text the server prints for the user, sent while a qRcmd runs or while the
 * target runs (GDB manual, "Stop Reply Packets": O XX...). "OK" is not one: 'K' is not hex.
 */
export function isConsoleOutput(text: string): boolean {
  return text.length >= 3 && text[0] === 'O' && hexToBytes(text.slice(1)) !== undefined;
}

export function decodeConsoleOutput(text: string): string | undefined {
  if (!isConsoleOutput(text)) return undefined;
  return latin1Text(hexToBytes(text.slice(1))!);
}
