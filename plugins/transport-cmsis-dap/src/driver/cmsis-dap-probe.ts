import { FlashwrightError } from '@flashwright/core';
import { connectSwd, type MemApPort, type SwdConnection } from '@flashwright/core/adiv5';
import { CortexM, Demcr, Dhcsr, Scs } from '@flashwright/core/arm';
import {
  sleep,
  type ConnectOptions,
  type ConnectResult,
  type DapRegisterPort,
  type Logger,
  type MemoryAccessOptions,
  type MemoryPort,
  type MemoryPortLimits,
  type Probe,
  type ProbeAccess,
  type ProbeInfo,
  type ProbeStats,
  type ProbeWarning,
  type ResetKind,
} from '@flashwright/core/plugin';
import { Pin } from '../protocol/constants.js';
import { disconnect, hostStatus, resetTarget, swjPins } from '../protocol/general.js';
import { knownProbe } from '../protocol/probe-ids.js';
import type { PacketChannel } from '../usb/packet-channel.js';
import { DapDriver } from './dap-driver.js';
import { firmwareWarnings } from './firmware-policy.js';
import {
  DEFAULT_SPEED_KHZ,
  DEFAULT_WAIT_RETRY,
  readProbeInfo,
  startSwd,
  type DapProbeInfo,
} from './open-sequence.js';
import { readBytesPerSecond } from './read-estimate.js';
import { CmsisDapWire } from './swd-wire.js';

export interface CmsisDapOpenOptions {
  readonly log?: Logger | undefined;
  readonly signal?: AbortSignal | undefined;
  /** WAIT retries the probe makes per transaction (DAP_TransferConfigure). */
  readonly waitRetry?: number | undefined;
}

/** USB identity of the opened device, for ProbeInfo. */
export interface UsbIdentity {
  readonly vendorId: number;
  readonly productId: number;
  readonly productName?: string | null | undefined;
  readonly serialNumber?: string | null | undefined;
}

/**
 * How long nRESET is held low. Reset inputs need microseconds (an STM32's NRST filter passes
 * pulses of 300 ns and more, DS10314 "NRST pin characteristics"); pyOCD holds it 100 ms by
 * default (reset.hold_time). 10 ms is ample and keeps a flash run quick.
 */
const RESET_HOLD_MS = 10;

const NRST_HINT =
  'Wire the target’s NRST to the probe’s nRESET pin (on the Raspberry Pi Debug Probe and many DAPLink boards the reset line is a separate header pin).';

const silentLog: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined };

/**
 * An open CMSIS-DAP probe: a raw-DAP probe. The probe only moves SWD transactions; core's
 * ADIv5 layer (connectSwd) does the DP, the APs and memory over its SwdWire, and core's
 * CortexM does halt and reset, with nRESET through DAP_SWJ_Pins.
 */
export class CmsisDapProbe implements Probe {
  readonly info: ProbeInfo;
  readonly access: ProbeAccess;
  readonly memory: MemoryPort;
  readonly driver: DapDriver;
  readonly wire: CmsisDapWire;
  readonly #warnings: ProbeWarning[];
  #connection: SwdConnection | undefined;
  #memory: MemApPort | undefined;
  #closed = false;

  private constructor(
    readonly channel: PacketChannel,
    driver: DapDriver,
    readonly dapInfo: DapProbeInfo,
    info: ProbeInfo,
    private readonly options: CmsisDapOpenOptions,
    private readonly log: Logger,
  ) {
    this.driver = driver;
    this.wire = new CmsisDapWire(driver);
    this.info = info;
    this.#warnings = firmwareWarnings(dapInfo, channel.version);
    for (const warning of this.#warnings) log.warn(warning.message);
    this.memory = this.#memoryPort();
    this.access = { level: 'raw-dap', dap: this.#dapPort(), wire: this.wire };
  }

  /** Opens a probe on a packet channel: drops stale responses, reads DAP_Info. */
  static async open(
    channel: PacketChannel,
    usb: UsbIdentity,
    options: CmsisDapOpenOptions = {},
  ): Promise<CmsisDapProbe> {
    const log = options.log ?? silentLog;
    try {
      const stale = await channel.drain(options.signal);
      if (stale > 0) log.debug(`discarded ${stale} stale responses from an earlier session`);
      const driver = new DapDriver(channel);
      const dapInfo = await readProbeInfo(driver, options.signal);
      const name =
        usb.productName ?? knownProbe(usb.vendorId, usb.productId)?.name ?? 'CMSIS-DAP probe';
      const info: ProbeInfo = {
        transport: 'cmsis-dap',
        name,
        serial: dapInfo.serial ?? usb.serialNumber ?? undefined,
        vendorId: usb.vendorId,
        productId: usb.productId,
        hardwareVersion: `CMSIS-DAP ${channel.version} (protocol ${dapInfo.protocolVersion ?? 'unknown'}, ${dapInfo.packetCount} x ${dapInfo.packetBytes} B)`,
        firmwareVersion: dapInfo.firmwareVersion ?? dapInfo.protocolVersion,
      };
      return new CmsisDapProbe(channel, driver, dapInfo, info, options, log);
    } catch (error) {
      await channel.close();
      throw error;
    }
  }

  get warnings(): readonly ProbeWarning[] {
    return this.#warnings;
  }

  /** The ADIv5 connection (DP, APs, memory per AP) after connect. */
  get connection(): SwdConnection {
    if (!this.#connection) {
      throw new FlashwrightError('INTERNAL', 'The CMSIS-DAP probe was used before connect()');
    }
    return this.#connection;
  }

  async connect(options: ConnectOptions = {}): Promise<ConnectResult> {
    const { signal } = options;
    const mode = options.mode ?? 'normal';
    this.#checkOpen();
    const speedKhz = options.speedKhz ?? DEFAULT_SPEED_KHZ;
    await startSwd(
      this.driver,
      this.dapInfo.capabilities,
      { speedKhz, waitRetry: this.options.waitRetry ?? DEFAULT_WAIT_RETRY },
      signal,
    );
    if (mode === 'under-reset') await this.#nreset(true, signal);
    this.#connection = undefined;
    this.#memory = undefined;
    const transferStartUs =
      this.channel.version === 'v2' && this.dapInfo.packetBytes >= 512 ? 125 : 1000;
    const connection = await connectSwd(this.wire, {
      signal,
      log: this.log,
      transferStartUs,
      readBytesPerSecond: readBytesPerSecond({
        version: this.channel.version,
        packetBytes: this.driver.packetBytes,
        packetCount: this.driver.packetCount,
        swdKhz: speedKhz,
        roundTripUs: transferStartUs,
      }),
    });
    this.#connection = connection;
    try {
      const cortex = new CortexM(await this.#mem(signal));
      if (mode === 'normal') await cortex.halt(signal);
      if (mode === 'under-reset') await this.#releaseReset(true, signal);
    } catch (error) {
      if (!(await this.#memoryApDisabled(signal))) throw error;
      // The chip blocks the AHB-AP (access port protection, as on nRF52): the DP and other
      // APs still answer, so the target family can identify the chip and say so.
      if (mode === 'under-reset') await this.#nreset(false, signal);
      this.log.debug(
        'the memory access port is disabled (CSW.DeviceEn 0): the core was not halted',
      );
    }
    return { dpidr: connection.dpidr, speedKhz };
  }

  /**
   * Whether AP 0 refuses memory transfers: its CSW.DeviceEn (bit 6) reads 0 (ARM IHI 0031,
   * ADIv5.2 C2.6.4 "CSW, Control/Status Word register": with DeviceEn clear the MEM-AP
   * initiates no transfers).
   */
  async #memoryApDisabled(signal?: AbortSignal): Promise<boolean> {
    try {
      return ((await this.connection.dap.readAp(0, 0x00, signal)) & 0x40) === 0;
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
      // nRESET resets it, and the core is left running.
      if (halt || !(await this.#memoryApDisabled(signal))) throw error;
      await this.#nreset(true, signal);
      await sleep(RESET_HOLD_MS, signal);
      await this.#nreset(false, signal);
      this.log.info(
        'The chip blocks the memory access port (access port protection): reset it through nRESET without checking the core.',
      );
    }
  }

  async #reset(kind: ResetKind, halt: boolean, signal?: AbortSignal): Promise<void> {
    const cortex = new CortexM(await this.#mem(signal));
    if (kind === 'hardware') {
      const { executed } = await this.driver.send(resetTarget(), signal);
      if (executed) {
        // The probe ran its own device-specific sequence; halt afterwards if asked.
        if (halt) await cortex.halt(signal);
        return;
      }
      await this.#nreset(true, signal);
      await sleep(RESET_HOLD_MS, signal);
      return this.#releaseReset(halt, signal);
    }
    if (kind === 'core') {
      this.#warn({
        code: 'other',
        message: 'A core-only reset is not offered over CMSIS-DAP; did a system reset instead.',
      });
    }
    await cortex.resetSystem({ halt, signal });
    // DHCSR lives in the debug reset domain: a halt requested earlier survives the reset.
    if (!halt) await cortex.resume(signal);
  }

  stats(): ProbeStats {
    return { transfers: this.channel.transfers };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.driver.send(hostStatus('connected', false));
      await this.driver.send(disconnect());
    } catch (error) {
      this.log.debug(`DAP_Disconnect on close failed: ${String(error)}`);
    } finally {
      await this.channel.close();
    }
  }

  /** Drives nRESET (low = asserted) through DAP_SWJ_Pins. */
  async #nreset(low: boolean, signal?: AbortSignal): Promise<void> {
    await this.driver.send(swjPins(low ? 0 : Pin.NRESET, Pin.NRESET), signal);
  }

  /**
   * nRESET is low: arm the vector catch (with `halt`), release nRESET, and check through
   * DHCSR.S_RESET_ST that the core really was reset. If not, nRESET does not reach the
   * target: say so and reset through SYSRESETREQ instead. The debug registers on the PPB stay
   * reachable while the system is held in reset (ARMv7-M C1.4).
   */
  async #releaseReset(halt: boolean, signal?: AbortSignal): Promise<void> {
    let memory: MemApPort;
    let demcr: number;
    try {
      memory = await this.#mem(signal);
      demcr = (await memory.read32(Scs.DEMCR, signal)) & ~Demcr.VC_CORERESET;
      // DHCSR is in the debug reset domain: C_HALT set now (or earlier) outlives the reset.
      await memory.write32(
        Scs.DHCSR,
        Dhcsr.DBGKEY | Dhcsr.C_DEBUGEN | (halt ? Dhcsr.C_HALT : 0),
        signal,
      );
      if (halt) await memory.write32(Scs.DEMCR, demcr | Demcr.VC_CORERESET, signal);
      await memory.read32(Scs.DHCSR, signal); // clears the sticky S_RESET_ST
    } catch (error) {
      // Never leave the target held in reset behind an error.
      await this.#nreset(false).catch(() => undefined);
      throw error;
    }
    await this.#nreset(false, signal);
    const cortex = new CortexM(memory);
    const dhcsr = await memory.read32(Scs.DHCSR, signal);
    if ((dhcsr & Dhcsr.S_RESET_ST) === 0) {
      this.#warn({
        code: 'nrst-not-wired',
        message:
          'nRESET did not reset the target (the reset line is not wired); used a software reset (SYSRESETREQ) instead.',
        hint: NRST_HINT,
      });
      await memory.write32(Scs.DEMCR, demcr, signal);
      await cortex.resetSystem({ halt, signal });
      if (!halt) await cortex.resume(signal);
      return;
    }
    if (halt) {
      const deadline = Date.now() + 500;
      while (((await memory.read32(Scs.DHCSR, signal)) & Dhcsr.S_HALT) === 0) {
        if (Date.now() > deadline) {
          throw new FlashwrightError('TARGET_NOT_HALTED', 'The core did not halt after the reset', {
            hint: 'Try probe.connect: under-reset, or check that the core is powered and not in deep sleep.',
          });
        }
        await sleep(1, signal);
      }
      await memory.write32(Scs.DEMCR, demcr, signal);
    }
  }

  /** AP 0's MemoryPort, opened on first use (the connection keeps it once it opened). */
  async #mem(signal?: AbortSignal): Promise<MemApPort> {
    this.#checkOpen();
    this.#memory = await this.connection.memory(0, signal);
    return this.#memory;
  }

  /** Memory through AP 0 once connected (Probe.memory exists before connect). */
  #memoryPort(): MemoryPort {
    const current = (): MemApPort | undefined => this.#memory;
    return {
      get limits(): MemoryPortLimits | undefined {
        return current()?.limits;
      },
      read: async (address: number, length: number, options?: MemoryAccessOptions) =>
        (await this.#mem(options?.signal)).read(address, length, options),
      write: async (address: number, data: Uint8Array, options?: MemoryAccessOptions) =>
        (await this.#mem(options?.signal)).write(address, data, options),
      read32: async (address: number, signal?: AbortSignal) =>
        (await this.#mem(signal)).read32(address, signal),
      write32: async (address: number, value: number, signal?: AbortSignal) =>
        (await this.#mem(signal)).write32(address, value, signal),
    };
  }

  #dapPort(): DapRegisterPort {
    return {
      readDp: (register, signal) => this.connection.dap.readDp(register, signal),
      writeDp: (register, value, signal) => this.connection.dap.writeDp(register, value, signal),
      readAp: (ap, register, signal) => this.connection.dap.readAp(ap, register, signal),
      writeAp: (ap, register, value, signal) =>
        this.connection.dap.writeAp(ap, register, value, signal),
    };
  }

  #warn(warning: ProbeWarning): void {
    this.#warnings.push(warning);
    this.log.warn(warning.message);
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw new FlashwrightError('INTERNAL', 'The CMSIS-DAP probe was used after close()');
    }
  }
}
