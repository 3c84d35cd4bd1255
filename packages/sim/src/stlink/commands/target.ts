import { putU32, statusReply } from '../bytes.js';
import { Debug, DeviceMode, Status, Top } from '../constants.js';
import type { CommandSpec } from '../engine.js';

const AIRCR = 0xe000ed0c;

/**
 * [F2 3C x] DRIVE_NRST: x = 0 low, 1 high, 2 pulse; 2-byte status. Works outside debug
 * mode too (OpenOCD asserts NRST before ENTER). On a clone the RST pin goes to SWIM_RST,
 * so the target never sees it (blackmagic#682); the status is still OK.
 */
export const driveNrst: CommandSpec = {
  name: 'DRIVE_NRST',
  replyLength: () => 2,
  run: (engine, cmd) => {
    const action = cmd[2];
    if (action !== 0 && action !== 1 && action !== 2) return statusReply(Status.CMD_ERROR);
    if (engine.behaviour.clone) return statusReply(Status.OK);
    if (action === 2) {
      engine.board.setNrst(true);
      engine.board.setNrst(false);
    } else {
      engine.board.setNrst(action === 0);
    }
    return statusReply(Status.OK);
  },
};

/**
 * [F2 32] APIV2_RESETSYS: a probe-side system reset; 2-byte status. The mechanism is
 * undocumented; modelled as AIRCR.SYSRESETREQ written through AP 0.
 */
export const resetSys: CommandSpec = {
  name: 'APIV2_RESETSYS',
  debugOnly: true,
  replyLength: () => 2,
  run: (engine) => {
    const data = new Uint8Array(4);
    putU32(data, 0, 0x05fa0004);
    return statusReply(engine.swd.writeMemory(0, 0, AIRCR, 4, data, true).status);
  },
};

/** Internal reference reading of the probe's ADC (1.2 V at about 3.3 V supply, 12 bits). */
const VREF_READING = 1489;

/**
 * [F7] GET_TARGET_VOLTAGE (V2 J13+, V3) -> 8 bytes: a0 (reference reading) and a1 (target
 * through a 1:2 divider); V = 2 * a1 * 1.2 / a0. Clones read all zeros, and so does a probe
 * in DFU mode (OpenOCD does not ask there) or a board that lost power (a1 = 0).
 */
export const getTargetVoltage: CommandSpec = {
  name: 'GET_TARGET_VOLTAGE',
  replyLength: (_cmd, engine) => (engine.features.targetVoltage ? 8 : 0),
  run: (engine) => {
    if (!engine.features.targetVoltage) return undefined;
    const reply = new Uint8Array(8);
    if (engine.behaviour.clone || engine.mode === DeviceMode.DFU) return reply;
    const volts = engine.board.powered ? engine.behaviour.voltage : 0;
    putU32(reply, 0, VREF_READING);
    putU32(reply, 4, Math.round((volts * VREF_READING) / 2.4));
    return reply;
  },
};

export const targetTopCommands: readonly [number, CommandSpec][] = [
  [Top.GET_TARGET_VOLTAGE, getTargetVoltage],
];

export const targetDebugCommands: readonly [number, CommandSpec][] = [
  [Debug.DRIVE_NRST, driveNrst],
  [Debug.APIV2_RESETSYS, resetSys],
];
