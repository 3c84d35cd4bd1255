import { FlashwrightError } from '@flashwright/core';
import { throwIfAborted } from '@flashwright/core/plugin';
import type { DapInterface } from './dap-interface.js';
import {
  GUARD_MARGIN_MS,
  guardTransfer,
  type TimedUsbDevice as SharedTimedUsbDevice,
} from '@flashwright/usb-probe';
import { usbError } from './usb-errors.js';

/**
 * One CMSIS-DAP packet pipe: a request goes out as one packet (a bulk transfer for v2, an
 * output report for v1), each response comes back as one packet, in order.
 */
export interface PacketChannel {
  readonly version: 'v1' | 'v2';
  /** USB (or HID) transfers done so far, OUT and IN counted apart. */
  readonly transfers: number;
  /** Response bytes to ask for: the probe's packet size once DAP_Info has told it. */
  packetBytes: number;
  write(packet: Uint8Array, signal?: AbortSignal): Promise<void>;
  read(signal?: AbortSignal): Promise<Uint8Array>;
  /** Reads and drops responses an earlier session left queued; returns how many. */
  drain(signal?: AbortSignal): Promise<number>;
  close(): Promise<void>;
}

/** pyOCD and probe-rs give a CMSIS-DAP transfer 1000 ms (probe-rs cmsisdap/tools.rs TIMEOUT). */
export const DEFAULT_TRANSFER_TIMEOUT_MS = 1000;
const DRAIN_TIMEOUT_MS = 10;
const DRAIN_MAX_READS = 32;

/** A device that may also detach a kernel driver (node `usb`; browsers have none). */
interface TimedUsbDevice extends SharedTimedUsbDevice {
  detachKernelDriver?(interfaceNumber: number): Promise<void>;
}

/**
 * CMSIS-DAP over a WebUSB device: v2 through its bulk endpoints, v1 through the HID
 * interface's interrupt endpoints, every output report padded to the report size (HID
 * reports have a fixed length). A failed transfer leaves the link unusable: the probe may
 * hold a half-answered command, so the caller reopens the probe.
 */
export class WebUsbPacketChannel implements PacketChannel {
  #transfers = 0;
  #broken: FlashwrightError | undefined;
  packetBytes: number;

  private constructor(
    readonly device: TimedUsbDevice,
    readonly dapInterface: DapInterface,
    readonly timeoutMs: number,
  ) {
    this.packetBytes = dapInterface.packetBytes;
  }

  get version(): 'v1' | 'v2' {
    return this.dapInterface.version;
  }

  get transfers(): number {
    return this.#transfers;
  }

  static async open(
    device: USBDevice,
    dapInterface: DapInterface,
    options: { timeoutMs?: number | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<WebUsbPacketChannel> {
    throwIfAborted(options.signal);
    if (dapInterface.outEndpoint === undefined) {
      throw new FlashwrightError(
        'PROBE_PROTOCOL_ERROR',
        'This CMSIS-DAP v1 probe has no interrupt OUT endpoint (it takes reports through control transfers only)',
        {
          hint: 'Update the probe to CMSIS-DAP v2 firmware, or use it through OpenOCD (--probe gdb:...).',
        },
      );
    }
    const timed = device as TimedUsbDevice;
    try {
      if (!device.opened) await device.open();
      if (device.configuration?.configurationValue !== dapInterface.configurationValue) {
        await device.selectConfiguration(dapInterface.configurationValue);
      }
      if (dapInterface.version === 'v1') {
        // On Linux the kernel's usbhid driver owns a HID interface until it is detached.
        await timed.detachKernelDriver?.(dapInterface.interfaceNumber).catch(() => undefined);
      }
      await device.claimInterface(dapInterface.interfaceNumber);
    } catch (error) {
      await device.close().catch(() => undefined);
      throw usbError(error, 'opening the probe');
    }
    return new WebUsbPacketChannel(
      timed,
      dapInterface,
      options.timeoutMs ?? DEFAULT_TRANSFER_TIMEOUT_MS,
    );
  }

  async write(packet: Uint8Array, signal?: AbortSignal): Promise<void> {
    this.#checkUsable(signal);
    let data = packet;
    if (this.version === 'v1') {
      if (packet.length > this.dapInterface.packetBytes) {
        throw new RangeError(
          `a ${packet.length}-byte request does not fit a ${this.dapInterface.packetBytes}-byte report`,
        );
      }
      data = new Uint8Array(this.dapInterface.packetBytes);
      data.set(packet);
    }
    this.#transfers++;
    const endpoint = this.dapInterface.outEndpoint ?? 0;
    const result = await this.#guarded(
      this.device.transferOut(endpoint, data, this.timeoutMs),
      'sending a command',
    );
    if (result.status !== 'ok' || result.bytesWritten !== data.length) {
      throw this.#fail(usbError(new Error(`OUT transfer ${result.status}`), 'sending a command'));
    }
  }

  async read(signal?: AbortSignal): Promise<Uint8Array> {
    this.#checkUsable(signal);
    this.#transfers++;
    const length = this.version === 'v1' ? this.dapInterface.packetBytes : this.packetBytes;
    const result = await this.#guarded(
      this.device.transferIn(this.dapInterface.inEndpoint, length, this.timeoutMs),
      'reading a response',
    );
    if (result.status !== 'ok') {
      throw this.#fail(usbError(new Error(`IN transfer ${result.status}`), 'reading a response'));
    }
    const view = result.data;
    return view ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : new Uint8Array(0);
  }

  /**
   * Reads until a read times out, as pyOCD does when it opens a probe. A device that ignores
   * the timeout argument (a browser's WebUSB) is raced against a timer; when the timer wins
   * the read is still pending, and reopening the device cancels it (WebUSB close() aborts
   * pending transfers), so it cannot take the next command's response.
   */
  async drain(signal?: AbortSignal): Promise<number> {
    let dropped = 0;
    for (let i = 0; i < DRAIN_MAX_READS; i++) {
      throwIfAborted(signal);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), DRAIN_TIMEOUT_MS + GUARD_MARGIN_MS);
      });
      const read = this.device
        .transferIn(this.dapInterface.inEndpoint, this.packetBytes, DRAIN_TIMEOUT_MS)
        .catch(() => undefined);
      const result = await Promise.race([read, expired]);
      clearTimeout(timer);
      if (result === 'expired') {
        await this.#reopen();
        return dropped;
      }
      // A read that times out (undefined) is how a drain ends.
      if (result?.status !== 'ok' || (result.data?.byteLength ?? 0) === 0) return dropped;
      dropped++;
    }
    return dropped;
  }

  async #reopen(): Promise<void> {
    try {
      await this.device.close();
      await this.device.open();
      if (this.device.configuration?.configurationValue !== this.dapInterface.configurationValue) {
        await this.device.selectConfiguration(this.dapInterface.configurationValue);
      }
      await this.device.claimInterface(this.dapInterface.interfaceNumber);
    } catch (error) {
      throw this.#fail(usbError(error, 'reopening the probe'));
    }
  }

  async close(): Promise<void> {
    try {
      if (this.device.opened) {
        await this.device
          .releaseInterface(this.dapInterface.interfaceNumber)
          .catch(() => undefined);
        await this.device.close();
      }
    } catch {
      // Closing a vanished device fails; there is nothing left to release.
    }
  }

  #guarded<T>(work: Promise<T>, what: string): Promise<T> {
    return guardTransfer(work, {
      what,
      timeoutMs: this.timeoutMs,
      usbError,
      device: this.device,
      inEndpoint: this.dapInterface.inEndpoint,
      fail: (error) => this.#fail(error),
    });
  }

  #fail(error: FlashwrightError): FlashwrightError {
    this.#broken ??= error;
    return error;
  }

  #checkUsable(signal?: AbortSignal): void {
    throwIfAborted(signal);
    if (this.#broken) {
      throw new FlashwrightError(
        this.#broken.code,
        `CMSIS-DAP link is unusable after an earlier failure: ${this.#broken.message}`,
        { hint: this.#broken.hint, cause: this.#broken },
      );
    }
  }
}
