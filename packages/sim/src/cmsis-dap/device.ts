import type { SimBoard } from '../board.js';
import { RealtimePace } from '../realtime.js';
import { InPipe, TransferTimeoutError } from '../stlink/in-pipe.js';
import { webUsbConfiguration } from '../stlink/usb-descriptors.js';
import { usbPayloadUs, usbTiming } from '../timing.js';
import { CmsisDapEngine } from './engine.js';
import { descriptor } from './usb-descriptors.js';
import { cmsisDapVariants, type CmsisDapProbeKind, type CmsisDapVariant } from './variants.js';

export interface VirtualCmsisDapOptions {
  readonly board: SimBoard;
  readonly probe: CmsisDapProbeKind;
  /** DAP_Info firmware version (0x09); the variant's default otherwise. */
  readonly firmware?: string;
  readonly serialNumber?: string;
  /**
   * 'realtime' runs the board in real time, as the ST-Link's option does (RealtimePace): each
   * transfer also sleeps the virtual time it takes, and the board's clock never falls behind
   * the wall clock of a slow host.
   */
  readonly timing?: 'instant' | 'realtime';
  /** How long a read of an empty IN endpoint waits before timing out (default 1000 ms). */
  readonly emptyReadTimeoutMs?: number;
  /** False: nRESET is not wired to the target (default true). */
  readonly nresetWired?: boolean;
}

/** WebUSB's BufferSource (the DOM lib is not loaded on Node). */
type BufferSource = ArrayBuffer | ArrayBufferView;

function bytesOf(data: BufferSource): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

/**
 * A virtual CMSIS-DAP probe as a WebUSB USBDevice: v1 answers through a HID interface's
 * interrupt endpoints with 64-byte reports (every response padded to the report size), v2
 * through bulk endpoints with responses of their own length. Each request packet is one
 * command, decoded and run by the CmsisDapEngine at once; responses queue in order on the
 * IN endpoint. The virtual clock is charged by the timing model (cmsisDapTiming): payload
 * for every packet, and a round trip for a command that arrives while no earlier response
 * is waiting (the host had drained the pipeline). Faults from the board's FaultPlan
 * (timeout, stall, disconnect) hit the transfer they are aimed at.
 */
export class VirtualCmsisDap implements USBDevice {
  readonly usbVersionMajor = 2;
  readonly usbVersionMinor = 0;
  readonly usbVersionSubminor = 0;
  readonly deviceClass = 0xef;
  readonly deviceSubclass = 0x02;
  readonly deviceProtocol = 0x01;
  readonly vendorId: number;
  readonly productId: number;
  readonly deviceVersionMajor = 1;
  readonly deviceVersionMinor = 0;
  readonly deviceVersionSubminor = 0;
  readonly manufacturerName: string;
  readonly productName: string;
  readonly serialNumber: string;
  readonly configurations: USBConfiguration[];
  readonly variant: CmsisDapVariant;
  readonly engine: CmsisDapEngine;
  readonly board: SimBoard;

  readonly #claimed = new Set<number>();
  readonly #halted = new Set<number>();
  readonly #in: InPipe;
  readonly #pace: RealtimePace;
  readonly #emptyReadTimeoutMs: number;
  #opened = false;
  #gone = false;
  /** Responses queued and not read yet: commands still "in flight" at the probe. */
  #unanswered = 0;
  #peakUnanswered = 0;

  constructor(options: VirtualCmsisDapOptions) {
    this.variant = cmsisDapVariants[options.probe];
    this.board = options.board;
    this.vendorId = this.variant.vendorId;
    this.productId = this.variant.productId;
    this.manufacturerName = this.variant.manufacturerName;
    this.productName = this.variant.productName;
    this.serialNumber = options.serialNumber ?? this.variant.defaultSerial;
    this.configurations = [webUsbConfiguration(this.variant, this.#claimed)];
    this.#in = new InPipe(this.variant.packetBytes);
    this.#pace = new RealtimePace(options.board.clock, options.timing === 'realtime');
    this.#emptyReadTimeoutMs = options.emptyReadTimeoutMs ?? 1000;
    this.engine = new CmsisDapEngine(
      options.board,
      this.variant,
      { serial: this.serialNumber, firmware: options.firmware ?? this.variant.defaultFirmware },
      options.nresetWired ?? true,
    );
    options.board.faults.onDisconnect(() => {
      this.#gone = true;
      this.#in.clear(disconnectedError);
    });
  }

  get opened(): boolean {
    return this.#opened;
  }

  get configuration(): USBConfiguration | null {
    return this.#opened ? (this.configurations[0] ?? null) : null;
  }

  /** Most commands that were at the probe unanswered at once (a host must stay within Packet Count). */
  get peakUnanswered(): number {
    return this.#peakUnanswered;
  }

  open(): Promise<void> {
    if (this.#gone) return Promise.reject(disconnectedError());
    this.#opened = true;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#in.abortReads(abortError);
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
    if (configurationValue !== 1) {
      return Promise.reject(
        notFound('The configuration value provided is not supported by the device.'),
      );
    }
    return Promise.resolve();
  }

  claimInterface(interfaceNumber: number): Promise<void> {
    if (this.#gone) return Promise.reject(disconnectedError());
    if (!this.#opened) return Promise.reject(invalidState('The device must be opened first.'));
    if (!this.variant.interfaces.some((i) => i.number === interfaceNumber)) {
      return Promise.reject(
        notFound('The interface number provided is not supported by the device.'),
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
    if (!this.#claimed.has(interfaceNumber)) {
      return Promise.reject(invalidState('The interface must be claimed first.'));
    }
    if (alternateSetting !== 0) {
      return Promise.reject(notFound('The alternate setting provided is not supported.'));
    }
    return Promise.resolve();
  }

  reset(): Promise<void> {
    if (this.#gone) return Promise.reject(disconnectedError());
    this.#in.clear(abortError);
    this.#unanswered = 0;
    this.#halted.clear();
    return Promise.resolve();
  }

  clearHalt(direction: USBDirection, endpointNumber: number): Promise<void> {
    if (this.#gone) return Promise.reject(disconnectedError());
    this.#halted.delete(endpointAddress(direction, endpointNumber));
    return Promise.resolve();
  }

  /** GET_DESCRIPTOR (standard, and the HID report descriptor on the interface); else a stall. */
  controlTransferIn(
    setup: USBControlTransferParameters,
    length: number,
  ): Promise<USBInTransferResult> {
    if (this.#gone) return Promise.reject(disconnectedError());
    if (!this.#opened) return Promise.reject(invalidState('The device must be opened first.'));
    const found =
      setup.request === 6 ? descriptor(this.variant, this.serialNumber, setup.value) : undefined;
    if (!found) return Promise.resolve({ status: 'stall' });
    const data = found.slice(0, length);
    return Promise.resolve({ status: 'ok', data: new DataView(data.buffer) });
  }

  controlTransferOut(): Promise<USBOutTransferResult> {
    if (this.#gone) return Promise.reject(disconnectedError());
    return Promise.resolve({ status: 'stall', bytesWritten: 0 });
  }

  isochronousTransferIn(): Promise<USBIsochronousInTransferResult> {
    return Promise.reject(new DOMException('No isochronous endpoints.', 'NotSupportedError'));
  }

  isochronousTransferOut(): Promise<USBIsochronousOutTransferResult> {
    return Promise.reject(new DOMException('No isochronous endpoints.', 'NotSupportedError'));
  }

  async transferOut(endpointNumber: number, data: BufferSource): Promise<USBOutTransferResult> {
    const address = endpointAddress('out', endpointNumber);
    if (this.#admit(address) === 'stall') return { status: 'stall', bytesWritten: 0 };
    const bytes = bytesOf(data);
    this.#pace.catchUp();
    this.#command(bytes);
    await this.#pace.keepPace();
    return { status: 'ok', bytesWritten: bytes.length };
  }

  /** The optional third argument is node-usb's per-transfer timeout (WebUSB has none). */
  async transferIn(
    endpointNumber: number,
    length: number,
    timeoutMs?: number,
  ): Promise<USBInTransferResult> {
    const address = endpointAddress('in', endpointNumber);
    if (this.#admit(address) === 'stall') return { status: 'stall' };
    this.#pace.catchUp();
    const result = await this.#in.read(length, timeoutMs ?? this.#emptyReadTimeoutMs);
    await this.#pace.keepPace();
    this.#unanswered = Math.max(0, this.#unanswered - 1);
    return {
      status: result.status,
      data: new DataView(result.data.buffer, result.data.byteOffset, result.data.byteLength),
    };
  }

  #command(packet: Uint8Array): void {
    const v = this.variant;
    const clock = this.board.clock;
    if (this.#unanswered === 0) clock.advanceUs(usbTiming[v.speed].roundTripUs);
    const isV1 = v.version === 'v1';
    clock.advanceUs(usbPayloadUs(isV1 ? v.packetBytes : packet.length, v.speed));
    // A request longer than a packet is not a CMSIS-DAP command: the firmware sees only
    // its first packet; answer it as an unknown command.
    const response =
      packet.length > v.packetBytes ? Uint8Array.of(0xff) : this.engine.execute(packet);
    if (!response) return;
    let reply = response;
    if (isV1) {
      reply = new Uint8Array(v.packetBytes);
      reply.set(response.subarray(0, v.packetBytes));
    }
    clock.advanceUs(usbPayloadUs(reply.length, v.speed));
    this.#unanswered++;
    this.#peakUnanswered = Math.max(this.#peakUnanswered, this.#unanswered);
    this.#in.push(reply);
  }

  #admit(address: number): 'ok' | 'stall' {
    if (this.#gone) throw disconnectedError();
    if (!this.#opened) throw invalidState('The device must be opened first.');
    const iface = this.variant.interfaces.find((i) =>
      i.endpoints.some((e) => e.address === address),
    );
    if (!iface || !this.#claimed.has(iface.number)) {
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
      // The transfer is lost: a request never arrives, a response is dropped.
      if (address & 0x80) {
        this.#in.clear();
        this.#unanswered = 0;
      }
      throw new TransferTimeoutError();
    }
    return 'ok';
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
