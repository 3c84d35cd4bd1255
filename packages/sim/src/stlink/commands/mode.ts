import { statusReply } from '../bytes.js';
import {
  DFU_EXIT,
  Debug,
  DeviceMode,
  EnterMode,
  Status,
  SWIM_ENTER,
  SWIM_EXIT,
  Top,
} from '../constants.js';
import type { CommandSpec } from '../engine.js';

/** GET_CURRENT_MODE [F5] -> 2 bytes, mode in byte 0 (0 DFU, 1 mass, 2 debug, 3 SWIM). */
export const getCurrentMode: CommandSpec = {
  name: 'GET_CURRENT_MODE',
  replyLength: () => 2,
  run: (engine) => Uint8Array.of(engine.mode, 0),
};

/** [F3 07] DFU_EXIT: leaves DFU mode; no reply. Other DFU sub-commands are ignored. */
export const dfu: CommandSpec = {
  name: 'DFU',
  replyLength: () => 0,
  run: (engine, cmd) => {
    if (cmd[1] === DFU_EXIT && engine.mode === DeviceMode.DFU) engine.mode = DeviceMode.MASS;
    return undefined;
  },
};

/** [F4 00] SWIM_ENTER and [F4 01] SWIM_EXIT; no reply. STM8 SWIM itself is not modelled. */
export const swim: CommandSpec = {
  name: 'SWIM',
  replyLength: () => 0,
  run: (engine, cmd) => {
    if (cmd[1] === SWIM_ENTER && engine.mode === DeviceMode.MASS) engine.mode = DeviceMode.SWIM;
    if (cmd[1] === SWIM_EXIT && engine.mode === DeviceMode.SWIM) engine.mode = DeviceMode.MASS;
    return undefined;
  },
};

/**
 * [F2 21] EXIT: leaves debug mode and closes every AP; no reply. On V3, sent outside debug
 * mode it can lock the firmware up (stlink-org#1467), an opt-in behaviour here.
 */
export const exitDebug: CommandSpec = {
  name: 'EXIT',
  replyLength: () => 0,
  run: (engine) => {
    if (engine.inDebugMode) engine.leaveDebug();
    else if (engine.firmware.major >= 3 && engine.behaviour.lockUpOnStrayExit)
      engine.lockedUp = true;
    return undefined;
  },
};

/**
 * [F2 30 p] APIV2_ENTER: p = 0xA3 SWD, 0xA4 JTAG, 0x00 JTAG with reset; 2-byte status. The
 * probe does the line reset, DPIDR read and power-up itself; no target answers -> 0x09
 * GET_IDCODE_ERROR (what pyOCD reports for an unpowered target, pyOCD#772).
 */
export const enterDebug: CommandSpec = {
  name: 'APIV2_ENTER',
  replyLength: () => 2,
  run: (engine, cmd) => {
    const protocol = cmd[2];
    if (
      protocol !== EnterMode.SWD &&
      protocol !== EnterMode.JTAG_NO_RESET &&
      protocol !== EnterMode.JTAG_RESET
    ) {
      return statusReply(Status.CMD_ERROR);
    }
    if (engine.mode === DeviceMode.DFU) return statusReply(Status.CMD_ERROR);
    if (engine.mode === DeviceMode.SWIM) return statusReply(Status.ALREADY_OPENED_IN_OTHER_MODE);
    engine.swd.jtagMode = protocol !== EnterMode.SWD;
    if (engine.swd.jtagMode) engine.setJtagKhz(engine.jtagKhz);
    else engine.setSwdKhz(engine.swdKhz);
    const result = engine.swd.connect();
    if (result.status !== Status.OK) {
      engine.leaveDebug();
      return statusReply(result.status);
    }
    engine.mode = DeviceMode.DEBUG;
    return statusReply(Status.OK);
  },
};

export const modeTopCommands: readonly [number, CommandSpec][] = [
  [Top.GET_CURRENT_MODE, getCurrentMode],
  [Top.DFU, dfu],
  [Top.SWIM, swim],
];

export const modeDebugCommands: readonly [number, CommandSpec][] = [
  [Debug.EXIT, exitDebug],
  [Debug.APIV2_ENTER, enterDebug],
];
