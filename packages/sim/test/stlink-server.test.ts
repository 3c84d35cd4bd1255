import { connect, type Socket } from 'node:net';
import test from 'ava';
import { createVirtualSession } from '../src/session.js';
import { requestLength, startStlinkServer, TcpStatus } from '../src/stlink-server.js';
import { createTestChip } from './helpers/test-chip.js';

/** A minimal stlink-server client: sends a request and reads a reply of known length. */
async function client(port: number): Promise<{
  ask: (request: number[] | Uint8Array, replyBytes: number) => Promise<Uint8Array>;
  socket: Socket;
}> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  let buffer = Buffer.alloc(0);
  let waiting: { bytes: number; resolve: (b: Uint8Array) => void } | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (waiting && buffer.length >= waiting.bytes) {
      const reply = buffer.subarray(0, waiting.bytes);
      buffer = buffer.subarray(waiting.bytes);
      const w = waiting;
      waiting = undefined;
      w.resolve(new Uint8Array(reply));
    }
  });
  const ask = (request: number[] | Uint8Array, replyBytes: number): Promise<Uint8Array> =>
    new Promise((resolve) => {
      waiting = { bytes: replyBytes, resolve };
      socket.write(Uint8Array.from(request));
    });
  return { ask, socket };
}

const u32 = (b: Uint8Array, offset: number): number =>
  new DataView(b.buffer, b.byteOffset).getUint32(offset, true);
const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

function usbCommand(
  connectId: number,
  cmd: number[],
  direction: number,
  size: number,
  data: number[] = [],
): number[] {
  const block = new Array<number>(16).fill(0);
  cmd.forEach((b, i) => (block[i] = b));
  return [0x05, 0, 0, 0, ...le32(connectId), ...block, direction, 0, 0, 0, ...le32(size), ...data];
}

test('request lengths follow the OpenOCD framing', (t) => {
  t.is(requestLength(Uint8Array.of(0x01)), 1);
  t.is(requestLength(Uint8Array.of(0x00, 0)), 2);
  t.is(requestLength(Uint8Array.of(0x06)), 4);
  t.is(requestLength(Uint8Array.of(0x03)), 8);
  t.is(requestLength(Uint8Array.of(0x05, 0, 0)), undefined, 'SEND_USB_CMD needs its header first');
  t.is(requestLength(Uint8Array.from(usbCommand(1, [0xf2, 0x08], 0, 12))), 44);
  t.is(requestLength(Uint8Array.from(usbCommand(1, [0xf1], 1, 6))), 32);
  t.is(requestLength(new Uint8Array(0)), undefined);
});

test('version, device list, open, USB command, close: byte for byte', async (t) => {
  const session = createVirtualSession({ probe: 'stlink-v2-1' }, () => createTestChip());
  const server = await startStlinkServer({ session, port: 0 });
  const { ask, socket } = await client(server.port);
  try {
    const version = await ask([0x06, 1, 0, 0], 16);
    t.deepEqual([u32(version, 0), u32(version, 4), u32(version, 8)], [2, 2, 1]);
    t.is(u32(await ask([0x00, 0], 4), 0), TcpStatus.OK);
    t.is(u32(await ask([0x01], 4), 0), 1);
    const info = await ask([0x02, 0, 0, 0, ...le32(41)], 45);
    t.is(u32(info, 0), TcpStatus.OK);
    const deviceId = u32(info, 4);
    t.is(
      Buffer.from(info.subarray(8, 40)).toString('latin1').replace(/\0+$/, ''),
      '066DFF485550755187121723',
    );
    t.deepEqual([info[40], info[41], info[42], info[43], info[44]], [0x83, 0x04, 0x4b, 0x37, 0]);
    const opened = await ask([0x03, 0, 0, 0, ...le32(deviceId)], 8);
    t.is(u32(opened, 0), TcpStatus.OK);
    const connectId = u32(opened, 4);
    const v = await ask(usbCommand(connectId, [0xf1], 1, 6), 10);
    t.is(u32(v, 0), TcpStatus.OK);
    t.deepEqual([...v.subarray(4)], [0x2a, 0x1b, 0x83, 0x04, 0x4b, 0x37]);
    t.is(u32(await ask(usbCommand(connectId, [0xf2, 0x30, 0xa3], 1, 2), 6), 0), TcpStatus.OK);
    const write = await ask(
      usbCommand(connectId, [0xf2, 0x08, 0, 0, 0, 0x20, 8, 0], 0, 8, [1, 2, 3, 4, 5, 6, 7, 8]),
      4,
    );
    t.is(u32(write, 0), TcpStatus.OK);
    const read = await ask(usbCommand(connectId, [0xf2, 0x07, 0, 0, 0, 0x20, 8, 0], 1, 8), 12);
    t.deepEqual([...read.subarray(4)], [1, 2, 3, 4, 5, 6, 7, 8]);
    const wrongId = await ask(usbCommand(connectId + 1, [0xf1], 1, 6), 10);
    t.is(u32(wrongId, 0), TcpStatus.BAD_PARAMETER);
    const noReply = await ask(usbCommand(connectId, [0xfb], 1, 12), 16);
    t.is(u32(noReply, 0), TcpStatus.TIMEOUT, 'V2-1 does not answer GET_VERSION_EX');
    t.is(u32(await ask([0x04, 0, 0, 0, ...le32(connectId)], 4), 0), TcpStatus.OK);
    t.false(session.device.opened);
    t.is(u32(await ask([0x07, 0, 0, 0, 0, 0, 0, 0], 4), 0), TcpStatus.CMD_NOT_AVAILABLE);
  } finally {
    socket.destroy();
    await server.close();
  }
});

test('a clone serial is reported hex-encoded; a second client sees the probe in use', async (t) => {
  const session = createVirtualSession({ probe: 'stlink-v2', clone: true }, () => createTestChip());
  const server = await startStlinkServer({ session, port: 0 });
  const first = await client(server.port);
  const second = await client(server.port);
  try {
    const info = await first.ask([0x02, 0, 0, 0, ...le32(41)], 45);
    t.is(Buffer.from(info.subarray(8, 32)).toString('latin1'), '55FF6D066684564928211687');
    await first.ask([0x03, 0, 0, 0, ...le32(u32(info, 4))], 8);
    const seen = await second.ask([0x02, 0, 0, 0, ...le32(41)], 45);
    t.is(seen[44], 1, 'used by another client');
    const refused = await second.ask([0x03, 0, 0, 0, ...le32(u32(info, 4))], 8);
    t.is(u32(refused, 0), TcpStatus.OPEN_ERR);
  } finally {
    first.socket.destroy();
    second.socket.destroy();
    await server.close();
  }
});
