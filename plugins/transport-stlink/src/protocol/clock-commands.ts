import { commandBlock, getU32, putU16, putU32 } from './bytes.js';
import { expectLength, statusDecoder, type StatusReply, type StLinkCommand } from './command.js';
import { CommandClass, DebugCommand } from './constants.js';

/**
 * `[F2 43 d_lo d_hi]` -> 2-byte status. V2 from J22, where OpenOCD stlink_usb.c gates
 * STLINK_F_HAS_SWD_SET_FREQ (its commit 145f8ed81 says J22 too); the "From V2J20" comment in
 * pyOCD, copied into probe-rs, is the only source for J20.
 */
export function swdSetFreq(divisor: number): StLinkCommand<StatusReply> {
  const block = commandBlock(CommandClass.DEBUG, DebugCommand.SWD_SET_FREQ);
  putU16(block, 2, divisor);
  return { name: 'SWD_SET_FREQ', block, responseBytes: 2, decode: statusDecoder('SWD_SET_FREQ') };
}

/** `[F2 44 d_lo d_hi]` -> 2-byte status. V2 from J24. */
export function jtagSetFreq(divisor: number): StLinkCommand<StatusReply> {
  const block = commandBlock(CommandClass.DEBUG, DebugCommand.JTAG_SET_FREQ);
  putU16(block, 2, divisor);
  return {
    name: 'JTAG_SET_FREQ',
    block,
    responseBytes: 2,
    decode: statusDecoder('JTAG_SET_FREQ'),
  };
}

/** Interface selector of the V3 frequency commands. */
export const ComInterface = { SWD: 0, JTAG: 1 } as const;
export type ComInterface = (typeof ComInterface)[keyof typeof ComInterface];

export interface ComFrequencies {
  readonly status: number;
  readonly currentKhz: number;
  /** As the probe lists them (typically fastest first). */
  readonly frequenciesKhz: readonly number[];
}

/** Most entries GET_COM_FREQ can carry in its 52-byte reply. */
const MAX_COM_FREQUENCIES = 10;

/**
 * `[F2 62 p]` -> 52 bytes: status, current kHz at 4..7 (pyOCD stlink.py, probe-rs stlink/mod.rs),
 * count at 8, up to 10 u32 kHz from 12 (OpenOCD stlink_usb.c STLINK_V3_MAX_FREQ_NB). OpenOCD
 * reads the count as a byte, probe-rs as a u32; a byte is what both agree on.
 */
export function getComFreq(iface: ComInterface): StLinkCommand<ComFrequencies> {
  return {
    name: 'GET_COM_FREQ',
    block: commandBlock(CommandClass.DEBUG, DebugCommand.GET_COM_FREQ, iface),
    responseBytes: 52,
    decode(response) {
      expectLength('GET_COM_FREQ', response, 52);
      const count = Math.min(response[8] ?? 0, MAX_COM_FREQUENCIES);
      const frequenciesKhz: number[] = [];
      for (let i = 0; i < count; i++) frequenciesKhz.push(getU32(response, 12 + 4 * i));
      return { status: response[0] ?? 0, currentKhz: getU32(response, 4), frequenciesKhz };
    },
  };
}

export interface SetComFreqReply {
  readonly status: number;
  readonly actualKhz: number;
}

/** `[F2 61 p 00 f0 f1 f2 f3]` -> 8 bytes: status, applied kHz at 4..7 (V3 only). */
export function setComFreq(iface: ComInterface, khz: number): StLinkCommand<SetComFreqReply> {
  const block = commandBlock(CommandClass.DEBUG, DebugCommand.SET_COM_FREQ, iface, 0);
  putU32(block, 4, khz);
  return {
    name: 'SET_COM_FREQ',
    block,
    responseBytes: 8,
    decode(response) {
      expectLength('SET_COM_FREQ', response, 8);
      return { status: response[0] ?? 0, actualKhz: getU32(response, 4) };
    },
  };
}
