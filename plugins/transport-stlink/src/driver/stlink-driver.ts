import { sleep, withPartialWrite, type AccessWidth, type Logger } from '@flashwright/core/plugin';
import type { StatusReply, StLinkCommand, ValueReply } from '../protocol/command.js';
import { ABORT_CLEAR_STICKY, DP_PORT, DpRegister, type NrstAction } from '../protocol/constants.js';
import * as debug from '../protocol/debug-commands.js';
import * as dap from '../protocol/dap-commands.js';
import { getVersion, getVersionEx } from '../protocol/general-commands.js';
import { readMemory, writeMemory } from '../protocol/memory-commands.js';
import { statusError, statusKind, type StatusContext } from '../protocol/status.js';
import {
  decodeVersion,
  hasFeature,
  needsVersionEx,
  versionFromEx,
  type FirmwareFeature,
  type StLinkVersion,
} from '../protocol/version.js';
import type { UsbLink } from '../usb/usb-link.js';
import { requireFeature } from './firmware-policy.js';

/**
 * WAIT handling: a command whose status is SWD_AP_WAIT / SWD_DP_WAIT is sent again up to
 * `retries` times, waiting 1 ms << n before each (OpenOCD's stlink_usb.c: MAX_WAIT_RETRIES 8,
 * `usleep((1 << retries++) * 1000)`). A WAIT storm that outlives that becomes
 * TARGET_NO_RESPONSE. Memory writes are sent again only where that is harmless (writeMemory).
 */
export interface WaitRetryPolicy {
  readonly retries: number;
  readonly firstDelayMs: number;
}
export const DEFAULT_WAIT_RETRY: WaitRetryPolicy = { retries: 8, firstDelayMs: 1 };

/** Reads GET_VERSION, and GET_VERSION_EX where the probe needs it (OpenOCD stlink_usb_version). */
export async function readProbeVersion(
  link: UsbLink,
  signal?: AbortSignal,
): Promise<StLinkVersion> {
  const short = decodeVersion(await link.exchange(getVersion(), signal));
  if (!needsVersionEx(short)) return short;
  return versionFromEx(await link.exchange(getVersionEx(), signal));
}

/**
 * The ST-Link command layer: sends commands, checks their status, retries WAIT, turns
 * faults into TARGET_FAULT (and clears the sticky flags behind them), and gates commands
 * on the firmware version.
 */
export class StLinkDriver {
  constructor(
    readonly link: UsbLink,
    readonly version: StLinkVersion,
    readonly log: Logger,
    readonly waitRetry: WaitRetryPolicy = DEFAULT_WAIT_RETRY,
  ) {}

  /** The SWD clock connect set, in kHz (undefined before, or where it could not be set). */
  swdKhz: number | undefined;

  has(feature: FirmwareFeature): boolean {
    return hasFeature(this.version, feature);
  }

  /** Sends a command whose reply is not a status (or has none). */
  send<R>(command: StLinkCommand<R>, signal?: AbortSignal): Promise<R> {
    return this.link.exchange(command, signal);
  }

  /** Sends a status-bearing command; retries WAIT; throws the mapped error otherwise. */
  async checked<R extends StatusReply>(
    command: StLinkCommand<R>,
    ctx: Omit<StatusContext, 'command'>,
    signal?: AbortSignal,
  ): Promise<R> {
    return this.#withWaitRetry(
      async () => {
        const reply = await this.link.exchange(command, signal);
        return { status: reply.status, result: reply };
      },
      { command: command.name, ...ctx },
      signal,
    );
  }

  async readMemory(
    width: AccessWidth,
    address: number,
    lengthBytes: number,
    ap: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    if (width === 16) requireFeature(this.version, 'memory16', '16-bit memory access');
    const command = readMemory(width, address, lengthBytes, ap);
    const ctx = { command: command.name, address, lengthBytes, ap };
    return this.#withWaitRetry(
      async () => {
        const data = await this.link.exchange(command, signal);
        const status = await this.#lastRwStatus(signal);
        return { status: status.status, result: data, faultAddress: status.faultAddress };
      },
      ctx,
      signal,
    );
  }

  /**
   * One memory write command (the caller splits at the probe's limits). A WAIT status means
   * the firmware gave up on an access the target kept answering WAIT to; how often it retries
   * by itself first is not public. Assumptions, as no ST document describes either command:
   * the firmware stops at that access, so no later byte of the command is sent and the access
   * itself was not done (an access the SW-DP answers with WAIT is not performed and must be
   * repeated: ADIv5, ARM IHI 0031), and GETLASTRWSTATUS2 reports its address, as it does the
   * faulting one (pyOCD's stlink.py reads that address as where the transfer stopped). The
   * bytes before it were accepted and complete on the bus.
   *
   * So the command is sent again (its unsent rest, after backing off) only when nothing of it
   * was written, or `idempotent` says repeating bytes is harmless. Otherwise, and when the
   * retries run out, the error carries a PartialWrite: OpenOCD re-sends the whole command
   * here (stlink_usb_write_ap_mem), which programs flash units a second time; stlink-org's
   * usb.c never retries memory writes.
   */
  async writeMemory(
    width: AccessWidth,
    address: number,
    data: Uint8Array,
    ap: number,
    signal?: AbortSignal,
    idempotent = false,
  ): Promise<void> {
    if (width === 16) requireFeature(this.version, 'memory16', '16-bit memory access');
    let written = 0;
    for (let retry = 0; ; retry++) {
      const rest = data.subarray(written);
      const command = writeMemory(width, address + written, rest, ap);
      await this.link.exchange(command, signal);
      const { status, faultAddress } = await this.#lastRwStatus(signal);
      const kind = statusKind(status);
      if (kind === 'ok') return;
      const landed =
        kind === 'wait'
          ? writtenBeforeWait(width, address + written, rest.length, faultAddress)
          : undefined;
      if (kind === 'wait' && retry < this.waitRetry.retries && (landed === 0 || idempotent)) {
        written += landed ?? 0;
        await sleep(this.waitRetry.firstDelayMs * 2 ** retry, signal);
        continue;
      }
      if (kind === 'fault') await this.clearStickyErrors(signal);
      const ctx = { command: command.name, address, lengthBytes: data.length, ap, faultAddress };
      const error = statusError(status, ctx);
      if (kind !== 'wait') throw error;
      throw withPartialWrite(error, {
        address,
        lengthBytes: data.length,
        writtenBytes: written + (landed ?? 0),
        uncertainBytes: landed === undefined ? rest.length : 0,
      });
    }
  }

  /** One 32-bit read on AP 0 with its status in the same reply (one round trip). */
  async readDebugRegister(address: number, signal?: AbortSignal): Promise<number> {
    const reply = await this.checked<ValueReply>(debug.readDebugReg(address), { address }, signal);
    return reply.value >>> 0;
  }

  async writeDebugRegister(address: number, value: number, signal?: AbortSignal): Promise<void> {
    await this.checked(debug.writeDebugReg(address, value), { address }, signal);
  }

  async readCoreRegister(regsel: number, signal?: AbortSignal): Promise<number> {
    if (regsel > 0x1f) requireFeature(this.version, 'fpuRegisters', 'FPU register access');
    const reply = await this.checked<ValueReply>(debug.readCoreReg(regsel), {}, signal);
    return reply.value >>> 0;
  }

  async writeCoreRegister(regsel: number, value: number, signal?: AbortSignal): Promise<void> {
    if (regsel > 0x1f) requireFeature(this.version, 'fpuRegisters', 'FPU register access');
    await this.checked(debug.writeCoreReg(regsel, value), {}, signal);
  }

  /** DP (port 0xFFFF) or AP register read through the probe (J24+). */
  async readDapRegister(port: number, address: number, signal?: AbortSignal): Promise<number> {
    this.#checkDapAccess(port, address);
    const reply = await this.checked<ValueReply>(dap.readDapReg(port, address), {}, signal);
    return reply.value >>> 0;
  }

  async writeDapRegister(
    port: number,
    address: number,
    value: number,
    signal?: AbortSignal,
  ): Promise<void> {
    this.#checkDapAccess(port, address);
    await this.checked(dap.writeDapReg(port, address, value), {}, signal);
  }

  async driveNrst(action: NrstAction, signal?: AbortSignal): Promise<void> {
    await this.checked(debug.driveNrst(action), {}, signal);
  }

  /**
   * Clears STICKYERR and friends after a fault so later accesses work (pyOCD stlink.py
   * _clear_sticky_error writes ABORT = 0x1E). Best effort: firmware before J24 has no DAP register
   * access.
   */
  async clearStickyErrors(signal?: AbortSignal): Promise<void> {
    if (!this.has('dapRegisters')) return;
    try {
      const reply = await this.link.exchange(
        dap.writeDapReg(DP_PORT, DpRegister.ABORT, ABORT_CLEAR_STICKY),
        signal,
      );
      if (statusKind(reply.status) !== 'ok')
        this.log.debug(`clearing sticky errors: status 0x${reply.status.toString(16)}`);
    } catch (error) {
      this.log.debug(`clearing sticky errors failed: ${String(error)}`);
    }
  }

  async #lastRwStatus(signal?: AbortSignal): Promise<{ status: number; faultAddress?: number }> {
    if (this.has('rwStatus2')) return this.link.exchange(debug.getLastRwStatus2(), signal);
    return this.link.exchange(debug.getLastRwStatus(), signal);
  }

  #checkDapAccess(port: number, address: number): void {
    requireFeature(this.version, 'dapRegisters', 'DP/AP register access');
    if (port === DP_PORT && (address & 0xf0) !== 0) {
      requireFeature(this.version, 'bankedDp', 'banked DP registers');
    }
  }

  async #withWaitRetry<T>(
    attempt: () => Promise<{ status: number; result: T; faultAddress?: number | undefined }>,
    ctx: StatusContext,
    signal?: AbortSignal,
  ): Promise<T> {
    for (let retry = 0; ; retry++) {
      const { status, result, faultAddress } = await attempt();
      const kind = statusKind(status);
      if (kind === 'ok') return result;
      if (kind === 'wait' && retry < this.waitRetry.retries) {
        await sleep(this.waitRetry.firstDelayMs * 2 ** retry, signal);
        continue;
      }
      if (kind === 'fault') await this.clearStickyErrors(signal);
      throw statusError(status, { ...ctx, faultAddress });
    }
  }
}

/**
 * Bytes of a write command that reached the target before the access that got WAIT, or
 * undefined when the probe cannot tell (firmware before J15 has no GETLASTRWSTATUS2, or the
 * address lies outside the command). A single access that got WAIT was not done at all.
 */
function writtenBeforeWait(
  width: AccessWidth,
  address: number,
  lengthBytes: number,
  faultAddress: number | undefined,
): number | undefined {
  if (lengthBytes <= width / 8) return 0;
  if (faultAddress === undefined) return undefined;
  const offset = faultAddress - address;
  if (offset < 0 || offset >= lengthBytes || offset % (width / 8) !== 0) return undefined;
  return offset;
}
