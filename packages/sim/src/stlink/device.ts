import type { SimBoard } from '../board.js';
import { RealtimePace } from '../realtime.js';
import { usbPayloadUs, usbTiming } from '../timing.js';
import { stlinkCommands } from './commands/index.js';
import {
  MANUFACTURER,
  ST_VENDOR_ID,
  stlinkVariant,
  type StlinkProbeKind,
  type StlinkVariant,
} from './descriptors.js';
import { StlinkEngine } from './engine.js';
import { parseFirmwareVersion } from './firmware.js';
import { InPipe, TransferTimeoutError } from './in-pipe.js';
import {
  LANGUAGE_DESCRIPTOR,
  configurationDescriptor,
  deviceDescriptor,
  stringDescriptor,
  stringTable,
  webUsbConfiguration,
} from './usb-descriptors.js';

export interface VirtualStlinkOptions {
  readonly board: SimBoard;
  readonly probe?: StlinkProbeKind;
  /** A specific PID of that kind (e.g. 0x3752 for a V2-1 without mass storage). */
  readonly productId?: number;
  /** Firmware version string, e.g. V2J37S7 (the default for V2). */
  readonly firmware?: string;
  /** Serial number; a clone's default is 12 binary bytes. */
  readonly serialNumber?: string;
  /** Clone: binary serial, target voltage zero, NRST not wired. */
  readonly clone?: boolean;
  /** Target voltage in volts (default 3.3). */
  readonly voltage?: number;
  /**
   * 'realtime' runs the board in real time: each transfer also sleeps the virtual time it
   * takes, and the board's clock never falls behind the wall clock (a slow host, such as a
   * guest behind usbredir, sees a flash erase end after its real duration however slowly it
   * polls).
   */
  readonly timing?: 'instant' | 'realtime';
  /** V3 only: DEBUG_EXIT outside debug mode wedges the firmware until a USB reset. */
  readonly lockUpOnStrayExit?: boolean;
  readonly swdFrequenciesKhz?: readonly number[];
  readonly jtagFrequenciesKhz?: readonly number[];
  /** How long a read of an empty IN endpoint waits before timing out (default 1000 ms). */
  readonly emptyReadTimeoutMs?: number;
}

/** A clone's 12-byte binary serial (hex-encoded by hosts: 55FF6D066684564928211687). */
export const CLONE_SERIAL = String.fromCharCode(
  0x55,
  0xff,
  0x6d,
  0x06,
  0x66,
  0x84,
  0x56,
  0x49,
  0x28,
  0x21,
  0x16,
  0x87,
);

/** V3 interface clocks as GET_COM_FREQ lists them (UM2448 values quoted in blackmagic#1908; unverified). */
const V3_SWD_KHZ = [24000, 8000, 3300, 1000, 200, 50, 5];
const V3_JTAG_KHZ = [21333, 16000, 12000, 8000, 4000, 2000, 1000, 500, 250, 125];

/** WebUSB's BufferSource (the DOM lib is not loaded on Node). */
type BufferSource = ArrayBuffer | ArrayBufferView;

interface PendingCommand {
  readonly cmd: Uint8Array;
  readonly expected: number;
  readonly chunks: Uint8Array[];
  received: number;
}

function bytesOf(data: BufferSource): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

/**
 * A virtual ST-Link (V2, V2-1 or V3) as a WebUSB USBDevice. The host writes 16-byte
 * command blocks (and data phases) to the debug OUT endpoint and reads replies from the
 * debug IN endpoint; the StlinkEngine decodes them against the SimBoard. Every command
 * advances the board's virtual clock by the USB round trip and payload time of the timing
 * model (the SWD and flash time is charged by the board as it happens, so flash busy time
 * overlaps the next command's USB time as on silicon). Faults from the board's FaultPlan
 * (timeout, stall, disconnect) hit the transfer they are aimed at.
 */
export class VirtualStlink implements USBDevice {
  readonly usbVersionMajor = 2;
  readonly usbVersionMinor = 0;
  readonly usbVersionSubminor = 0;
  readonly deviceClass: number;
  readonly deviceSubclass: number;
  readonly deviceProtocol: number;
  readonly vendorId = ST_VENDOR_ID;
  readonly productId: number;
  readonly deviceVersionMajor = 1;
  readonly deviceVersionMinor = 0;
  readonly deviceVersionSubminor = 0;
  readonly manufacturerName = MANUFACTURER;
  readonly productName: string;
  readonly serialNumber: string;
  readonly configurations: USBConfiguration[];
  readonly variant: StlinkVariant;
  readonly engine: StlinkEngine;
  readonly board: SimBoard;

  readonly #claimed = new Set<number>();
  readonly #halted = new Set<number>();
  readonly #debugIn: InPipe;
  readonly #traceIn: InPipe;
  readonly #pace: RealtimePace;
  readonly #emptyReadTimeoutMs: number;
  #opened = false;
  #gone = false;
  #pending: PendingCommand | undefined;

  constructor(options: VirtualStlinkOptions) {
    const kind = options.probe ?? 'stlink-v2';
    const variant = stlinkVariant(kind, options.productId);
    if (!variant) {
      throw new RangeError(
        `no virtual ${kind} with PID 0x${(options.productId ?? 0).toString(16)}`,
      );
    }
    const firmwareText = options.firmware ?? variant.defaultFirmware;
    const firmware = parseFirmwareVersion(firmwareText);
    if (!firmware)
      throw new RangeError(`"${firmwareText}" is not an ST-Link firmware version (e.g. V2J37S7)`);
    if (firmware.major >= 3 !== (kind === 'stlink-v3')) {
      throw new RangeError(`firmware ${firmwareText} does not fit a ${kind}`);
    }
    const clone = options.clone ?? false;
    this.variant = variant;
    this.board = options.board;
    this.productId = variant.productId;
    [this.deviceClass, this.deviceSubclass, this.deviceProtocol] = variant.deviceClass;
    this.productName = variant.productName;
    this.serialNumber = options.serialNumber ?? (clone ? CLONE_SERIAL : variant.defaultSerial);
    this.configurations = [webUsbConfiguration(variant, this.#claimed)];
    const packetSize = variant.speed === 'high-speed' ? 512 : 64;
    this.#debugIn = new InPipe(packetSize);
    this.#traceIn = new InPipe(
      variant.kind === 'stlink-v2' ? 64 : variant.speed === 'high-speed' ? 512 : 32,
    );
    this.#pace = new RealtimePace(options.board.clock, options.timing === 'realtime');
    this.#emptyReadTimeoutMs = options.emptyReadTimeoutMs ?? 1000;
    this.engine = new StlinkEngine(
      options.board,
      variant,
      firmware,
      {
        clone,
        voltage: options.voltage ?? 3.3,
        lockUpOnStrayExit: options.lockUpOnStrayExit ?? false,
        swdFrequenciesKhz: options.swdFrequenciesKhz ?? V3_SWD_KHZ,
        jtagFrequenciesKhz: options.jtagFrequenciesKhz ?? V3_JTAG_KHZ,
      },
      stlinkCommands,
    );
    options.board.faults.onDisconnect(() => {
      this.#gone = true;
      this.#debugIn.clear(disconnectedError);
      this.#traceIn.clear(disconnectedError);
    });
  }

  get opened(): boolean {
    return this.#opened;
  }

  get configuration(): USBConfiguration | null {
    return this.#opened ? (this.configurations[0] ?? null) : null;
  }

  /** Reply bytes queued on the debug IN endpoint (for tests). */
  get queuedInBytes(): number {
    return this.#debugIn.queuedBytes;
  }

  /**
   * Drops reply bytes nobody read, as a host does by reading until a timeout. The TCP server
   * uses it: each of its requests carries exactly one command and its reply.
   */
  discardQueuedIn(): void {
    this.#debugIn.clear();
  }

  open(): Promise<void> {
    if (this.#gone) return Promise.reject(disconnectedError());
    this.#opened = true;
    return Promise.resolve();
  }

  close(): Promise<void> {
    // Pending transfers fail as WebUSB fails them; data the probe queued stays queued.
    this.#debugIn.abortReads(abortError);
    this.#traceIn.abortReads(abortError);
    this.#opened = false;
    this.#claimed.clear();
    return Promise.resolve();
  }

  forget(): Promise<void> {
    return this.close();
  }

  selectConfiguration(configurationValue: number): Promise<void> {
    if (this.#gone) return Promise.reject(disconnectedError());
    if (!this.#opened) return Promise.reject(invalidState('The device must be opened first.'));
    if (configurationValue !== 1)
      return Promise.reject(
        notFound('The configuration value provided is not supported by the device.'),
      );
    return Promise.resolve();
  }

  claimInterface(interfaceNumber: number): Promise<void> {
    if (this.#gone) return Promise.reject(disconnectedError());
    if (!this.#opened) return Promise.reject(invalidState('The device must be opened first.'));
    if (!this.variant.interfaces.some((i) => i.number === interfaceNumber)) {
      return Promise.reject(
        notFound(
          'The interface number provided is not supported by the device in its current configuration.',
        ),
      );
    }
    this.#claimed.add(interfaceNumber);
    return Promise.resolve();
  }

  releaseInterface(interfaceNumber: number): Promise<void> {
    this.#claimed.delete(interfaceNumber);
    return Promise.resolve();
  }

  selectAlternateInterface(interfaceNumber: number, alternateSetting: number): Promise<void> {
    if (this.#gone) return Promise.reject(disconnectedError());
    if (!this.#claimed.has(interfaceNumber))
      return Promise.reject(invalidState('The interface must be claimed first.'));
    if (alternateSetting !== 0)
      return Promise.reject(notFound('The alternate setting provided is not supported.'));
    return Promise.resolve();
  }

  /** USB reset: flushes the endpoints, clears halts and un-wedges a locked-up V3. */
  reset(): Promise<void> {
    if (this.#gone) return Promise.reject(disconnectedError());
    if (!this.#opened) return Promise.reject(invalidState('The device must be opened first.'));
    this.#debugIn.clear(abortError);
    this.#traceIn.clear(abortError);
    this.#halted.clear();
    this.#pending = undefined;
    this.engine.lockedUp = false;
    return Promise.resolve();
  }

  clearHalt(direction: USBDirection, endpointNumber: number): Promise<void> {
    if (this.#gone) return Promise.reject(disconnectedError());
    if (this.#gone) return Promise.reject(disconnectedError());
    if (!this.#opened) return Promise.reject(invalidState('The device must be opened first.'));
    this.#halted.delete(endpointAddress(direction, endpointNumber));
    return Promise.resolve();
  }

  controlTransferIn(
    setup: USBControlTransferParameters,
    length: number,
  ): Promise<USBInTransferResult> {
    if (this.#gone) return Promise.reject(disconnectedError());
    if (!this.#opened) return Promise.reject(invalidState('The device must be opened first.'));
    const descriptor =
      setup.requestType === 'standard' && setup.request === 6
        ? this.#descriptor(setup.value)
        : undefined;
    if (!descriptor) return Promise.resolve({ status: 'stall' });
    const data = descriptor.slice(0, length);
    return Promise.resolve({ status: 'ok', data: new DataView(data.buffer) });
  }

  controlTransferOut(): Promise<USBOutTransferResult> {
    if (this.#gone) return Promise.reject(disconnectedError());
    return Promise.resolve({ status: 'stall', bytesWritten: 0 });
  }

  isochronousTransferIn(): Promise<USBIsochronousInTransferResult> {
    return Promise.reject(
      new DOMException('The ST-Link has no isochronous endpoints.', 'NotSupportedError'),
    );
  }

  isochronousTransferOut(): Promise<USBIsochronousOutTransferResult> {
    return Promise.reject(
      new DOMException('The ST-Link has no isochronous endpoints.', 'NotSupportedError'),
    );
  }

  async transferOut(endpointNumber: number, data: BufferSource): Promise<USBOutTransferResult> {
    const address = endpointAddress('out', endpointNumber);
    const blocked = this.#admit(address);
    if (blocked === 'stall') return { status: 'stall', bytesWritten: 0 };
    const bytes = bytesOf(data);
    if (address !== this.variant.debugOut) return { status: 'ok', bytesWritten: bytes.length };
    if (this.engine.lockedUp) throw new TransferTimeoutError();
    this.#pace.catchUp();
    this.#acceptOut(bytes);
    await this.#pace.keepPace();
    return { status: 'ok', bytesWritten: bytes.length };
  }

  /**
   * Bulk IN. The optional third argument is node-usb's per-transfer timeout (WebUSB has
   * none); an empty endpoint is waited on that long (default 1000 ms).
   */
  async transferIn(
    endpointNumber: number,
    length: number,
    timeoutMs?: number,
  ): Promise<USBInTransferResult> {
    const address = endpointAddress('in', endpointNumber);
    const blocked = this.#admit(address);
    if (blocked === 'stall') return { status: 'stall' };
    if (this.engine.lockedUp) throw new TransferTimeoutError();
    const pipe =
      address === this.variant.debugIn
        ? this.#debugIn
        : address === this.variant.traceIn
          ? this.#traceIn
          : undefined;
    if (!pipe) throw new TransferTimeoutError();
    this.#pace.catchUp();
    const result = await pipe.read(length, timeoutMs ?? this.#emptyReadTimeoutMs);
    await this.#pace.keepPace();
    return {
      status: result.status,
      data: new DataView(result.data.buffer, result.data.byteOffset, result.data.byteLength),
    };
  }

  /**
   * Checks a transfer against the device state and the FaultPlan. Throws what WebUSB (or
   * node-usb for timeouts) throws; returns 'stall' for a halted endpoint.
   */
  #admit(address: number): 'ok' | 'stall' {
    if (this.#gone) throw disconnectedError();
    if (!this.#opened) throw invalidState('The device must be opened first.');
    const iface = this.variant.interfaces.find((i) =>
      i.endpoints.some((e) => e.address === address),
    );
    if (!iface)
      throw notFound(
        'The specified endpoint is not part of a claimed and selected alternate interface.',
      );
    if (!this.#claimed.has(iface.number)) {
      throw invalidState(
        'The specified endpoint is not part of a claimed and selected alternate interface.',
      );
    }
    const fault = this.board.faults.nextUsbTransfer();
    if (fault === 'disconnect')
      throw new DOMException('A transfer error has occurred.', 'NetworkError');
    if (this.#halted.has(address)) return 'stall';
    if (fault === 'stall') {
      this.#halted.add(address);
      return 'stall';
    }
    if (fault === 'timeout') {
      // The transfer is lost: an OUT block never arrives, an IN reply is dropped.
      if (address & 0x80) this.#debugIn.clear();
      throw new TransferTimeoutError();
    }
    return 'ok';
  }

  #acceptOut(bytes: Uint8Array): void {
    const pending = this.#pending;
    if (pending) {
      pending.chunks.push(bytes);
      pending.received += bytes.length;
      if (pending.received >= pending.expected) this.#finish(pending);
      return;
    }
    // A command block is 16 bytes; hosts that send fewer get the rest as zeros.
    const cmd = new Uint8Array(16);
    cmd.set(bytes.subarray(0, 16));
    const extra = bytes.subarray(16);
    const next: PendingCommand = {
      cmd,
      expected: this.engine.dataOutLength(cmd),
      chunks: [extra],
      received: extra.length,
    };
    this.board.clock.advanceUs(usbTiming[this.variant.speed].roundTripUs);
    if (next.received >= next.expected) this.#finish(next);
    else this.#pending = next;
  }

  #finish(pending: PendingCommand): void {
    this.#pending = undefined;
    const data = new Uint8Array(pending.expected);
    let offset = 0;
    for (const chunk of pending.chunks) {
      const part = chunk.subarray(0, pending.expected - offset);
      data.set(part, offset);
      offset += part.length;
    }
    const speed = this.variant.speed;
    this.board.clock.advanceUs(usbPayloadUs(data.length, speed));
    const reply = this.engine.execute(pending.cmd, data);
    if (reply && reply.length > 0) {
      this.board.clock.advanceUs(usbPayloadUs(reply.length, speed));
      this.#debugIn.push(reply);
    }
  }

  #descriptor(value: number): Uint8Array | undefined {
    const type = value >>> 8;
    const index = value & 0xff;
    if (type === 1) return deviceDescriptor(this.variant);
    if (type === 2) return configurationDescriptor(this.variant);
    if (type !== 3) return undefined;
    if (index === 0) return LANGUAGE_DESCRIPTOR;
    const text = stringTable(this.variant, this.serialNumber).get(index);
    return text === undefined ? undefined : stringDescriptor(text);
  }
}

function endpointAddress(direction: USBDirection, endpointNumber: number): number {
  return (direction === 'in' ? 0x80 : 0) | (endpointNumber & 0x0f);
}

function disconnectedError(): DOMException {
  return new DOMException('The device was disconnected.', 'NotFoundError');
}

function invalidState(message: string): DOMException {
  return new DOMException(message, 'InvalidStateError');
}

function notFound(message: string): DOMException {
  return new DOMException(message, 'NotFoundError');
}

function abortError(): DOMException {
  return new DOMException('The transfer was cancelled.', 'AbortError');
}
