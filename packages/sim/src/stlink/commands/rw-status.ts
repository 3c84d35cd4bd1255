import { putU32, statusReply } from '../bytes.js';
import { Debug } from '../constants.js';
import type { CommandSpec } from '../engine.js';

/** [F2 3B] GETLASTRWSTATUS -> 2-byte status of the last memory command. */
export const getLastRwStatus: CommandSpec = {
  name: 'GETLASTRWSTATUS',
  debugOnly: true,
  replyLength: () => 2,
  run: (engine) => statusReply(engine.lastRwStatus),
};

/**
 * [F2 3E] GETLASTRWSTATUS2 (J15+) -> 12 bytes: status (u16), 2 unused, the faulting
 * address, 4 bytes of unknown meaning (zero here).
 */
export const getLastRwStatus2: CommandSpec = {
  name: 'GETLASTRWSTATUS2',
  debugOnly: true,
  available: (f) => f.rwStatus2,
  replyLength: () => 12,
  run: (engine) => {
    const reply = new Uint8Array(12);
    reply[0] = engine.lastRwStatus;
    putU32(reply, 4, engine.lastRwFaultAddress);
    return reply;
  },
};

export const rwStatusCommands: readonly [number, CommandSpec][] = [
  [Debug.GETLASTRWSTATUS, getLastRwStatus],
  [Debug.GETLASTRWSTATUS2, getLastRwStatus2],
];
