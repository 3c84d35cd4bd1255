import { putU32 } from '../bytes.js';
import { Top } from '../constants.js';
import { ST_VENDOR_ID } from '../descriptors.js';
import type { CommandSpec, StlinkEngine } from '../engine.js';

/**
 * GET_VERSION [F1] -> 6 bytes: u16 big-endian V<<12 | J<<6 | S (M on V2-1 firmware with a
 * mass-storage version), then VID and PID little-endian. V3 reports J = S = 0 and expects
 * the host to ask GET_VERSION_EX (OpenOCD stlink_usb_version, pyOCD stlink.py get_version).
 */
export const getVersion: CommandSpec = {
  name: 'GET_VERSION',
  replyLength: () => 6,
  run: (engine) => {
    const fw = engine.firmware;
    const v3 = fw.major >= 3;
    const low = fw.msd !== 0 ? fw.msd : fw.swim;
    const word = v3 ? (fw.major << 12) & 0xffff : (fw.major << 12) | (fw.jtag << 6) | (low & 0x3f);
    const reply = new Uint8Array(6);
    reply[0] = (word >>> 8) & 0xff;
    reply[1] = word & 0xff;
    reply[2] = ST_VENDOR_ID & 0xff;
    reply[3] = ST_VENDOR_ID >>> 8;
    reply[4] = engine.variant.productId & 0xff;
    reply[5] = engine.variant.productId >>> 8;
    return reply;
  },
};

/**
 * GET_VERSION_EX [FB] -> 12 bytes: V, S, J, M, B, P(0), 2 reserved, VID, PID. Only V3
 * firmware knows it; V2 gives no reply to it.
 */
export const getVersionEx: CommandSpec = {
  name: 'GET_VERSION_EX',
  replyLength: (_cmd, engine: StlinkEngine) => (engine.firmware.major >= 3 ? 12 : 0),
  run: (engine) => {
    const fw = engine.firmware;
    if (fw.major < 3) return undefined;
    const reply = new Uint8Array(12);
    reply.set([fw.major, fw.swim, fw.jtag, fw.msd, fw.bridge, 0, 0, 0]);
    putU32(reply, 8, ST_VENDOR_ID | (engine.variant.productId << 16));
    return reply;
  },
};

export const versionCommands: readonly [number, CommandSpec][] = [
  [Top.GET_VERSION, getVersion],
  [Top.GET_VERSION_EX, getVersionEx],
];
