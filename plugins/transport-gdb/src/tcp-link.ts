/**
 * The one file of this plugin that touches sockets: a ByteLink over TCP.
 */
import { Socket } from 'node:net';
import { FlashwrightError } from '@flashwright/core';
import type { ByteLink, ByteLinkHandlers } from './byte-link.js';

export interface TcpLinkOptions {
  readonly host: string;
  readonly port: number;
  /**
   * Disable Nagle's algorithm (TCP_NODELAY). RSP is a strict request/reply exchange of
   * small packets, where Nagle plus delayed ACKs can add tens of ms per packet.
   */
  readonly noDelay?: boolean | undefined;
  readonly connectTimeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

function connectError(error: NodeJS.ErrnoException, where: string): FlashwrightError {
  switch (error.code) {
    case 'ECONNREFUSED':
      return new FlashwrightError('PROBE_NOT_FOUND', `No GDB server listens at ${where}`, {
        cause: error,
        hint: 'Start the GDB server first (e.g. `openocd -f interface/stlink.cfg -f target/stm32f1x.cfg`, or `qemu-system-arm ... -S -gdb tcp::3333`), or fix probe.address in the recipe.',
      });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new FlashwrightError('PROBE_NOT_FOUND', `Host of ${where} cannot be resolved`, {
        cause: error,
        hint: 'Check the host name in probe.address (or --probe gdb:HOST:PORT).',
      });
    default:
      return new FlashwrightError(
        'PROBE_NOT_FOUND',
        `Cannot connect to the GDB server at ${where}: ${error.message}`,
        { cause: error },
      );
  }
}

/** Opens a TCP connection and resolves once it is established. */
export function openTcpLink(options: TcpLinkOptions): Promise<ByteLink> {
  const where = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  return new Promise<ByteLink>((resolve, reject) => {
    options.signal?.throwIfAborted();
    const socket = new Socket();
    const cleanup = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      cleanup();
      socket.destroy();
      reject(connectError(error, where));
    };
    const onAbort = (): void => {
      cleanup();
      socket.destroy();
      reject(options.signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      reject(
        new FlashwrightError('PROBE_TIMEOUT', `Connecting to ${where} took over ${timeoutMs} ms`, {
          hint: 'Check the address and any firewall between here and the GDB server.',
        }),
      );
    }, timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.connect({ host: options.host, port: options.port }, () => {
      cleanup();
      socket.setNoDelay(options.noDelay ?? true);
      resolve(new TcpLink(socket, where));
    });
  });
}

class TcpLink implements ByteLink {
  readonly description: string;
  readonly #socket: Socket;
  #closedError: Error | undefined;

  constructor(socket: Socket, description: string) {
    this.#socket = socket;
    this.description = description;
    // Errors before attach() must not crash the process; they surface through `closed`.
    socket.on('error', (error) => (this.#closedError = error));
  }

  attach(handlers: ByteLinkHandlers): void {
    this.#socket.on('data', (chunk: Buffer) => handlers.data(chunk));
    this.#socket.on('close', () => handlers.closed(this.#closedError));
  }

  send(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }

  close(): Promise<void> {
    if (this.#socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#socket.once('close', () => resolve());
      this.#socket.end();
      // A server that never half-closes must not keep us waiting.
      setTimeout(() => this.#socket.destroy(), 500).unref();
    });
  }
}
