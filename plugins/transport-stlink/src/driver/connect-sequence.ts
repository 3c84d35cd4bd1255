import { FlashwrightError } from '@flashwright/core';
import type { ConnectMode, Logger } from '@flashwright/core/plugin';
import { ComInterface, getComFreq, setComFreq, swdSetFreq } from '../protocol/clock-commands.js';
import { EnterProtocol, NrstAction } from '../protocol/constants.js';
import { enterDebug, readIdCodes } from '../protocol/debug-commands.js';
import { initAp } from '../protocol/dap-commands.js';
import {
  pickListedKhz,
  pickSpeedStep,
  V2_DEFAULT_SWD_KHZ,
  V2_SWD_SPEEDS,
} from '../protocol/speed.js';
import { hex } from '../protocol/bytes.js';
import type { StLinkDriver } from './stlink-driver.js';

/** Used when the recipe gives no speed: V2's fastest SWD step, safe on short wiring. */
export const DEFAULT_SPEED_KHZ = 4000;

/**
 * Sets the SWD clock before ENTER, as OpenOCD stlink_usb_init_mode does: V2 picks the fastest
 * divisor at or below the request (SWD_SET_FREQ, J22+); V3 picks from the list GET_COM_FREQ reports
 * and SET_COM_FREQ returns what it applied. Returns the clock in use.
 */
export async function setSwdSpeed(
  driver: StLinkDriver,
  requestedKhz: number,
  log: Logger,
  signal?: AbortSignal,
): Promise<number | undefined> {
  if (driver.has('comFreq')) {
    const listed = await driver.checked(getComFreq(ComInterface.SWD), {}, signal);
    const khz = pickListedKhz(listed.frequenciesKhz, requestedKhz) ?? requestedKhz;
    const applied = await driver.checked(setComFreq(ComInterface.SWD, khz), {}, signal);
    return applied.actualKhz || khz;
  }
  if (!driver.has('swdSetFreq')) {
    log.warn(
      `SWD speed cannot be set on this firmware (needs V2J22); the probe keeps its default of about ${V2_DEFAULT_SWD_KHZ} kHz`,
    );
    return undefined;
  }
  const step = pickSpeedStep(V2_SWD_SPEEDS, requestedKhz);
  if (step.speedKhz > requestedKhz) {
    log.warn(
      `${requestedKhz} kHz is below the slowest ST-Link V2 SWD speed; using ${step.speedKhz} kHz`,
    );
  }
  await driver.checked(swdSetFreq(step.divisor), {}, signal);
  return step.speedKhz;
}

/**
 * ENTER SWD and read the DPIDR (READ_IDCODES), holding NRST low around ENTER when connecting under
 * reset (the probe may drive T_NRST only once in debug mode, so OpenOCD stlink_usb_init_mode
 * asserts it before and after ENTER; its comment names V2J27 and V2J29). Opens AP 0 on firmware
 * with INIT_AP. Returns the DPIDR.
 */
export async function enterSwd(
  driver: StLinkDriver,
  mode: ConnectMode,
  signal?: AbortSignal,
): Promise<number> {
  const underReset = mode === 'under-reset';
  if (underReset) await driver.driveNrst(NrstAction.LOW, signal);
  await driver.checked(enterDebug(EnterProtocol.SWD), {}, signal);
  if (underReset) await driver.driveNrst(NrstAction.LOW, signal);
  const { idcode } = await driver.checked(readIdCodes(), {}, signal);
  if (idcode === 0 || idcode === 0xffffffff) {
    throw new FlashwrightError(
      'TARGET_NO_RESPONSE',
      `The SW-DP answered with DPIDR ${hex(idcode)}, which is not a debug port`,
      { details: { dpidr: idcode } },
    );
  }
  if (driver.has('multiAp')) await driver.checked(initAp(0), { ap: 0 }, signal);
  return idcode >>> 0;
}
