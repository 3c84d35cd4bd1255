import { FlashwrightError } from '@flashwright/core';
import { Dhcsr } from '@flashwright/core/arm';
import type {
  ConnectOptions,
  DapRegisterPort,
  ProbeAccess,
  ConnectResult,
  Logger,
  MemoryPort,
  Probe,
  ProbeInfo,
  ProbeStats,
  ProbeWarning,
  ResetKind,
} from '@flashwright/core/plugin';
import { DP_PORT, NrstAction } from '../protocol/constants.js';
import { closeAp, initAp } from '../protocol/dap-commands.js';
import { debugExit } from '../protocol/debug-commands.js';
import { stLinkModel, type StLinkModel } from '../protocol/probe-ids.js';
import { formatVersion, type StLinkVersion } from '../protocol/version.js';
import { decodeSerial } from '../usb/serial.js';
import { UsbLink } from '../usb/usb-link.js';
import { DEFAULT_SPEED_KHZ, enterSwd, setSwdSpeed } from './connect-sequence.js';
import { CoreControl } from './core-control.js';
import { firmwareWarnings, requireFeature, unusableFirmware } from './firmware-policy.js';
import { StLinkMemory } from './memory.js';
import { leaveCurrentMode, LOW_VOLTAGE_V, readTargetVoltage } from './open-sequence.js';
import {
  DEFAULT_WAIT_RETRY,
  readProbeVersion,
  StLinkDriver,
  type WaitRetryPolicy,
} from './stlink-driver.js';

export interface StLinkOpenOptions {
  readonly log?: Logger | undefined;
  /** Per-transfer timeout; 1000 ms by default (pyOCD, probe-rs). */
  readonly timeoutMs?: number | undefined;
  readonly waitRetry?: WaitRetryPolicy | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** What to do when the RST pin does not reach the target's NRST. */
const NRST_HINT =
  'Wire the target’s NRST to the probe’s RST pin (on ST-Link clones that pin often drives SWIM_RST instead; a genuine ST-Link or a fixed clone drives NRST).';

const silentLog: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined };

/**
 * An open ST-Link (API v2/v3, SWD). The firmware does DP/AP work itself, so this is an
 * "ap"-level probe: core gets memory, reset and connect; the ST-Link extras (halt, run,
 * step, core and DAP registers, other APs) are methods of this class.
 */
export class StLinkProbe implements Probe {
  readonly access: ProbeAccess;
  readonly info: ProbeInfo;
  readonly memory: StLinkMemory;
  readonly core: CoreControl;
  readonly #warnings: ProbeWarning[];
  readonly #openAps = new Set<number>();
  #inDebug = false;
  #closed = false;

  private constructor(
    readonly driver: StLinkDriver,
    readonly model: StLinkModel | undefined,
    info: ProbeInfo,
    warnings: ProbeWarning[],
    private readonly log: Logger,
  ) {
    this.info = info;
    this.#warnings = warnings;
    this.memory = new StLinkMemory(driver);
    this.core = new CoreControl(driver, this.memory);
    this.access = { level: 'ap', dap: this.#dapRegisters() };
  }

  /**
   * Opens an ST-Link on a WebUSB device: claims interface 0, drains stale replies, reads the
   * version in both formats, leaves DFU/SWIM/debug mode and reads the target voltage.
   */
  static async open(device: USBDevice, options: StLinkOpenOptions = {}): Promise<StLinkProbe> {
    const log = options.log ?? silentLog;
    const signal = options.signal;
    const model = stLinkModel(device.vendorId, device.productId);
    if (model?.loader) {
      throw new FlashwrightError(
        'PROBE_PROTOCOL_ERROR',
        `${model.name} is in firmware-update mode`,
        {
          hint: 'Finish or cancel the firmware update (STLinkUpgrade), then replug the probe.',
        },
      );
    }
    const link = await UsbLink.open(device, model, { timeoutMs: options.timeoutMs, signal });
    try {
      const stale = await link.drain(signal);
      if (stale > 0) log.debug(`discarded ${stale} stale bytes from an earlier session`);
      const version = await readProbeVersion(link, signal);
      const refusal = unusableFirmware(version);
      if (refusal) throw refusal;
      await leaveCurrentMode(link, log, signal);
      const driver = new StLinkDriver(link, version, log, options.waitRetry ?? DEFAULT_WAIT_RETRY);
      const warnings = firmwareWarnings(version);
      const serial = decodeSerial(device.serialNumber);
      if (serial.binary) {
        warnings.push({
          code: 'clone',
          message: `This ST-Link reports a binary serial number (old firmware or a clone); it is shown hex-encoded as ${serial.serial ?? ''}.`,
        });
      }
      const volts = await readTargetVoltage(link, version, signal);
      if (volts !== undefined && volts < LOW_VOLTAGE_V) {
        warnings.push({
          code: 'target-voltage-low',
          message: `Target voltage reads ${volts.toFixed(2)} V: the target may be unpowered, or VDD is not wired to the probe (clones often cannot measure it).`,
          params: { volts },
        });
      }
      for (const warning of warnings) log.warn(warning.message);
      const info: ProbeInfo = {
        transport: 'stlink',
        name: describe(model, version, serial.binary),
        serial: serial.serial,
        vendorId: device.vendorId,
        productId: device.productId,
        hardwareVersion: model?.line ?? `V${version.hardware}`,
        firmwareVersion: formatVersion(version),
      };
      return new StLinkProbe(driver, model, info, warnings, log);
    } catch (error) {
      await link.close();
      throw error;
    }
  }

  get version(): StLinkVersion {
    return this.driver.version;
  }

  get warnings(): readonly ProbeWarning[] {
    return this.#warnings;
  }

  async connect(options: ConnectOptions = {}): Promise<ConnectResult> {
    const { signal } = options;
    const mode = options.mode ?? 'normal';
    this.#checkOpen();
    if (this.#inDebug) await this.#leaveDebug(signal);
    const speedKhz = await setSwdSpeed(
      this.driver,
      options.speedKhz ?? DEFAULT_SPEED_KHZ,
      this.log,
      signal,
    );
    this.driver.swdKhz = speedKhz;
    let dpidr: number;
    try {
      dpidr = await enterSwd(this.driver, mode, signal);
    } catch (error) {
      throw await this.#explainConnectFailure(error, signal);
    }
    this.#inDebug = true;
    this.#openAps.add(0);
    this.core.forgetCpuId();
    try {
      if (mode === 'normal') await this.core.halt(signal);
      if (mode === 'under-reset') await this.#releaseResetHalted(signal);
    } catch (error) {
      if (!(await this.#memoryApDisabled(signal))) throw this.#explainHaltFault(error);
      // The chip blocks the AHB-AP (access port protection, as on nRF52): the DP and other
      // APs still answer, so the target family can identify the chip and say so.
      if (mode === 'under-reset') await this.driver.driveNrst(NrstAction.HIGH, signal);
      this.log.debug(
        'the memory access port is disabled (CSW.DeviceEn 0): the core was not halted',
      );
    }
    return { dpidr, speedKhz };
  }

  /**
   * Firmware without DP/AP register access (before V2J24) cannot tell a chip that blocks its
   * memory access port from a broken link: say what would.
   */
  #explainHaltFault(error: unknown): unknown {
    if (this.driver.has('multiAp')) return error;
    if (!(error instanceof FlashwrightError) || error.code !== 'TARGET_FAULT') return error;
    return new FlashwrightError(
      'PROBE_FIRMWARE_TOO_OLD',
      `The core could not be halted: its debug registers fault (${error.message}). A chip that blocks memory access (nRF52 access port protection) can only be examined and recovered through another access port, which needs ST-Link firmware V2J28 or later; this probe has ${formatVersion(this.version)}`,
      { cause: error, details: { firmware: formatVersion(this.version), needed: 'V2J28' } },
    );
  }

  /**
   * Whether AP 0 refuses memory transfers: its CSW.DeviceEn (bit 6) reads 0 (ARM IHI 0031,
   * ADIv5.2 C2.6.4 "CSW, Control/Status Word register": with DeviceEn clear the MEM-AP
   * initiates no transfers).
   */
  async #memoryApDisabled(signal?: AbortSignal): Promise<boolean> {
    if (!this.driver.has('dapRegisters')) return false;
    try {
      return ((await this.driver.readDapRegister(0, 0x00, signal)) & 0x40) === 0;
    } catch {
      return false;
    }
  }

  async reset(
    kind: ResetKind,
    options: { halt?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    const halt = options.halt ?? false;
    const { signal } = options;
    this.#checkOpen();
    try {
      await this.#reset(kind, halt, signal);
    } catch (error) {
      // A chip that blocks the AHB-AP (access port protection, before the reset or again
      // after it, as hardened nRF52 silicon does) cannot be reset or watched through it:
      // NRST resets it, and the core is left running.
      if (halt || !(await this.#memoryApDisabled(signal))) throw error;
      await this.driver.driveNrst(NrstAction.PULSE, signal);
      this.log.info(
        'The chip blocks the memory access port (access port protection): reset it through NRST without checking the core.',
      );
    }
  }

  async #reset(kind: ResetKind, halt: boolean, signal?: AbortSignal): Promise<void> {
    switch (kind) {
      case 'hardware':
        return this.#hardwareReset(halt, signal);
      case 'software':
        return this.core.resetSystem(halt, signal);
      case 'core':
        if (await this.core.resetCore(halt, signal)) return;
        this.#warn({
          code: 'other',
          message:
            'This core has no core-only reset (AIRCR.VECTRESET is ARMv7-M only); did a system reset instead.',
        });
        return this.core.resetSystem(halt, signal);
    }
  }

  async targetVoltage(signal?: AbortSignal): Promise<number | undefined> {
    this.#checkOpen();
    return readTargetVoltage(this.driver.link, this.version, signal);
  }

  /** Memory through another MEM-AP (multi-AP: J28+, every V3); opens it with INIT_AP. */
  async memoryOnAp(ap: number, signal?: AbortSignal): Promise<MemoryPort> {
    if (ap === 0) return this.memory;
    requireFeature(this.version, 'multiAp', `Access port ${ap}`);
    if (!this.#openAps.has(ap)) {
      await this.driver.checked(initAp(ap), { ap }, signal);
      this.#openAps.add(ap);
    }
    return new StLinkMemory(this.driver, ap);
  }

  /**
   * DP and AP registers through READ_DAP_REG / WRITE_DAP_REG (J24+). The firmware keeps DP
   * SELECT itself; an AP other than 0 is opened with INIT_AP first (J28+, every V3).
   */
  #dapRegisters(): DapRegisterPort {
    const openAp = async (ap: number, signal?: AbortSignal): Promise<void> => {
      if (ap === 0 || this.#openAps.has(ap)) return;
      requireFeature(this.version, 'multiAp', `Access port ${ap}`);
      await this.driver.checked(initAp(ap), { ap }, signal);
      this.#openAps.add(ap);
    };
    return {
      readDp: (register, signal) => this.driver.readDapRegister(DP_PORT, register, signal),
      writeDp: (register, value, signal) =>
        this.driver.writeDapRegister(DP_PORT, register, value, signal),
      readAp: async (ap, register, signal) => {
        await openAp(ap, signal);
        return this.driver.readDapRegister(ap, register, signal);
      },
      writeAp: async (ap, register, value, signal) => {
        await openAp(ap, signal);
        await this.driver.writeDapRegister(ap, register, value, signal);
      },
    };
  }

  stats(): ProbeStats {
    return { transfers: this.driver.link.transfers };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.#inDebug) await this.#leaveDebug();
    } catch (error) {
      this.log.debug(`leaving debug mode on close failed: ${String(error)}`);
    } finally {
      await this.driver.link.close();
    }
  }

  /**
   * NRST pulse with the vector catch armed for `halt`. Clones often wire the RST pin to the SWIM
   * reset (blackmagic-debug/blackmagic#682, x893/CMSIS-DAP#8): if DHCSR.S_RESET_ST did not latch,
   * NRST did not reach the chip, so fall back to SYSRESETREQ and say so.
   */
  async #hardwareReset(halt: boolean, signal?: AbortSignal): Promise<void> {
    const demcr = await this.core.prepareReset(halt, signal);
    await this.core.dhcsr(signal); // reading clears the sticky S_RESET_ST
    await this.driver.driveNrst(NrstAction.PULSE, signal);
    const dhcsr = await this.core.dhcsr(signal);
    if ((dhcsr & Dhcsr.S_RESET_ST) === 0) {
      this.#warn({
        code: 'nrst-not-wired',
        message:
          'NRST did not reset the target (on many clones the RST pin drives SWIM_RST, not NRST); used a software reset (SYSRESETREQ) instead.',
        hint: NRST_HINT,
      });
      await this.core.setResetCatch(false, signal);
      return this.core.resetSystem(halt, signal);
    }
    await this.core.finishReset(halt, demcr, signal);
  }

  /**
   * Under reset: NRST is low now. Arm the vector catch, release NRST, expect a halt at the
   * reset vector. S_RESET_ST tells whether NRST really reset the core: read once before the
   * release to clear the power-on latch (it stays set while NRST holds the core).
   */
  async #releaseResetHalted(signal?: AbortSignal): Promise<void> {
    const demcr = await this.core.prepareReset(true, signal);
    await this.core.dhcsr(signal);
    await this.driver.driveNrst(NrstAction.HIGH, signal);
    const dhcsr = await this.core.dhcsr(signal);
    if ((dhcsr & Dhcsr.S_RESET_ST) === 0) {
      this.#warn({
        code: 'nrst-not-wired',
        message:
          'NRST does not seem to reach the target (clone wiring?); halted it with a software reset (SYSRESETREQ) instead.',
        hint: NRST_HINT,
      });
      await this.core.setResetCatch(false, signal);
      return this.core.resetSystem(true, signal);
    }
    await this.core.finishReset(true, demcr, signal);
  }

  async #leaveDebug(signal?: AbortSignal): Promise<void> {
    for (const ap of this.#openAps) {
      if (ap !== 0) await this.driver.send(closeAp(ap), signal);
    }
    this.#openAps.clear();
    await this.driver.send(debugExit(), signal);
    this.#inDebug = false;
  }

  async #explainConnectFailure(error: unknown, signal?: AbortSignal): Promise<unknown> {
    if (!(error instanceof FlashwrightError) || error.code !== 'TARGET_NO_RESPONSE') return error;
    const volts = await readTargetVoltage(this.driver.link, this.version, signal).catch(
      () => undefined,
    );
    if (volts === undefined || volts >= LOW_VOLTAGE_V) return error;
    return new FlashwrightError(
      'TARGET_VOLTAGE_LOW',
      `${error.message}; target voltage reads ${volts.toFixed(2)} V`,
      {
        cause: error,
        details: { ...error.details, volts },
      },
    );
  }

  #warn(warning: ProbeWarning): void {
    this.#warnings.push(warning);
    this.log.warn(warning.message);
  }

  #checkOpen(): void {
    if (this.#closed)
      throw new FlashwrightError('INTERNAL', 'The ST-Link probe was used after close()');
  }
}

function describe(
  model: StLinkModel | undefined,
  version: StLinkVersion,
  binarySerial: boolean,
): string {
  const base = model?.name ?? `ST-Link V${version.hardware} (unknown product id)`;
  return binarySerial ? `${base} (clone or old firmware)` : base;
}
