import { FlashwrightError } from '@flashwright/core';
import { throwIfAborted } from '@flashwright/core/plugin';
import type { StLinkCommand } from '../protocol/command.js';
import type { StLinkModel } from '../protocol/probe-ids.js';
import { guardTransfer, type TimedUsbDevice } from '@flashwright/usb-probe';
import { usbError } from './usb-errors.js';

/**
 * Debug interface and configuration of every ST-Link (the lsusb dumps in OpenOCD
 * doc/usb_adapters/stlink/; pyOCD probe/stlink/usb.py and probe-rs usb_interface.rs claim
 * only interface 0).
 */
const DEBUG_INTERFACE = 0;
const CONFIGURATION = 1;
/** pyOCD (probe/stlink/usb.py) and probe-rs (stlink/usb_interface.rs) use 1000 ms per transfer. */
export const DEFAULT_TRANSFER_TIMEOUT_MS = 1000;
/** Drain: short reads until nothing comes (pyOCD reads with a 1 ms timeout). */
const DRAIN_TIMEOUT_MS = 10;
const DRAIN_MAX_READS = 64;
const DRAIN_READ_BYTES = 8192;

export interface Endpoints {
  readonly outEndpoint: number;
  readonly inEndpoint: number;
  readonly packetBytes: number;
}

/**
 * Endpoints from the PID table (protocol/probe-ids.ts), checked against the descriptor; when the
 * table's endpoints are not there (an unknown clone), the interface's first bulk OUT and IN.
 */
export function selectEndpoints(device: USBDevice, model: StLinkModel | undefined): Endpoints {
  const iface = device.configuration?.interfaces.find((i) => i.interfaceNumber === DEBUG_INTERFACE);
  const endpoints = iface?.alternate.endpoints ?? [];
  const bulk = endpoints.filter((e) => e.type === 'bulk');
  const find = (direction: USBDirection, number: number): USBEndpoint | undefined =>
    bulk.find((e) => e.direction === direction && e.endpointNumber === number);
  if (model) {
    const out = find('out', model.outEndpoint);
    const inn = find('in', model.inEndpoint);
    if ((out && inn) || endpoints.length === 0) {
      return {
        outEndpoint: model.outEndpoint,
        inEndpoint: model.inEndpoint,
        packetBytes: inn?.packetSize ?? model.packetBytes,
      };
    }
  }
  const out = bulk.find((e) => e.direction === 'out');
  const inn = bulk.find((e) => e.direction === 'in');
  if (!out || !inn) {
    throw new FlashwrightError(
      'PROBE_PROTOCOL_ERROR',
      `USB device ${device.vendorId.toString(16)}:${device.productId.toString(16)} has no bulk debug endpoints on interface 0`,
      {
        hint: 'This does not look like an ST-Link in debug mode. Replug it or update its firmware.',
      },
    );
  }
  return {
    outEndpoint: out.endpointNumber,
    inEndpoint: inn.endpointNumber,
    packetBytes: inn.packetSize,
  };
}

/**
 * The ST-Link framing over one claimed USBDevice (OpenOCD stlink_usb_xfer_rw, pyOCD usb.py
 * transfer): command block OUT, optional data OUT, fixed-length IN. Every transfer has a timeout;
 * an AbortSignal is honoured between commands. A transfer that outlives its timeout is abandoned
 * and the link refuses further use until reopened.
 */
export class UsbLink {
  #transfers = 0;
  #broken: FlashwrightError | undefined;
  /** A transfer failed: the endpoints may be halted and a late reply may be queued. */
  #dirty = false;
  /** An OUT phase is in flight: a failure now leaves the probe waiting for the rest. */
  #sending = false;
  /** The probe may be stuck mid-command: only a USB reset resynchronises it. */
  #resetNeeded = false;

  private constructor(
    readonly device: TimedUsbDevice,
    readonly endpoints: Endpoints,
    readonly timeoutMs: number,
  ) {}

  static async open(
    device: USBDevice,
    model: StLinkModel | undefined,
    options: { timeoutMs?: number | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<UsbLink> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TRANSFER_TIMEOUT_MS;
    throwIfAborted(options.signal);
    try {
      if (!device.opened) await device.open();
      if (device.configuration?.configurationValue !== CONFIGURATION) {
        await device.selectConfiguration(CONFIGURATION);
      }
      await device.claimInterface(DEBUG_INTERFACE);
    } catch (error) {
      await device.close().catch(() => undefined);
      throw usbError(error, 'opening the probe');
    }
    return new UsbLink(device, selectEndpoints(device, model), timeoutMs);
  }

  /** USB transfers done so far (OUT and IN count separately). */
  get transfers(): number {
    return this.#transfers;
  }

  /** Runs one command: block, data, reply. Returns the decoded reply. */
  async exchange<R>(
    command: StLinkCommand<R>,
    signal?: AbortSignal,
    timeoutMs?: number,
  ): Promise<R> {
    const limitMs = timeoutMs ?? this.timeoutMs;
    // Abort is honoured between commands, never inside one: a command cut in half would
    // leave the probe expecting data, and the caller (e.g. re-locking the flash after
    // Ctrl-C) still needs a working link. A command takes at most one transfer timeout.
    this.#checkUsable(signal);
    if (this.#dirty) await this.#resync(signal);
    this.#sending = true;
    await this.#out(command.block, `${command.name} command`, limitMs);
    if (command.dataOut && command.dataOut.length > 0) {
      await this.#out(command.dataOut, `${command.name} data OUT`, limitMs);
    }
    this.#sending = false;
    if (command.responseBytes === 0) return command.decode(new Uint8Array(0));
    const reply = await this.#in(command.responseBytes, `${command.name} reply`, limitMs);
    return command.decode(reply);
  }

  /**
   * Reads and discards whatever an earlier session left queued on the IN endpoint, as pyOCD
   * probe/stlink/usb.py does when it opens the probe. Ends at the first read that times out.
   * When the device ignored the timeout argument (a browser), our guard fired instead and the
   * read is still pending: reopening the device cancels it (WebUSB close() aborts pending
   * transfers).
   */
  async drain(signal?: AbortSignal): Promise<number> {
    let discarded = 0;
    for (let i = 0; i < DRAIN_MAX_READS; i++) {
      throwIfAborted(signal);
      let result: USBInTransferResult;
      try {
        result = await this.#guarded(
          this.device.transferIn(this.endpoints.inEndpoint, DRAIN_READ_BYTES, DRAIN_TIMEOUT_MS),
          DRAIN_TIMEOUT_MS,
          'draining stale replies',
        );
      } catch (error) {
        if (!(error instanceof FlashwrightError) || error.code !== 'PROBE_TIMEOUT') throw error;
        if (this.#broken === error) await this.reopen(signal);
        // A read that times out is how a drain ends, not a failure of the link.
        this.#dirty = false;
        return discarded;
      }
      const bytes = result.data?.byteLength ?? 0;
      if (result.status !== 'ok' || bytes === 0) return discarded;
      discarded += bytes;
    }
    return discarded;
  }

  /** Closes and reopens the device, cancelling any abandoned transfer. */
  async reopen(signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    await this.close();
    try {
      await this.device.open();
      if (this.device.configuration?.configurationValue !== CONFIGURATION) {
        await this.device.selectConfiguration(CONFIGURATION);
      }
      await this.device.claimInterface(DEBUG_INTERFACE);
    } catch (error) {
      throw usbError(error, 'reopening the probe');
    }
    this.#broken = undefined;
  }

  async close(): Promise<void> {
    try {
      if (this.device.opened) {
        await this.device.releaseInterface(DEBUG_INTERFACE).catch(() => undefined);
        await this.device.close();
      }
    } catch {
      // Closing a vanished device fails; there is nothing left to release.
    }
  }

  /**
   * After a failed transfer: clear a stalled endpoint (a stall lasts until the host clears
   * the halt) and drop any reply that arrived late, so the next command reads its own reply.
   */
  async #resync(signal?: AbortSignal): Promise<void> {
    this.#dirty = false;
    if (this.#resetNeeded) {
      // A command block or data phase was cut short: the probe would take our next command
      // as the rest of its data (and write it to the target). A USB reset drops it, as
      // OpenOCD resets a wedged ST-Link.
      this.#resetNeeded = false;
      await this.device.reset().catch(() => undefined);
      await this.device.claimInterface(DEBUG_INTERFACE).catch(() => undefined);
    }
    for (const [direction, endpoint] of [
      ['out', this.endpoints.outEndpoint],
      ['in', this.endpoints.inEndpoint],
    ] as const) {
      await this.device.clearHalt(direction, endpoint).catch(() => undefined);
    }
    await this.drain(signal);
  }

  async #out(data: Uint8Array, what: string, timeoutMs: number): Promise<void> {
    this.#checkUsable();
    this.#transfers++;
    const result = await this.#guarded(
      this.device.transferOut(this.endpoints.outEndpoint, data, timeoutMs),
      timeoutMs,
      what,
    );
    if (result.status !== 'ok') throw this.#fail(usbError(new Error(`${result.status}`), what));
    if (result.bytesWritten !== data.length) {
      throw this.#fail(
        new FlashwrightError(
          'PROBE_USB_ERROR',
          `ST-Link accepted ${result.bytesWritten} of ${data.length} bytes of ${what}`,
          { hint: 'Unplug and replug the probe, then try again.' },
        ),
      );
    }
  }

  async #in(length: number, what: string, timeoutMs: number): Promise<Uint8Array> {
    this.#checkUsable();
    this.#transfers++;
    const result = await this.#guarded(
      this.device.transferIn(this.endpoints.inEndpoint, length, timeoutMs),
      timeoutMs,
      what,
    );
    if (result.status === 'babble') {
      throw this.#fail(
        new FlashwrightError(
          'PROBE_PROTOCOL_ERROR',
          `ST-Link sent more than ${length} bytes for ${what}`,
          {
            hint: 'Unplug and replug the probe, then try again.',
          },
        ),
      );
    }
    if (result.status !== 'ok') throw this.#fail(usbError(new Error(`${result.status}`), what));
    const view = result.data;
    return view ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : new Uint8Array(0);
  }

  /**
   * A transfer raced against our own timer. When our timer wins, the transfer is still in
   * flight, so the link is marked broken (its reply would be taken for the next command's)
   * until reopen() cancels it.
   */
  #guarded<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
    return guardTransfer(work, {
      what,
      timeoutMs,
      usbError,
      device: this.device,
      inEndpoint: this.endpoints.inEndpoint,
      onAbandoned: (error) => (this.#broken = error),
      fail: (error) => this.#fail(error),
    });
  }

  #fail(error: FlashwrightError): FlashwrightError {
    // A disconnected probe never comes back on this handle; other failures may be transient
    // (the sim's usb-timeout fault) but leave the command half done, which the caller reports.
    if (error.code === 'PROBE_DISCONNECTED') this.#broken = error;
    else this.#dirty = true;
    if (this.#sending) this.#resetNeeded = true;
    this.#sending = false;
    return error;
  }

  #checkUsable(signal?: AbortSignal): void {
    throwIfAborted(signal);
    if (this.#broken) {
      throw new FlashwrightError(
        this.#broken.code,
        `ST-Link link is unusable after an earlier failure: ${this.#broken.message}`,
        { hint: this.#broken.hint, cause: this.#broken },
      );
    }
  }
}
