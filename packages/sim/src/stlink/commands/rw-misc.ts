import { putU32, u32 } from '../bytes.js';
import { Debug, RwMisc, Status } from '../constants.js';
import type { CommandSpec, StlinkEngine } from '../engine.js';

/** Bytes of the RW_MISC_OUT data phase for `items` items: opcodes padded to 4, then words. */
function outLength(items: number): number {
  return Math.ceil(items / 4) * 4 + 4 * items;
}

function runItems(engine: StlinkEngine, items: number, data: Uint8Array): Uint8Array {
  const reply = new Uint8Array(8 * items);
  const paramsAt = Math.ceil(items / 4) * 4;
  let ap = 0;
  let address = 0;
  for (let i = 0; i < items; i++) {
    const opcode = data[i] ?? 0;
    const param = u32(data, paramsAt + 4 * i);
    let status: number = Status.OK;
    let value = 0;
    switch (opcode) {
      case RwMisc.APNUM: {
        const resolved = engine.resolveAp(param);
        if (resolved === undefined) status = Status.BAD_AP;
        else ap = resolved;
        break;
      }
      case RwMisc.ADDRESS:
        address = param;
        break;
      case RwMisc.WRITE: {
        const word = new Uint8Array(4);
        putU32(word, 0, param);
        status = engine.swd.writeMemory(ap, 0, address, 4, word, true).status;
        break;
      }
      case RwMisc.READ: {
        const out = new Uint8Array(4);
        status = engine.swd.readMemory(ap, 0, param, 4, 1, true, out).status;
        value = new DataView(out.buffer).getUint32(0, true);
        break;
      }
      default:
        status = Status.CMD_ERROR;
    }
    putU32(reply, 4 * i, value);
    putU32(reply, 4 * (items + i), status);
  }
  return reply;
}

/**
 * [F2 51 n(4)] RW_MISC_OUT (J32/V3J2): a batch of n 32-bit MEM-AP operations (OpenOCD
 * stlink_usb_misc_rw_segment). Data phase: n opcodes (1 set address, 2 write word, 3 read
 * word, 5 select AP) padded to 4 bytes, then n u32 parameters. No reply.
 */
export const rwMiscOut: CommandSpec = {
  name: 'RW_MISC_OUT',
  debugOnly: true,
  available: (f) => f.rwMisc,
  replyLength: () => 0,
  dataOutLength: (cmd) => outLength(u32(cmd, 2)),
  run: (engine, cmd, data) => {
    engine.miscReply = runItems(engine, u32(cmd, 2), data);
    return undefined;
  },
};

/** [F2 52] RW_MISC_IN -> 8n bytes: n u32 values, then n u32 statuses (0x80 = OK). */
export const rwMiscIn: CommandSpec = {
  name: 'RW_MISC_IN',
  debugOnly: true,
  available: (f) => f.rwMisc,
  replyLength: (_cmd, engine) => engine.miscReply.length,
  run: (engine) => {
    const reply = engine.miscReply;
    engine.miscReply = new Uint8Array(0);
    return reply;
  },
};

export const rwMiscCommands: readonly [number, CommandSpec][] = [
  [Debug.RW_MISC_OUT, rwMiscOut],
  [Debug.RW_MISC_IN, rwMiscIn],
];
