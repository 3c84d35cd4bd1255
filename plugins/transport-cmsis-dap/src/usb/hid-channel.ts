import { FlashwrightError } from '@flashwright/core';
import { throwIfAborted } from '@flashwright/core/plugin';
import { DEFAULT_TRANSFER_TIMEOUT_MS, type PacketChannel } from './packet-channel.js';
import { usbError } from './usb-errors.js';

/**
 * A HID device as node-hid's HIDAsync offers it (and a WebHID HIDDevice can be wrapped to
 * match): output reports written with the report ID first (0 for a device without report
 * IDs, as CMSIS-DAP v1 probes are), input reports read whole.
 */
export interface HidReportDevice {
  write(data: number[] | Uint8Array): Promise<number>;
  /** An input report, or an empty result when `timeoutMs` passes first. */
  read(timeoutMs?: number): Promise<Uint8Array | number[] | undefined>;
  close(): Promise<void>;
}

/**
 * CMSIS-DAP v1 through a HID device: each request is one output report of the report size
 * (zero-padded), each response one input report.
 */
export class HidPacketChannel implements PacketChannel {
  readonly version = 'v1';
  #transfers = 0;
  #broken: FlashwrightError | undefined;
  packetBytes: number;

  constructor(
    readonly device: HidReportDevice,
    readonly reportBytes: number,
    readonly timeoutMs = DEFAULT_TRANSFER_TIMEOUT_MS,
  ) {
    this.packetBytes = reportBytes;
  }

  get transfers(): number {
    return this.#transfers;
  }

  async write(packet: Uint8Array, signal?: AbortSignal): Promise<void> {
    this.#check(signal);
    if (packet.length > this.reportBytes) {
      throw new RangeError(
        `a ${packet.length}-byte request does not fit a ${this.reportBytes}-byte report`,
      );
    }
    const report = new Uint8Array(1 + this.reportBytes);
    report.set(packet, 1);
    this.#transfers++;
    try {
      await this.device.write(report);
    } catch (error) {
      throw this.#fail(usbError(error, 'writing a HID report'));
    }
  }

  async read(signal?: AbortSignal): Promise<Uint8Array> {
    this.#check(signal);
    this.#transfers++;
    let data: Uint8Array | number[] | undefined;
    try {
      data = await this.device.read(this.timeoutMs);
    } catch (error) {
      throw this.#fail(usbError(error, 'reading a HID report'));
    }
    if (data === undefined || data.length === 0) {
      throw this.#fail(usbError(new Error('timed out'), 'reading a HID report', this.timeoutMs));
    }
    return Uint8Array.from(data);
  }

  async drain(signal?: AbortSignal): Promise<number> {
    let dropped = 0;
    for (let i = 0; i < 32; i++) {
      throwIfAborted(signal);
      const data = await this.device.read(10).catch(() => undefined);
      if (data === undefined || data.length === 0) return dropped;
      dropped++;
    }
    return dropped;
  }

  async close(): Promise<void> {
    await this.device.close().catch(() => undefined);
  }

  #fail(error: FlashwrightError): FlashwrightError {
    this.#broken ??= error;
    return error;
  }

  #check(signal?: AbortSignal): void {
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
