import { latin1Bytes } from '../rsp/bytes.js';
import { bytesToHex } from '../rsp/hex.js';

/** "qRcmd,hex": a server ("monitor") command such as "reset halt" or "system_reset". */
export function encodeMonitorCommand(command: string): string {
  return `qRcmd,${bytesToHex(latin1Bytes(command))}`;
}

/**
 * Servers answer an unknown monitor command in their own words but the meaning is the same;
 * these are the phrasings of OpenOCD ("invalid command name"), QEMU ("unknown command"),
 * pyOCD and J-Link ("Invalid command", "Unknown command"), Black Magic Probe ("not found").
 */
export function monitorOutputSaysUnknown(output: string): boolean {
  return /unknown command|invalid command|unrecognized command|command not found|not supported/i.test(
    output,
  );
}
