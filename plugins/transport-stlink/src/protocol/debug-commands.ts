import { commandBlock, getU32, putU32 } from './bytes.js';
import {
  expectLength,
  statusDecoder,
  type StatusReply,
  type StLinkCommand,
  type ValueReply,
} from './command.js';
import { CommandClass, DebugCommand, type NrstAction } from './constants.js';
import { noReply } from './general-commands.js';

const DEBUG = CommandClass.DEBUG;

function statusCommand(name: string, block: Uint8Array): StLinkCommand<StatusReply> {
  return { name, block, responseBytes: 2, decode: statusDecoder(name) };
}

function valueCommand(name: string, block: Uint8Array): StLinkCommand<ValueReply> {
  return {
    name,
    block,
    responseBytes: 8,
    decode(response) {
      expectLength(name, response, 8);
      return { status: response[0] ?? 0, value: getU32(response, 4) };
    },
  };
}

/** `[F2 30 p]` -> 2-byte status. p: EnterProtocol.SWD (0xA3) or JTAG (0xA4). */
export function enterDebug(protocol: number): StLinkCommand<StatusReply> {
  return statusCommand('ENTER', commandBlock(DEBUG, DebugCommand.ENTER, protocol));
}

/**
 * `[F2 21]`, no reply. Only when the mode query said DEBUG: V3 firmware (seen on V3J15) locks
 * up otherwise (stlink-org/stlink#1467).
 */
export function debugExit(): StLinkCommand<void> {
  return noReply('DEBUG_EXIT', commandBlock(DEBUG, DebugCommand.EXIT));
}

export interface IdCodesReply {
  readonly status: number;
  /** SW-DP DPIDR in SWD mode, JTAG IDCODE in JTAG mode. */
  readonly idcode: number;
}

/**
 * `[F2 31]` -> 12 bytes: status, ID at 4..7 (OpenOCD stlink_usb.c reads it as the SWD DPIDR or
 * the JTAG IDCODE), then 4 bytes no source explains.
 */
export function readIdCodes(): StLinkCommand<IdCodesReply> {
  return {
    name: 'READ_IDCODES',
    block: commandBlock(DEBUG, DebugCommand.READ_IDCODES),
    responseBytes: 12,
    decode(response) {
      expectLength('READ_IDCODES', response, 12);
      return { status: response[0] ?? 0, idcode: getU32(response, 4) };
    },
  };
}

/**
 * `[F2 32]` -> 2-byte status. Probe-side system reset; how the probe resets the target is
 * undocumented (OpenOCD stlink_usb.c uses it for its HLA reset and does not say).
 */
export function resetSys(): StLinkCommand<StatusReply> {
  return statusCommand('RESETSYS', commandBlock(DEBUG, DebugCommand.RESETSYS));
}

/** `[F2 3C x]` -> 2-byte status. x: 0 low, 1 high, 2 pulse (OpenOCD stlink_usb.c). */
export function driveNrst(action: NrstAction): StLinkCommand<StatusReply> {
  return statusCommand('DRIVE_NRST', commandBlock(DEBUG, DebugCommand.DRIVE_NRST, action));
}

/** `[F2 36 a0 a1 a2 a3]` -> 8 bytes. One aligned 32-bit read on AP 0 (OpenOCD stlink_usb.c). */
export function readDebugReg(address: number): StLinkCommand<ValueReply> {
  const block = commandBlock(DEBUG, DebugCommand.READDEBUGREG);
  putU32(block, 2, address);
  return valueCommand('READDEBUGREG', block);
}

/** `[F2 35 a0..a3 v0..v3]` -> 2-byte status. One aligned 32-bit write on AP 0. */
export function writeDebugReg(address: number, value: number): StLinkCommand<StatusReply> {
  const block = commandBlock(DEBUG, DebugCommand.WRITEDEBUGREG);
  putU32(block, 2, address);
  putU32(block, 6, value);
  return statusCommand('WRITEDEBUGREG', block);
}

/**
 * `[F2 33 r]` -> 8 bytes. r uses DCRSR REGSEL numbering (OpenOCD stlink_usb.c passes its
 * ARMV7M_REGSEL values through); r > 0x1F (FPU) needs J15 (OpenOCD, stlink-org).
 */
export function readCoreReg(regsel: number): StLinkCommand<ValueReply> {
  return valueCommand('READREG', commandBlock(DEBUG, DebugCommand.READREG, regsel));
}

/** `[F2 34 r v0..v3]` -> 2-byte status. */
export function writeCoreReg(regsel: number, value: number): StLinkCommand<StatusReply> {
  const block = commandBlock(DEBUG, DebugCommand.WRITEREG, regsel);
  putU32(block, 3, value);
  return statusCommand('WRITEREG', block);
}

/** `[F2 3B]` -> 2-byte status of the last memory command; firmware before J15. */
export function getLastRwStatus(): StLinkCommand<StatusReply> {
  return statusCommand('GETLASTRWSTATUS', commandBlock(DEBUG, DebugCommand.GETLASTRWSTATUS));
}

export interface RwStatusReply {
  readonly status: number;
  /** Address of the faulting access (meaningful when status is a fault). */
  readonly faultAddress: number;
}

/**
 * `[F2 3E]` -> 12 bytes: status u16, 2 unused, fault address u32, 4 unknown (J15+; pyOCD
 * stlink.py unpacks it as u16, u16, u32).
 */
export function getLastRwStatus2(): StLinkCommand<RwStatusReply> {
  return {
    name: 'GETLASTRWSTATUS2',
    block: commandBlock(DEBUG, DebugCommand.GETLASTRWSTATUS2),
    responseBytes: 12,
    decode(response) {
      expectLength('GETLASTRWSTATUS2', response, 12);
      return { status: response[0] ?? 0, faultAddress: getU32(response, 4) };
    },
  };
}
