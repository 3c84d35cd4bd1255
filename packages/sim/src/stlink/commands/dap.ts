import { DpRegister } from '../../adiv5/debug-port.js';
import { putU32, statusReply, u16, u32, valueReply } from '../bytes.js';
import { Debug, DP_PORT, Status } from '../constants.js';
import type { CommandSpec, StlinkEngine } from '../engine.js';

/**
 * READ/WRITE_DAP_REG address a DP register as (bank << 4) | A[3:2] with port 0xFFFF, or an
 * AP register 0x00-0xFC with port = AP number (OpenOCD stlink_usb.c). Banked DP
 * registers need J32 (V3J2). The firmware keeps SELECT itself, so a banked access sets
 * DPBANKSEL and puts bank 0 back afterwards.
 */
function dpBankAllowed(engine: StlinkEngine, address: number): boolean {
  return (address & 0xf0) === 0 || engine.features.bankedDp;
}

function readDp(engine: StlinkEngine, address: number): { status: number; value: number } {
  const bank = (address >>> 4) & 0xf;
  if (bank === 0) return engine.swd.readDp(address & 0xc);
  const select = engine.swd.writeDp(DpRegister.SELECT, bank);
  if (select !== Status.OK) return { status: select, value: 0 };
  const result = engine.swd.readDp(address & 0xc);
  engine.swd.writeDp(DpRegister.SELECT, 0);
  return result;
}

/** [F2 45 port(2) addr(2)] READ_DAP_REG (J24+) -> 8 bytes: status, value. */
export const readDapReg: CommandSpec = {
  name: 'READ_DAP_REG',
  debugOnly: true,
  available: (f) => f.dapRegisters,
  replyLength: () => 8,
  run: (engine, cmd) => {
    const port = u16(cmd, 2);
    const address = u16(cmd, 4);
    if (port === DP_PORT) {
      if (!dpBankAllowed(engine, address)) return valueReply(Status.CMD_ERROR, 0);
      const r = readDp(engine, address);
      return valueReply(r.status, r.value);
    }
    const ap = port <= 0xff ? engine.resolveAp(port) : undefined;
    if (ap === undefined) return valueReply(Status.BAD_AP, 0);
    const r = engine.swd.readAp(ap, address & 0xfc);
    return valueReply(r.status, r.value);
  },
};

/** [F2 46 port(2) addr(2) value(4)] WRITE_DAP_REG (J24+) -> 2-byte status. */
export const writeDapReg: CommandSpec = {
  name: 'WRITE_DAP_REG',
  debugOnly: true,
  available: (f) => f.dapRegisters,
  replyLength: () => 2,
  run: (engine, cmd) => {
    const port = u16(cmd, 2);
    const address = u16(cmd, 4);
    const value = u32(cmd, 6);
    if (port === DP_PORT) {
      if (!dpBankAllowed(engine, address)) return statusReply(Status.CMD_ERROR);
      const bank = (address >>> 4) & 0xf;
      if (bank !== 0) engine.swd.writeDp(DpRegister.SELECT, bank);
      const status = engine.swd.writeDp(address & 0xc, value);
      if (bank !== 0) engine.swd.writeDp(DpRegister.SELECT, 0);
      return statusReply(status);
    }
    const ap = port <= 0xff ? engine.resolveAp(port) : undefined;
    if (ap === undefined) return statusReply(Status.BAD_AP);
    return statusReply(engine.swd.writeAp(ap, address & 0xfc, value));
  },
};

/** [F2 4B ap (type)] INIT_AP (J28+) -> 2-byte status. */
export const initAp: CommandSpec = {
  name: 'INIT_AP',
  debugOnly: true,
  available: (f) => f.multiAp,
  replyLength: () => 2,
  run: (engine, cmd) => {
    engine.openAps.add(cmd[2] ?? 0);
    return statusReply(Status.OK);
  },
};

/**
 * [F2 4C ap] CLOSE_AP_DBG (J28+) -> 2-byte status; before J29 the status is not valid
 * (OpenOCD ignores it), modelled as 0x00.
 */
export const closeAp: CommandSpec = {
  name: 'CLOSE_AP_DBG',
  debugOnly: true,
  available: (f) => f.multiAp,
  replyLength: () => 2,
  run: (engine, cmd) => {
    engine.openAps.delete(cmd[2] ?? 0);
    return statusReply(engine.features.closeApStatus ? Status.OK : 0x00);
  },
};

/** [F2 31] READ_IDCODES -> 12 bytes: status, DPIDR at [4..7], 4 unknown bytes (zero). */
export const readIdCodes: CommandSpec = {
  name: 'READ_IDCODES',
  debugOnly: true,
  replyLength: () => 12,
  run: (engine) => {
    const r = engine.swd.readDp(DpRegister.DPIDR);
    const reply = new Uint8Array(12);
    reply[0] = r.status === Status.OK ? Status.OK : Status.GET_IDCODE_ERROR;
    putU32(reply, 4, r.status === Status.OK ? r.value : 0);
    return reply;
  },
};

export const dapCommands: readonly [number, CommandSpec][] = [
  [Debug.READ_DAP_REG, readDapReg],
  [Debug.WRITE_DAP_REG, writeDapReg],
  [Debug.INIT_AP, initAp],
  [Debug.CLOSE_AP_DBG, closeAp],
  [Debug.READ_IDCODES, readIdCodes],
];
