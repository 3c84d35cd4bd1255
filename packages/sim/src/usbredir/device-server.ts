import type { Duplex } from 'node:stream';
import { UsbredirCodec, num, type Packet, type PacketInit } from './codec.js';
import {
  endpointTable,
  interfaceTable,
  parseConfigurationDescriptor,
  parseDeviceDescriptor,
  type ConfigurationInfo,
  type DeviceDescriptorInfo,
  type EndpointInfo,
} from './device-info.js';
import { InEndpoint, isTimeout, type InOutcome, type InRequest } from './in-endpoint.js';
import { capabilityWords, EndpointType, Speed, Status, type CapName } from './protocol.js';

/** What the usb-host side announces in its hello (usb-redirection-protocol.md, usb_redir_hello). */
export const DEVICE_CAPS: readonly CapName[] = [
  'connect_device_version',
  'ep_info_max_packet_size',
  '64bits_ids',
  '32bits_bulk_length',
];

/** Standard requests (USB 2.0 specification, table 9-4) and feature selectors (table 9-6). */
const Request = {
  GET_STATUS: 0,
  CLEAR_FEATURE: 1,
  SET_FEATURE: 3,
  SET_ADDRESS: 5,
  GET_DESCRIPTOR: 6,
  GET_CONFIGURATION: 8,
  SET_CONFIGURATION: 9,
  GET_INTERFACE: 10,
  SET_INTERFACE: 11,
} as const;
const ENDPOINT_HALT = 0;

export interface UsbredirDeviceOptions {
  /** Any WebUSB-shaped device whose controlTransferIn answers GET_DESCRIPTOR. */
  readonly device: USBDevice;
  /** Bus speed; by default high when an endpoint has 512-byte packets, else full. */
  readonly speed?: keyof typeof Speed;
  readonly version?: string;
  /** How long one device read waits (node-usb's timeout argument) before it is retried. */
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

/**
 * The usb-host end of one usbredir connection (the side that owns the device; QEMU's
 * usb-redir device is the usb-guest). It announces the device once the peer's hello is in
 * (ep_info, interface_info, device_connect), answers control, bulk and interrupt packets
 * from the WebUSB device, handles configuration and alternate settings, cancels, resets,
 * and reports a disconnect as device_disconnect.
 */
export class UsbredirDeviceConnection {
  readonly #stream: Duplex;
  readonly #device: USBDevice;
  readonly #codec = new UsbredirCodec(capabilityWords(DEVICE_CAPS));
  readonly #log: (line: string) => void;
  readonly #pollMs: number;
  readonly #speedOption: keyof typeof Speed | undefined;
  readonly #version: string;
  readonly #inEndpoints = new Map<number, InEndpoint>();
  readonly #interruptReceivers = new Map<number, { active: boolean }>();
  readonly #halted = new Set<number>();
  #deviceInfo: DeviceDescriptorInfo | undefined;
  #configDescriptor: ConfigurationInfo | undefined;
  /** The active configuration, undefined when unconfigured (value 0). */
  #config: ConfigurationInfo | undefined;
  #queue: Promise<void> = Promise.resolve();
  #interruptId = 0n;
  #gone = false;
  #closed = false;
  readonly closed: Promise<void>;

  constructor(stream: Duplex, options: UsbredirDeviceOptions) {
    this.#stream = stream;
    this.#device = options.device;
    this.#log = options.log ?? (() => {});
    this.#pollMs = options.pollMs ?? 100;
    this.#speedOption = options.speed;
    this.#version = options.version ?? 'flashwright usbredir device';
    this.closed = new Promise((resolve) => {
      stream.on('close', () => {
        this.#closed = true;
        for (const receiver of this.#interruptReceivers.values()) receiver.active = false;
        for (const endpoint of this.#inEndpoints.values()) endpoint.flush();
        resolve();
      });
    });
    stream.on('error', (error: Error) => this.#log(`connection error: ${error.message}`));
    stream.on('data', (chunk: Uint8Array) => this.#receive(chunk));
    this.#send({
      name: 'hello',
      fields: { version: this.#version, capabilities: capabilityWords(DEVICE_CAPS) },
    });
    this.#enqueue(() => this.#prepare());
  }

  /** The device was unplugged: pending transfers fail and the usb-guest is told. */
  disconnect(): void {
    if (this.#gone) return;
    this.#gone = true;
    for (const [address, endpoint] of this.#inEndpoints) {
      for (const request of endpoint.flush())
        this.#answerIn(address, request, { kind: 'error', error: undefined });
    }
    for (const receiver of this.#interruptReceivers.values()) receiver.active = false;
    if (this.#codec.peerCaps !== undefined) this.#send({ name: 'device_disconnect' });
    this.#log('device disconnected');
  }

  close(): void {
    this.#stream.destroy();
  }

  #receive(chunk: Uint8Array): void {
    let packets: Packet[];
    try {
      packets = this.#codec.push(chunk);
    } catch (error) {
      this.#log(`protocol error: ${(error as Error).message}; closing the connection`);
      this.#stream.destroy();
      return;
    }
    for (const packet of packets) this.#dispatch(packet);
  }

  #send(packet: PacketInit): void {
    if (this.#closed || this.#stream.destroyed) return;
    this.#stream.write(this.#codec.encode(packet));
  }

  /** Runs control work in arrival order ("control packets are handled synchroneously"). */
  #enqueue(work: () => Promise<void> | void): void {
    this.#queue = this.#queue.then(work).catch((error: unknown) => {
      this.#log(`request failed: ${error instanceof Error ? error.message : String(error)}`);
      if (isDisconnected(error)) this.disconnect();
    });
  }

  /** Opens the device, reads its descriptors and claims every interface. */
  async #prepare(): Promise<void> {
    const device = this.#device;
    // A usb-guest that connects again finds the device as if plugged in afresh.
    if (device.opened) await device.reset();
    else await device.open();
    const deviceBytes = await this.#descriptor(0x0100, 18);
    this.#deviceInfo = parseDeviceDescriptor(deviceBytes);
    const head = await this.#descriptor(0x0200, 9);
    const total = (head[2] ?? 0) | ((head[3] ?? 0) << 8);
    this.#configDescriptor = parseConfigurationDescriptor(await this.#descriptor(0x0200, total));
    await this.#applyConfiguration(this.#configDescriptor.value);
  }

  async #descriptor(value: number, length: number): Promise<Uint8Array> {
    const result = await this.#device.controlTransferIn(
      {
        requestType: 'standard',
        recipient: 'device',
        request: Request.GET_DESCRIPTOR,
        value,
        index: 0,
      },
      length,
    );
    if (result.status !== 'ok' || !result.data) {
      throw new Error(
        `the device answers GET_DESCRIPTOR 0x${value.toString(16)} with ${result.status}`,
      );
    }
    return new Uint8Array(result.data.buffer, result.data.byteOffset, result.data.byteLength);
  }

  async #applyConfiguration(value: number): Promise<boolean> {
    const wanted = value === 0 ? undefined : this.#configDescriptor;
    if (value !== 0 && wanted?.value !== value) return false;
    this.#flushEndpoints();
    const device = this.#device;
    for (const iface of this.#config?.interfaces ?? []) await device.releaseInterface(iface.number);
    this.#config = wanted;
    if (!wanted) return true;
    await device.selectConfiguration(wanted.value);
    for (const iface of wanted.interfaces) await device.claimInterface(iface.number);
    return true;
  }

  #speed(): number {
    if (this.#speedOption) return Speed[this.#speedOption];
    const big = this.#configDescriptor?.interfaces.some((i) =>
      i.endpoints.some((e) => e.maxPacketSize >= 512),
    );
    return big ? Speed.high : Speed.full;
  }

  #sendInfo(): void {
    const info = this.#deviceInfo;
    this.#send({
      name: 'ep_info',
      fields: endpointTable(info?.maxPacketSize0 ?? 64, this.#config),
    });
    this.#send({ name: 'interface_info', fields: interfaceTable(this.#config) });
  }

  #dispatch(packet: Packet): void {
    switch (packet.name) {
      case 'hello':
        this.#enqueue(() => {
          const info = this.#deviceInfo;
          if (!info || this.#gone) return;
          this.#sendInfo();
          this.#send({
            name: 'device_connect',
            fields: {
              speed: this.#speed(),
              device_class: info.deviceClass,
              device_subclass: info.deviceSubclass,
              device_protocol: info.deviceProtocol,
              vendor_id: info.vendorId,
              product_id: info.productId,
              device_version_bcd: info.bcdDevice,
            },
          });
        });
        return;
      case 'cancel_data_packet':
        this.#cancel(packet.id);
        return;
      case 'bulk_packet':
      case 'interrupt_packet':
        this.#dataPacket(packet);
        return;
      default:
        this.#enqueue(() => this.#controlPacket(packet));
    }
  }

  async #controlPacket(packet: Packet): Promise<void> {
    const id = packet.id;
    switch (packet.name) {
      case 'reset':
        if (this.#gone) return;
        this.#flushEndpoints();
        this.#halted.clear();
        await this.#device.reset();
        return;
      case 'set_configuration': {
        const value = num(packet, 'configuration');
        const ok = !this.#gone && (await this.#applyConfiguration(value));
        if (ok) this.#sendInfo();
        this.#send({
          name: 'configuration_status',
          id,
          fields: {
            status: ok ? Status.success : Status.ioerror,
            configuration: this.#config?.value ?? 0,
          },
        });
        return;
      }
      case 'get_configuration':
        this.#send({
          name: 'configuration_status',
          id,
          fields: {
            status: this.#gone ? Status.ioerror : Status.success,
            configuration: this.#config?.value ?? 0,
          },
        });
        return;
      case 'set_alt_setting':
      case 'get_alt_setting': {
        const number = num(packet, 'interface');
        const known = this.#config?.interfaces.some((i) => i.number === number) ?? false;
        const alt = packet.name === 'set_alt_setting' ? num(packet, 'alt') : 0;
        // Every interface has only its default setting: SET_INTERFACE to another stalls
        // (USB 2.0 specification, 9.4.10).
        const status = this.#gone
          ? Status.ioerror
          : !known
            ? Status.inval
            : alt !== 0
              ? Status.stall
              : Status.success;
        if (packet.name === 'set_alt_setting' && status === Status.success) {
          this.#flushEndpoints(number);
          this.#sendInfo();
        }
        this.#send({
          name: 'alt_setting_status',
          id,
          fields: { status, interface: number, alt: 0 },
        });
        return;
      }
      case 'start_interrupt_receiving':
      case 'stop_interrupt_receiving': {
        const address = num(packet, 'endpoint');
        const ep = this.#endpoint(address);
        const valid = ep?.type === EndpointType.interrupt && (address & 0x80) !== 0;
        const status = this.#gone ? Status.ioerror : valid ? Status.success : Status.inval;
        if (status === Status.success) {
          if (packet.name === 'start_interrupt_receiving')
            this.#startInterruptReceiving(address, ep);
          else this.#stopInterruptReceiving(address);
        }
        this.#send({
          name: 'interrupt_receiving_status',
          id,
          fields: { status, endpoint: address },
        });
        return;
      }
      case 'start_iso_stream':
      case 'stop_iso_stream':
        this.#send({
          name: 'iso_stream_status',
          id,
          fields: { status: Status.inval, endpoint: num(packet, 'endpoint') },
        });
        return;
      case 'alloc_bulk_streams':
      case 'free_bulk_streams':
        this.#send({
          name: 'bulk_streams_status',
          id,
          fields: { endpoints: num(packet, 'endpoints'), no_streams: 0, status: Status.inval },
        });
        return;
      case 'start_bulk_receiving':
      case 'stop_bulk_receiving':
        this.#send({
          name: 'bulk_receiving_status',
          id,
          fields: {
            stream_id: num(packet, 'stream_id'),
            endpoint: num(packet, 'endpoint'),
            status: Status.inval,
          },
        });
        return;
      case 'control_packet':
        await this.#controlTransfer(packet);
        return;
      case 'filter_reject':
        this.#log('the usb-guest rejected the device (filter)');
        return;
      case 'iso_packet':
        this.#log('iso packet dropped: the device has no isochronous endpoints');
        return;
      default:
        // filter_filter, device_disconnect_ack and packets only a usb-host sends.
        return;
    }
  }

  #endpoint(address: number): EndpointInfo | undefined {
    for (const iface of this.#config?.interfaces ?? []) {
      const ep = iface.endpoints.find((e) => e.address === address);
      if (ep) return ep;
    }
    return undefined;
  }

  /** Cancels pending IN requests (all, or those of one interface) and interrupt receiving. */
  #flushEndpoints(interfaceNumber?: number): void {
    for (const [address, endpoint] of this.#inEndpoints) {
      if (
        interfaceNumber !== undefined &&
        this.#endpoint(address)?.interfaceNumber !== interfaceNumber
      )
        continue;
      for (const request of endpoint.flush())
        this.#answerIn(address, request, { kind: 'error', error: 'cancelled' });
    }
    for (const [address, receiver] of this.#interruptReceivers) {
      if (
        interfaceNumber !== undefined &&
        this.#endpoint(address)?.interfaceNumber !== interfaceNumber
      )
        continue;
      receiver.active = false;
      this.#interruptReceivers.delete(address);
    }
  }

  async #controlTransfer(packet: Packet): Promise<void> {
    const requestType = num(packet, 'requesttype');
    const request = num(packet, 'request');
    const value = num(packet, 'value');
    const index = num(packet, 'index');
    const length = num(packet, 'length');
    const isIn = (requestType & 0x80) !== 0;
    const reply = (status: number, data: Uint8Array = new Uint8Array(0)): void => {
      this.#send({
        name: 'control_packet',
        id: packet.id,
        fields: {
          ...packet.fields,
          status,
          length: isIn ? data.length : status === Status.success ? length : 0,
        },
        data: isIn ? data : new Uint8Array(0),
      });
    };
    if (this.#gone) return reply(Status.ioerror);
    const standard = ((requestType >>> 5) & 3) === 0;
    const recipient = requestType & 0x1f;
    if (standard) {
      const handled = await this.#standardRequest(request, recipient, value, index, length, reply);
      if (handled) return;
    }
    const setup: USBControlTransferParameters = {
      requestType: (['standard', 'class', 'vendor'] as const)[(requestType >>> 5) & 3] ?? 'vendor',
      recipient: (['device', 'interface', 'endpoint', 'other'] as const)[recipient] ?? 'other',
      request,
      value,
      index,
    };
    try {
      if (isIn) {
        const result = await this.#device.controlTransferIn(setup, length);
        const data = result.data
          ? new Uint8Array(result.data.buffer, result.data.byteOffset, result.data.byteLength)
          : undefined;
        return reply(transferStatus(result.status), data?.slice(0, length));
      }
      const result = await this.#device.controlTransferOut(setup, packet.data);
      return reply(transferStatus(result.status));
    } catch (error) {
      return this.#failed(error, () => reply(Status.ioerror));
    }
  }

  /** The standard requests the usb-host answers itself; false for those the device answers. */
  async #standardRequest(
    request: number,
    recipient: number,
    value: number,
    index: number,
    length: number,
    reply: (status: number, data?: Uint8Array) => void,
  ): Promise<boolean> {
    switch (request) {
      case Request.GET_STATUS: {
        // Bus-powered, no remote wakeup; an endpoint reports its halt bit (USB 2.0, 9.4.5).
        const halted = recipient === 2 && this.#halted.has(index & 0x8f);
        reply(Status.success, Uint8Array.of(halted ? 1 : 0, 0).slice(0, length));
        return true;
      }
      case Request.CLEAR_FEATURE:
      case Request.SET_FEATURE: {
        if (recipient === 2 && value === ENDPOINT_HALT) {
          const address = index & 0x8f;
          if (request === Request.SET_FEATURE) this.#halted.add(address);
          else {
            this.#halted.delete(address);
            try {
              await this.#device.clearHalt(address & 0x80 ? 'in' : 'out', address & 0x0f);
            } catch (error) {
              this.#failed(error, () => reply(Status.stall));
              return true;
            }
          }
        }
        reply(Status.success);
        return true;
      }
      case Request.SET_ADDRESS:
        reply(Status.success);
        return true;
      case Request.GET_CONFIGURATION:
        reply(Status.success, Uint8Array.of(this.#config?.value ?? 0).slice(0, length));
        return true;
      case Request.SET_CONFIGURATION: {
        const ok = await this.#applyConfiguration(value & 0xff);
        if (ok) this.#sendInfo();
        reply(ok ? Status.success : Status.stall);
        return true;
      }
      case Request.GET_INTERFACE:
        reply(Status.success, Uint8Array.of(0).slice(0, length));
        return true;
      case Request.SET_INTERFACE:
        reply(value === 0 ? Status.success : Status.stall);
        return true;
      default:
        return false;
    }
  }

  #dataPacket(packet: Packet): void {
    const address = num(packet, 'endpoint');
    const ep = this.#endpoint(address);
    const expected = packet.name === 'bulk_packet' ? EndpointType.bulk : EndpointType.interrupt;
    const fail = (status: number): void =>
      this.#send({
        name: packet.name,
        id: packet.id,
        fields: { ...packet.fields, status, length: 0, length_high: 0 },
      });
    if (this.#gone) return fail(Status.ioerror);
    if (ep?.type !== expected) return fail(Status.inval);
    if (address & 0x80) {
      // Interrupt IN goes through start_interrupt_receiving, never as a request.
      if (packet.name === 'interrupt_packet') return fail(Status.inval);
      const length = num(packet, 'length') | (num(packet, 'length_high') << 16);
      this.#inEndpoint(address).submit({ id: packet.id, length, cancelled: false });
      return;
    }
    this.#enqueue(async () => {
      if (this.#gone) return fail(Status.ioerror);
      try {
        const result = await this.#device.transferOut(address & 0x0f, packet.data);
        if (result.status === 'stall') this.#halted.add(address);
        const written = result.bytesWritten;
        this.#send({
          name: packet.name,
          id: packet.id,
          fields: {
            ...packet.fields,
            status: transferStatus(result.status),
            length: written & 0xffff,
            length_high: written >>> 16,
          },
        });
      } catch (error) {
        this.#failed(error, () => fail(isTimeout(error) ? Status.timeout : Status.ioerror));
      }
    });
  }

  #inEndpoint(address: number): InEndpoint {
    let endpoint = this.#inEndpoints.get(address);
    if (!endpoint) {
      endpoint = new InEndpoint({
        read: (length) => this.#read(address, length),
        answer: (request, outcome) => this.#answerIn(address, request, outcome),
        stopped: () => this.#gone || this.#closed,
      });
      this.#inEndpoints.set(address, endpoint);
    }
    return endpoint;
  }

  /** One device read; a timeout that comes back early waits out the rest of the poll time. */
  async #read(address: number, length: number): Promise<InOutcome> {
    const started = Date.now();
    try {
      // node-usb (and the virtual probes) take a per-transfer timeout as a third argument.
      const transferIn: (
        endpointNumber: number,
        length: number,
        timeoutMs?: number,
      ) => Promise<USBInTransferResult> = this.#device.transferIn.bind(this.#device);
      const result = await transferIn(address & 0x0f, length, this.#pollMs);
      if (result.status === 'stall') {
        this.#halted.add(address);
        return { kind: 'stall' };
      }
      const data = result.data
        ? new Uint8Array(result.data.buffer, result.data.byteOffset, result.data.byteLength).slice()
        : new Uint8Array(0);
      return { kind: 'data', status: result.status === 'babble' ? 'babble' : 'ok', data };
    } catch (error) {
      const left = this.#pollMs - (Date.now() - started);
      if (isTimeout(error) && left > 0) await new Promise((resolve) => setTimeout(resolve, left));
      return { kind: 'error', error };
    }
  }

  #answerIn(address: number, request: InRequest, outcome: InOutcome): void {
    let status: number;
    let data: Uint8Array = new Uint8Array(0);
    if (outcome.kind === 'data') {
      status = outcome.status === 'babble' ? Status.babble : Status.success;
      data = outcome.data;
    } else if (outcome.kind === 'stall') {
      status = Status.stall;
    } else if (outcome.error === 'cancelled') {
      status = Status.cancelled;
    } else {
      if (isDisconnected(outcome.error)) this.disconnect();
      status = Status.ioerror;
    }
    this.#send({
      name: 'bulk_packet',
      id: request.id,
      fields: {
        endpoint: address,
        status,
        length: data.length & 0xffff,
        stream_id: 0,
        length_high: data.length >>> 16,
      },
      data,
    });
  }

  #cancel(id: bigint): void {
    for (const [address, endpoint] of this.#inEndpoints) {
      const request = endpoint.cancel(id);
      if (request) {
        this.#answerIn(address, request, { kind: 'error', error: 'cancelled' });
        return;
      }
    }
    // Already answered (OUT transfers complete as they are processed): nothing to do.
  }

  #startInterruptReceiving(address: number, ep: EndpointInfo | undefined): void {
    if (this.#interruptReceivers.has(address)) return;
    const receiver = { active: true };
    this.#interruptReceivers.set(address, receiver);
    const packetSize = ep?.maxPacketSize ?? 64;
    void (async () => {
      while (receiver.active && !this.#gone && !this.#closed) {
        const outcome = await this.#read(address, packetSize);
        if (!receiver.active) return;
        if (outcome.kind === 'data') {
          this.#send({
            name: 'interrupt_packet',
            id: this.#interruptId++,
            fields: { endpoint: address, status: Status.success, length: outcome.data.length },
            data: outcome.data,
          });
        } else if (outcome.kind === 'stall' || !isTimeout(outcome.error)) {
          receiver.active = false;
          this.#interruptReceivers.delete(address);
          if (outcome.kind === 'error' && isDisconnected(outcome.error)) return this.disconnect();
          // "always report usb_redir_stall as status if the stream was stopped for any
          // reason other then an usb_redir_stop_interrupt_receiving"
          this.#send({
            name: 'interrupt_receiving_status',
            fields: { status: Status.stall, endpoint: address },
          });
        }
      }
    })();
  }

  #stopInterruptReceiving(address: number): void {
    const receiver = this.#interruptReceivers.get(address);
    if (receiver) receiver.active = false;
    this.#interruptReceivers.delete(address);
  }

  #failed(error: unknown, answer: () => void): void {
    answer();
    if (isDisconnected(error)) this.disconnect();
  }
}

function transferStatus(status: USBTransferStatus): number {
  return status === 'ok' ? Status.success : status === 'stall' ? Status.stall : Status.babble;
}

/** WebUSB reports a device that is gone as NotFoundError (and a transfer cut short as NetworkError). */
function isDisconnected(error: unknown): boolean {
  if (!(error instanceof DOMException)) return false;
  return (
    error.name === 'NetworkError' ||
    (error.name === 'NotFoundError' && /disconnected/i.test(error.message))
  );
}
