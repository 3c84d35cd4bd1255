import { putU32, statusReply, u32, valueReply } from '../bytes.js';
import { Debug, Status } from '../constants.js';
import type { CommandSpec, StlinkEngine } from '../engine.js';

const DHCSR = 0xe000edf0;
const DCRSR = 0xe000edf4;
const DCRDR = 0xe000edf8;
const S_REGRDY = 1 << 16;

/** One aligned 32-bit read on AP 0, as READDEBUGREG and the register commands do it. */
function readWord(engine: StlinkEngine, address: number): { status: number; value: number } {
  if (address % 4 !== 0) return { status: Status.ALIGNMENT_ERROR, value: 0 };
  const out = new Uint8Array(4);
  const result = engine.swd.readMemory(0, 0, address, 4, 1, true, out);
  return { status: result.status, value: new DataView(out.buffer).getUint32(0, true) };
}

function writeWord(engine: StlinkEngine, address: number, value: number): number {
  if (address % 4 !== 0) return Status.ALIGNMENT_ERROR;
  const data = new Uint8Array(4);
  putU32(data, 0, value);
  return engine.swd.writeMemory(0, 0, address, 4, data, true).status;
}

/** [F2 36 addr] READDEBUGREG -> 8 bytes: status, value at [4..7]. */
export const readDebugReg: CommandSpec = {
  name: 'READDEBUGREG',
  debugOnly: true,
  replyLength: () => 8,
  run: (engine, cmd) => {
    const r = readWord(engine, u32(cmd, 2));
    return valueReply(r.status, r.value);
  },
};

/** [F2 35 addr value] WRITEDEBUGREG -> 2-byte status. */
export const writeDebugReg: CommandSpec = {
  name: 'WRITEDEBUGREG',
  debugOnly: true,
  replyLength: () => 2,
  run: (engine, cmd) => statusReply(writeWord(engine, u32(cmd, 2), u32(cmd, 6))),
};

/**
 * A core register transfer the way the firmware does it: DCRSR, then S_REGRDY, then DCRDR.
 * When S_REGRDY does not come (core running) it answers 0x81 (DEBUG_ERR_FAULT); what real
 * firmware answers there is not documented.
 */
function readCoreRegister(engine: StlinkEngine, regSel: number): { status: number; value: number } {
  const select = writeWord(engine, DCRSR, regSel & 0x7f);
  if (select !== Status.OK) return { status: select, value: 0 };
  const dhcsr = readWord(engine, DHCSR);
  if (dhcsr.status !== Status.OK) return dhcsr;
  if (!(dhcsr.value & S_REGRDY)) return { status: Status.FAULT, value: 0 };
  return readWord(engine, DCRDR);
}

function writeCoreRegister(engine: StlinkEngine, regSel: number, value: number): number {
  const data = writeWord(engine, DCRDR, value);
  if (data !== Status.OK) return data;
  const select = writeWord(engine, DCRSR, (regSel & 0x7f) | 0x10000);
  if (select !== Status.OK) return select;
  const dhcsr = readWord(engine, DHCSR);
  if (dhcsr.status !== Status.OK) return dhcsr.status;
  return dhcsr.value & S_REGRDY ? Status.OK : Status.FAULT;
}

/** REGSEL above 0x1F (FPU registers) needs J15 (OpenOCD). */
function regSelAllowed(engine: StlinkEngine, regSel: number): boolean {
  return regSel <= 0x1f || engine.features.fpuRegisters;
}

/** [F2 33 regsel] APIV2_READREG -> 8 bytes: status, value at [4..7]. */
export const readReg: CommandSpec = {
  name: 'APIV2_READREG',
  debugOnly: true,
  replyLength: () => 8,
  run: (engine, cmd) => {
    const regSel = cmd[2] ?? 0;
    if (!regSelAllowed(engine, regSel)) return valueReply(Status.CMD_ERROR, 0);
    const r = readCoreRegister(engine, regSel);
    return valueReply(r.status, r.value);
  },
};

/** [F2 34 regsel value] APIV2_WRITEREG -> 2-byte status. */
export const writeReg: CommandSpec = {
  name: 'APIV2_WRITEREG',
  debugOnly: true,
  replyLength: () => 2,
  run: (engine, cmd) => {
    const regSel = cmd[2] ?? 0;
    if (!regSelAllowed(engine, regSel)) return statusReply(Status.CMD_ERROR);
    return statusReply(writeCoreRegister(engine, regSel, u32(cmd, 3)));
  },
};

/**
 * [F2 3A] APIV2_READALLREGS -> 88 bytes: 4-byte status, R0-R15, xPSR, MSP, PSP and two
 * words of unknown meaning (stlink-org's "rw", "rw2"; we put the packed
 * CONTROL/FAULTMASK/BASEPRI/PRIMASK word and zero there).
 */
export const readAllRegs: CommandSpec = {
  name: 'APIV2_READALLREGS',
  debugOnly: true,
  replyLength: () => 88,
  run: (engine) => {
    const reply = new Uint8Array(88);
    const regSels = [...Array.from({ length: 19 }, (_, i) => i), 0x14];
    for (const [index, regSel] of regSels.entries()) {
      const r = readCoreRegister(engine, regSel);
      if (r.status !== Status.OK) {
        reply.fill(0);
        reply[0] = r.status;
        return reply;
      }
      putU32(reply, 4 + index * 4, r.value);
    }
    reply[0] = Status.OK;
    return reply;
  },
};

export const registerCommands: readonly [number, CommandSpec][] = [
  [Debug.READDEBUGREG, readDebugReg],
  [Debug.WRITEDEBUGREG, writeDebugReg],
  [Debug.APIV2_READREG, readReg],
  [Debug.APIV2_WRITEREG, writeReg],
  [Debug.APIV2_READALLREGS, readAllRegs],
];
