import { putU32, statusReply, u16, u32, valueReply } from '../bytes.js';
import { Debug, Status } from '../constants.js';
import type { CommandSpec, StlinkEngine } from '../engine.js';

/**
 * V2 SWD divisors and their nominal speeds (OpenOCD stlink_usb.c and stlink-org names; divisor
 * 0 is 4 MHz as ST's own tools label it: STM32CubeProgrammer prints "SWD freq : 4000 KHz"
 * on V2J32S0, log in dmitrystu/sboot_stm32#23; 5, 9, 10 and 25 from pyOCD's table).
 */
export const swdDivisorKhz: ReadonlyMap<number, number> = new Map([
  [0, 4000],
  [1, 1800],
  [2, 1200],
  [3, 950],
  [5, 650],
  [7, 480],
  [9, 400],
  [10, 360],
  [15, 240],
  [25, 150],
  [31, 125],
  [40, 100],
  [79, 50],
  [158, 25],
  [265, 15],
  [798, 5],
]);

/** V2 JTAG divisors (OpenOCD table). */
export const jtagDivisorKhz: ReadonlyMap<number, number> = new Map([
  [2, 18000],
  [4, 9000],
  [8, 4500],
  [16, 2250],
  [32, 1125],
  [64, 562],
  [128, 281],
  [256, 140],
]);

/** Speed of a divisor: the table entry, or the next slower one for divisors in between. */
function divisorKhz(table: ReadonlyMap<number, number>, divisor: number): number {
  let best: [number, number] | undefined;
  for (const entry of table) {
    if (entry[0] >= divisor && (!best || entry[0] < best[0])) best = entry;
  }
  return best?.[1] ?? Math.min(...table.values());
}

/** [F2 43 d_lo d_hi] SWD_SET_FREQ (V2 J22+) -> 2-byte status. */
export const swdSetFreq: CommandSpec = {
  name: 'SWD_SET_FREQ',
  available: (f) => f.swdSetFreq,
  replyLength: () => 2,
  run: (engine, cmd) => {
    engine.swdDivisor = u16(cmd, 2);
    engine.setSwdKhz(divisorKhz(swdDivisorKhz, engine.swdDivisor));
    return statusReply(Status.OK);
  },
};

/** [F2 44 d_lo d_hi] JTAG_SET_FREQ (V2 J24+) -> 2-byte status. */
export const jtagSetFreq: CommandSpec = {
  name: 'JTAG_SET_FREQ',
  available: (f) => f.jtagSetFreq,
  replyLength: () => 2,
  run: (engine, cmd) => {
    engine.jtagDivisor = u16(cmd, 2);
    engine.setJtagKhz(divisorKhz(jtagDivisorKhz, engine.jtagDivisor));
    return statusReply(Status.OK);
  },
};

function frequencies(engine: StlinkEngine, protocol: number): readonly number[] {
  return protocol === 0 ? engine.behaviour.swdFrequenciesKhz : engine.behaviour.jtagFrequenciesKhz;
}

/**
 * [F2 62 p] GET_COM_FREQ (V3) -> 52 bytes: status, current kHz at [4..7], entry count at
 * [8], up to 10 u32 kHz values from [12].
 */
export const getComFreq: CommandSpec = {
  name: 'GET_COM_FREQ',
  available: (f) => f.comFreq,
  replyLength: () => 52,
  run: (engine, cmd) => {
    const protocol = cmd[2] ?? 0;
    if (protocol > 1) return padded(Status.CMD_ERROR);
    const list = frequencies(engine, protocol).slice(0, 10);
    const reply = new Uint8Array(52);
    reply[0] = Status.OK;
    putU32(reply, 4, protocol === 0 ? engine.swdKhz : engine.jtagKhz);
    reply[8] = list.length;
    list.forEach((khz, i) => putU32(reply, 12 + 4 * i, khz));
    return reply;
  },
};

function padded(status: number): Uint8Array {
  const reply = new Uint8Array(52);
  reply[0] = status;
  return reply;
}

/**
 * [F2 61 p 0 f0..f3] SET_COM_FREQ (V3) -> 8 bytes: status, applied kHz. The probe applies
 * the fastest listed frequency not above the request (the slowest when none is).
 */
export const setComFreq: CommandSpec = {
  name: 'SET_COM_FREQ',
  available: (f) => f.comFreq,
  replyLength: () => 8,
  run: (engine, cmd) => {
    const protocol = cmd[2] ?? 0;
    if (protocol > 1) return valueReply(Status.CMD_ERROR, 0);
    const requested = u32(cmd, 4);
    const list = frequencies(engine, protocol);
    const applied = list.find((khz) => khz <= requested) ?? Math.min(...list);
    if (protocol === 0) engine.setSwdKhz(applied);
    else engine.setJtagKhz(applied);
    return valueReply(Status.OK, applied);
  },
};

/**
 * [F2 63 n] SWITCH_STLINK_FREQ (V3): prescaler 1, 2 or 4 -> 8 bytes; the success status is
 * 0x40 CONF_CHANGED (pyOCD).
 */
export const switchStlinkFreq: CommandSpec = {
  name: 'SWITCH_STLINK_FREQ',
  available: (f) => f.comFreq,
  replyLength: () => 8,
  run: (engine, cmd) => {
    const prescaler = cmd[2] ?? 0;
    if (prescaler !== 1 && prescaler !== 2 && prescaler !== 4) {
      return valueReply(Status.FREQ_NOT_SUPPORTED, 0);
    }
    engine.prescaler = prescaler;
    return valueReply(Status.CONF_CHANGED, 0);
  },
};

export const clockCommands: readonly [number, CommandSpec][] = [
  [Debug.SWD_SET_FREQ, swdSetFreq],
  [Debug.JTAG_SET_FREQ, jtagSetFreq],
  [Debug.GET_COM_FREQ, getComFreq],
  [Debug.SET_COM_FREQ, setComFreq],
  [Debug.SWITCH_STLINK_FREQ, switchStlinkFreq],
];
