import { commandBlock, getU32, putU16, putU32 } from './bytes.js';
import {
  expectLength,
  statusDecoder,
  type StatusReply,
  type StLinkCommand,
  type ValueReply,
} from './command.js';
import { CommandClass, DebugCommand } from './constants.js';

/**
 * `[F2 45 port16 addr16]` -> 8 bytes, value at 4..7 (J24+; OpenOCD stlink_usb.c, pyOCD
 * stlink.py). port 0xFFFF is the DP; otherwise the AP number. The probe handles DP SELECT
 * itself.
 */
export function readDapReg(port: number, address: number): StLinkCommand<ValueReply> {
  const block = commandBlock(CommandClass.DEBUG, DebugCommand.READ_DAP_REG);
  putU16(block, 2, port);
  putU16(block, 4, address);
  return {
    name: 'READ_DAP_REG',
    block,
    responseBytes: 8,
    decode(response) {
      expectLength('READ_DAP_REG', response, 8);
      return { status: response[0] ?? 0, value: getU32(response, 4) };
    },
  };
}

/** `[F2 46 port16 addr16 value32]` -> 2-byte status (J24+). */
export function writeDapReg(
  port: number,
  address: number,
  value: number,
): StLinkCommand<StatusReply> {
  const block = commandBlock(CommandClass.DEBUG, DebugCommand.WRITE_DAP_REG);
  putU16(block, 2, port);
  putU16(block, 4, address);
  putU32(block, 6, value);
  return { name: 'WRITE_DAP_REG', block, responseBytes: 2, decode: statusDecoder('WRITE_DAP_REG') };
}

/**
 * `[F2 4B ap]` -> 2-byte status (J28+; every V3). Byte 3 would select the "Cortex-M core"
 * AP type; pyOCD and OpenOCD leave it 0.
 */
export function initAp(ap: number): StLinkCommand<StatusReply> {
  return {
    name: 'INIT_AP',
    block: commandBlock(CommandClass.DEBUG, DebugCommand.INIT_AP, ap),
    responseBytes: 2,
    decode: statusDecoder('INIT_AP'),
  };
}

/**
 * `[F2 4C ap]` -> 2-byte status; the status is only meaningful from J29 (OpenOCD stlink_usb.c
 * ignores it before).
 */
export function closeAp(ap: number): StLinkCommand<StatusReply> {
  return {
    name: 'CLOSE_AP_DBG',
    block: commandBlock(CommandClass.DEBUG, DebugCommand.CLOSE_AP_DBG, ap),
    responseBytes: 2,
    decode: statusDecoder('CLOSE_AP_DBG'),
  };
}
