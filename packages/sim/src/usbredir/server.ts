import { createServer, type AddressInfo, type Socket } from 'node:net';
import { UsbredirDeviceConnection, type UsbredirDeviceOptions } from './device-server.js';

export interface UsbredirServerOptions extends UsbredirDeviceOptions {
  /** Loopback unless told otherwise. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
}

export interface UsbredirServer {
  readonly host: string;
  readonly port: number;
  /** Unplugs the device: the connected usb-guest gets device_disconnect, later ones nothing. */
  disconnect(): void;
  /** Stops listening and drops the connection (the usb-guest sees the device go). */
  close(): Promise<void>;
}

/**
 * Serves one USB device over usbredir as a TCP server: QEMU connects to it with a client
 * chardev (`-chardev socket,id=ID,host=HOST,port=PORT,reconnect=1 -device
 * usb-redir,chardev=ID`). A device sits on one bus at a time, so one usb-guest is served
 * at once; a second connection waits until the first has closed.
 */
export async function startUsbredirServer(options: UsbredirServerOptions): Promise<UsbredirServer> {
  const log = options.log ?? (() => {});
  let current: UsbredirDeviceConnection | undefined;
  let unplugged = false;
  const waiting: Socket[] = [];
  const sockets = new Set<Socket>();

  const serve = (socket: Socket): void => {
    socket.setNoDelay(true);
    log(`usb-guest connected from ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`);
    const connection = new UsbredirDeviceConnection(socket, options);
    current = connection;
    if (unplugged) connection.disconnect();
    void connection.closed.then(() => {
      log('usb-guest disconnected');
      if (current === connection) current = undefined;
      const next = waiting.shift();
      if (next && !next.destroyed) serve(next);
    });
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (current) waiting.push(socket);
    else serve(socket);
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
    disconnect: () => {
      unplugged = true;
      current?.disconnect();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await current?.closed;
    },
  };
}
