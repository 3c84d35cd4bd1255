import { FlashwrightError, isFlashwrightError } from '@flashwright/core';
import { throwIfAborted, type DapRegisterPort, type Probe } from '@flashwright/core/plugin';
import { pollUntil, type TargetClock } from './wait.js';

/**
 * Nordic's CTRL-AP (nRF52840 PS v1.7, chapter "CTRL-AP - Control access port"; the same on
 * every nRF52): APSEL 1, IDR 0x02880000. Reachable while access port protection blocks the
 * AHB-AP, and the only way to remove it (ERASEALL).
 */
export const CTRL_AP = 1;
export const CTRL_AP_IDR = 0x02880000;
export const CtrlApRegister = {
  RESET: 0x000,
  ERASEALL: 0x004,
  ERASEALLSTATUS: 0x008,
  /** 0: access port protection enabled; 1: not enabled. */
  APPROTECTSTATUS: 0x00c,
  IDR: 0x0fc,
} as const;

/** AP 0 CSW.DeviceEn (ADIv5.2 C2.6.4): 0 while the chip blocks memory transfers. */
const CSW_DEVICE_EN = 1 << 6;

/** The DP/AP register port of a probe, or a refusal saying why the CTRL-AP is out of reach. */
export function dapOf(probe: Probe, what: string): DapRegisterPort {
  if (probe.access.level !== 'memory') return probe.access.dap;
  throw new FlashwrightError(
    'COMMAND_UNAVAILABLE',
    `${what} needs Nordic's CTRL-AP (access port 1), which ${probe.info.name} cannot reach: it offers target memory only`,
    {
      hint: 'Use a probe with access-port access (an ST-Link with firmware V2J28 or later, or any V3) or nrfjprog --recover.',
    },
  );
}

/** The CTRL-AP through a probe's DP/AP register access. */
export class CtrlAp {
  constructor(
    readonly dap: DapRegisterPort,
    readonly clock: TargetClock = () => performance.now(),
  ) {}

  /** Whether AP 0 refuses memory transfers (CSW.DeviceEn clear). */
  async memoryApDisabled(signal?: AbortSignal): Promise<boolean> {
    return ((await this.dap.readAp(0, 0x00, signal)) & CSW_DEVICE_EN) === 0;
  }

  /** The CTRL-AP's IDR, with the probe's refusal explained when it cannot select AP 1. */
  async idr(signal?: AbortSignal): Promise<number> {
    return this.#explained(() => this.dap.readAp(CTRL_AP, CtrlApRegister.IDR, signal));
  }

  async protectionOn(signal?: AbortSignal): Promise<boolean> {
    const status = await this.#explained(() =>
      this.dap.readAp(CTRL_AP, CtrlApRegister.APPROTECTSTATUS, signal),
    );
    return (status & 1) === 0;
  }

  /**
   * ERASEALL: erases code flash, UICR and RAM, also with protection on; then waits for
   * ERASEALLSTATUS to read 0 (the PS gives tERASEALL; we allow ten times that).
   */
  async eraseAll(eraseAllMs: number, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    await this.#explained(() => this.dap.writeAp(CTRL_AP, CtrlApRegister.ERASEALL, 1, signal));
    await pollUntil(
      () => this.dap.readAp(CTRL_AP, CtrlApRegister.ERASEALLSTATUS, signal),
      (status) => (status & 1) === 0,
      {
        timeoutMs: Math.max(1000, eraseAllMs * 10),
        clock: this.clock,
        what: 'CTRL-AP ERASEALL',
        signal,
      },
    );
  }

  /** A system reset through CTRL-AP RESET (1, then 0). */
  async resetSystem(signal?: AbortSignal): Promise<void> {
    await this.dap.writeAp(CTRL_AP, CtrlApRegister.RESET, 1, signal);
    await this.dap.writeAp(CTRL_AP, CtrlApRegister.RESET, 0, signal);
  }

  /** A probe that cannot select AP 1 refuses; say what that means for an nRF52. */
  async #explained<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!isFlashwrightError(error) || error.code !== 'PROBE_FIRMWARE_TOO_OLD') throw error;
      throw new FlashwrightError(
        'PROBE_FIRMWARE_TOO_OLD',
        `${error.message}: an nRF52's access port protection can only be read and removed through its CTRL-AP, access port 1`,
        { cause: error, hint: error.hint, details: error.details },
      );
    }
  }
}
