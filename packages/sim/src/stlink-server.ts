import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { VirtualSession } from './session.js';

/**
 * A TCP endpoint that speaks the protocol of ST's stlink-server, so that tools with an
 * "stlink-server" backend (OpenOCD: `st-link backend tcp PORT`) can drive the virtual
 * ST-Link. Framing facts from OpenOCD src/jtag/drivers/stlink_usb.c (stlink_tcp_*):
 * requests start with a command byte; SEND_USB_CMD is 32 bytes (the 16-byte ST-Link command
 * at [8..23], direction at [24], transfer size at [28..31]) plus the data of a write; every
 * answer but two starts with a u32 status, 1 = OK.
 */
export const TcpCommand = {
  REFRESH_DEVICE_LIST: 0x00,
  GET_NB_DEV: 0x01,
  GET_DEV_INFO: 0x02,
  OPEN_DEV: 0x03,
  CLOSE_DEV: 0x04,
  SEND_USB_CMD: 0x05,
  GET_SERVER_VERSION: 0x06,
  GET_NB_OF_DEV_CLIENTS: 0x07,
} as const;

export const TcpStatus = {
  OK: 0x00000001,
  TIMEOUT: 0x00001001,
  BAD_PARAMETER: 0x00001002,
  OPEN_ERR: 0x00001003,
  CMD_NOT_AVAILABLE: 0x00001053,
} as const;

/** SEND_USB_CMD directions. */
const Direction = { WRITE: 0, READ: 1, READ_SWO: 3 } as const;

/** API version 2: OpenOCD limits memory transfers to 1 KB for API 1 servers. */
const SERVER_VERSION = { api: 2, major: 2, minor: 1, build: 0 } as const;
const DEVICE_ID = 1;
const SERIAL_FIELD_BYTES = 32;
/** How long a read waits for a reply the command did not produce. */
const READ_TIMEOUT_MS = 200;

export interface StlinkServerOptions {
  readonly session: VirtualSession;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly log?: (line: string) => void;
}

export interface StlinkServer {
  readonly host: string;
  readonly port: number;
  /** Stops listening, drops clients and closes the session (which saves its state). */
  close(): Promise<void>;
}

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value >>> 0, true);
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Length of the request starting at `buffer[0]`, or undefined until enough bytes are in. */
export function requestLength(buffer: Uint8Array): number | undefined {
  const command = buffer[0];
  switch (command) {
    case undefined:
      return undefined;
    case TcpCommand.GET_NB_DEV:
      return 1;
    case TcpCommand.REFRESH_DEVICE_LIST:
      return 2;
    case TcpCommand.GET_SERVER_VERSION:
      return 4;
    case TcpCommand.SEND_USB_CMD: {
      if (buffer.length < 32) return undefined;
      const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      return 32 + (buffer[24] === Direction.WRITE ? view.getUint32(28, true) : 0);
    }
    default:
      return 8;
  }
}

/** The serial as stlink-server reports it: a binary (clone) serial is hex-encoded. */
function serialField(serial: string): Uint8Array {
  const printable = [...serial].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) < 0x7f);
  const text = printable
    ? serial
    : Buffer.from([...serial].map((c) => c.charCodeAt(0) & 0xff))
        .toString('hex')
        .toUpperCase();
  const field = new Uint8Array(SERIAL_FIELD_BYTES);
  field.set(Buffer.from(text, 'latin1').subarray(0, SERIAL_FIELD_BYTES));
  return field;
}

class Connection {
  #buffer: Uint8Array = new Uint8Array(0);
  #queue: Promise<void> = Promise.resolve();
  #connectId = 0;

  constructor(
    readonly socket: Socket,
    readonly server: ServerState,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('close', () => {
      this.#queue = this.#queue.then(() => this.#release());
    });
    socket.on('error', (error) => server.log(`client error: ${error.message}`));
  }

  #receive(chunk: Uint8Array): void {
    this.#buffer = concat(this.#buffer, chunk);
    for (;;) {
      const length = requestLength(this.#buffer);
      if (length === undefined || this.#buffer.length < length) return;
      const request = this.#buffer.slice(0, length);
      this.#buffer = this.#buffer.slice(length);
      this.#queue = this.#queue
        .then(() => this.#handle(request))
        .then((reply) => {
          if (!this.socket.destroyed) this.socket.write(reply);
        })
        .catch((error: unknown) => {
          this.server.log(
            `request failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          this.socket.destroy();
        });
    }
  }

  async #release(): Promise<void> {
    if (this.#connectId !== 0 && this.server.owner === this) {
      this.server.owner = undefined;
      await this.server.session.device.close();
      this.server.session.save();
    }
    this.#connectId = 0;
  }

  async #handle(request: Uint8Array): Promise<Uint8Array> {
    const view = new DataView(request.buffer, request.byteOffset, request.byteLength);
    const device = this.server.session.device;
    switch (request[0]) {
      case TcpCommand.GET_SERVER_VERSION:
        return concat(
          u32(SERVER_VERSION.api),
          u32(SERVER_VERSION.major),
          u32(SERVER_VERSION.minor),
          u32(SERVER_VERSION.build),
        );
      case TcpCommand.REFRESH_DEVICE_LIST:
        return u32(TcpStatus.OK);
      case TcpCommand.GET_NB_DEV:
        return u32(1);
      case TcpCommand.GET_DEV_INFO: {
        if (request[1] !== 0) return concat(u32(TcpStatus.BAD_PARAMETER), new Uint8Array(41));
        const info = new Uint8Array(41);
        info.set(u32(DEVICE_ID), 0);
        info.set(serialField(device.serialNumber), 4);
        new DataView(info.buffer).setUint16(36, device.vendorId, true);
        new DataView(info.buffer).setUint16(38, device.productId, true);
        info[40] = this.server.owner && this.server.owner !== this ? 1 : 0;
        return concat(u32(TcpStatus.OK), info);
      }
      case TcpCommand.OPEN_DEV: {
        if (
          view.getUint32(4, true) !== DEVICE_ID ||
          (this.server.owner && this.server.owner !== this)
        ) {
          return concat(u32(TcpStatus.OPEN_ERR), u32(0));
        }
        await device.open();
        await device.claimInterface(0);
        this.server.owner = this;
        this.#connectId = this.server.nextConnectId++;
        return concat(u32(TcpStatus.OK), u32(this.#connectId));
      }
      case TcpCommand.CLOSE_DEV:
        if (view.getUint32(4, true) !== this.#connectId) return u32(TcpStatus.BAD_PARAMETER);
        await this.#release();
        return u32(TcpStatus.OK);
      case TcpCommand.SEND_USB_CMD:
        return this.#usbCommand(request, view);
      default:
        return u32(TcpStatus.CMD_NOT_AVAILABLE);
    }
  }

  async #usbCommand(request: Uint8Array, view: DataView): Promise<Uint8Array> {
    const direction = request[24];
    const size = view.getUint32(28, true);
    const readSize = direction === Direction.WRITE ? 0 : size;
    if (view.getUint32(4, true) !== this.#connectId || this.#connectId === 0) {
      return concat(u32(TcpStatus.BAD_PARAMETER), new Uint8Array(readSize));
    }
    const device = this.server.session.device;
    if (direction === Direction.READ_SWO) {
      // The simulator models no ITM or TPIU: there is never SWO data.
      return concat(u32(TcpStatus.OK), new Uint8Array(size));
    }
    const out = device.variant.debugOut & 0x0f;
    // Each request carries one command and reads its reply: stale IN data is dropped.
    device.discardQueuedIn();
    await device.transferOut(out, request.slice(8, 24));
    if (direction === Direction.WRITE) {
      if (size > 0) await device.transferOut(out, request.slice(32, 32 + size));
      return u32(TcpStatus.OK);
    }
    if (size === 0) return u32(TcpStatus.OK);
    try {
      const result = await device.transferIn(1, size, READ_TIMEOUT_MS);
      const data = new Uint8Array(size);
      if (result.data)
        data.set(
          new Uint8Array(result.data.buffer, result.data.byteOffset, result.data.byteLength),
        );
      return concat(u32(TcpStatus.OK), data);
    } catch {
      return concat(u32(TcpStatus.TIMEOUT), new Uint8Array(size));
    }
  }
}

interface ServerState {
  readonly session: VirtualSession;
  owner: Connection | undefined;
  nextConnectId: number;
  log(line: string): void;
}

/** Starts serving the session's virtual ST-Link over TCP. */
export async function startStlinkServer(options: StlinkServerOptions): Promise<StlinkServer> {
  const state: ServerState = {
    session: options.session,
    owner: undefined,
    nextConnectId: 0x1000,
    log: options.log ?? (() => {}),
  };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    state.log(`client connected from ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`);
    new Connection(socket, state);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await options.session.close();
    },
  };
}
