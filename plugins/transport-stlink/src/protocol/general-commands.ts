import { commandBlock, getU16, getU32 } from './bytes.js';
import { expectLength, type StLinkCommand } from './command.js';
import { CommandClass, DFU_EXIT, SWIM_EXIT } from './constants.js';

/**
 * GET_VERSION reply before field decoding (OpenOCD stlink_usb_version, stlink-org
 * _parse_version): the version word is big-endian.
 */
export interface RawVersion {
  /** Bytes 0-1, big-endian: V[15:12] J-or-M[11:6] S-or-M[5:0]. */
  readonly word: number;
  readonly vendorId: number;
  readonly productId: number;
}

/** `[F1]` -> 6 bytes. */
export function getVersion(): StLinkCommand<RawVersion> {
  return {
    name: 'GET_VERSION',
    block: commandBlock(CommandClass.GET_VERSION),
    responseBytes: 6,
    decode(response) {
      expectLength('GET_VERSION', response, 6);
      return {
        word: ((response[0] ?? 0) << 8) | (response[1] ?? 0),
        vendorId: getU16(response, 2),
        productId: getU16(response, 4),
      };
    },
  };
}

/** GET_VERSION_EX reply of API v3 probes, V3 and V3PWR (OpenOCD stlink_usb_version, pyOCD). */
export interface VersionEx {
  readonly hardware: number;
  readonly swim: number;
  readonly jtag: number;
  readonly msc: number;
  readonly bridge: number;
  /** Power interface version; V3PWR only (pyOCD, probe-rs). */
  readonly power: number;
  readonly vendorId: number;
  readonly productId: number;
}

/** `[FB]` -> 12 bytes. */
export function getVersionEx(): StLinkCommand<VersionEx> {
  return {
    name: 'GET_VERSION_EX',
    block: commandBlock(CommandClass.GET_VERSION_EX),
    responseBytes: 12,
    decode(response) {
      expectLength('GET_VERSION_EX', response, 12);
      const byte = (i: number): number => response[i] ?? 0;
      return {
        hardware: byte(0),
        swim: byte(1),
        jtag: byte(2),
        msc: byte(3),
        bridge: byte(4),
        power: byte(5),
        vendorId: getU16(response, 8),
        productId: getU16(response, 10),
      };
    },
  };
}

/** `[F5]` -> 2 bytes; the mode is byte 0 (OpenOCD stlink_usb.c, blackmagic stlinkv2.c). */
export function getCurrentMode(): StLinkCommand<number> {
  return {
    name: 'GET_CURRENT_MODE',
    block: commandBlock(CommandClass.GET_CURRENT_MODE),
    responseBytes: 2,
    decode(response) {
      expectLength('GET_CURRENT_MODE', response, 2);
      return response[0] ?? 0;
    },
  };
}

export interface TargetVoltageReply {
  /** Internal reference reading. */
  readonly reference: number;
  /** Target reading through the probe's 1:2 divider. */
  readonly target: number;
  /** Undefined when the reference reads 0 (clones without Vref sense, stlink-org#1343). */
  readonly volts: number | undefined;
}

/**
 * `[F7]` -> 8 bytes: two u32; V = 2 * a1 * 1.2 / a0 (OpenOCD stlink_usb.c, pyOCD stlink.py,
 * probe-rs stlink/mod.rs).
 */
export function getTargetVoltage(): StLinkCommand<TargetVoltageReply> {
  return {
    name: 'GET_TARGET_VOLTAGE',
    block: commandBlock(CommandClass.GET_TARGET_VOLTAGE),
    responseBytes: 8,
    decode(response) {
      expectLength('GET_TARGET_VOLTAGE', response, 8);
      const reference = getU32(response, 0);
      const target = getU32(response, 4);
      return {
        reference,
        target,
        volts: reference === 0 ? undefined : (2 * target * 1.2) / reference,
      };
    },
  };
}

/**
 * `[F3 07]`, no reply. The probe may re-enumerate afterwards (blackmagic stlinkv2.c
 * stlink_init, blackmagic-debug/blackmagic#543).
 */
export function dfuExit(): StLinkCommand<void> {
  return noReply('DFU_EXIT', commandBlock(CommandClass.DFU, DFU_EXIT));
}

/** `[F4 01]`, no reply. */
export function swimExit(): StLinkCommand<void> {
  return noReply('SWIM_EXIT', commandBlock(CommandClass.SWIM, SWIM_EXIT));
}

export function noReply(
  name: string,
  block: Uint8Array,
  dataOut?: Uint8Array,
): StLinkCommand<void> {
  return {
    name,
    block,
    dataOut,
    responseBytes: 0,
    decode(response) {
      expectLength(name, response, 0);
    },
  };
}
