/**
 * `flashwright sim --usbredir HOST:PORT -c RECIPE` serves the recipe's virtual probe as a
 * USB device over usbredir: a scripted usb-guest (what QEMU's usb-redir device is) connects,
 * sees the probe's descriptors, sends an ST-Link command and reads its reply; a disconnect
 * fault unplugs the device; the state is saved when the command stops.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import {
  UsbredirCodec,
  capabilityWords,
  usbredirNum as num,
  type UsbredirPacket,
} from '@flashwright/sim';
import { runCli } from './helpers/cli.js';
import { freePort, startSim } from './helpers/peer.js';

const GUEST_CAPS = capabilityWords([
  'connect_device_version',
  'ep_info_max_packet_size',
  '64bits_ids',
  '32bits_bulk_length',
]);

function recipe(dir: string, options: string): string {
  const file = join(dir, 'flashwright.config.yaml');
  writeFileSync(
    file,
    `probe:\n  transport: virtual\n  options:\n${options}\ntarget:\n  family: stm32\n`,
  );
  return file;
}

/** A scripted usb-guest. */
async function guest(port: number): Promise<{
  socket: Socket;
  send: (init: Parameters<UsbredirCodec['encode']>[0]) => void;
  next: (name: string) => Promise<UsbredirPacket>;
}> {
  const codec = new UsbredirCodec(GUEST_CAPS);
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const received: UsbredirPacket[] = [];
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    received.push(...codec.push(new Uint8Array(chunk)));
    for (const wake of waiters.splice(0)) wake();
  });
  socket.write(
    codec.encode({ name: 'hello', fields: { version: 'e2e guest', capabilities: GUEST_CAPS } }),
  );
  return {
    socket,
    send: (init) => socket.write(codec.encode(init)),
    next: async (name) => {
      for (;;) {
        const index = received.findIndex((p) => p.name === name);
        if (index >= 0) return received.splice(index, 1)[0]!;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

test('flashwright sim --usbredir serves the probe as a USB device; a disconnect fault unplugs it; the state is kept', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-usbredir-cli-'));
  const state = join(dir, 'board.json');
  const file = recipe(
    dir,
    `    probe: stlink-v2-1\n    device: STM32F103RB\n    state: ${state}\n    serialNumber: FWE2E0001\n    faults: [{ kind: disconnect, atTransfer: 5 }]`,
  );
  const port = await freePort();
  const sim = await startSim(['--usbredir', `127.0.0.1:${port}`, '-c', file], dir);
  try {
    const g = await guest(port);
    const connected = await g.next('device_connect');
    t.deepEqual([num(connected, 'vendor_id'), num(connected, 'product_id')], [0x0483, 0x374b]);
    g.send({
      name: 'control_packet',
      id: 1,
      fields: {
        endpoint: 0x80,
        request: 6,
        requesttype: 0x80,
        value: 0x0303,
        index: 0x0409,
        length: 255,
      },
    });
    const serial = await g.next('control_packet');
    t.is(Buffer.from(serial.data.subarray(2)).toString('utf16le'), 'FWE2E0001');
    const getVersion = new Uint8Array(16);
    getVersion[0] = 0xf1;
    g.send({
      name: 'bulk_packet',
      id: 2,
      fields: { endpoint: 0x01, length: 16 },
      data: getVersion,
    });
    t.is(num(await g.next('bulk_packet'), 'status'), 0);
    g.send({ name: 'bulk_packet', id: 3, fields: { endpoint: 0x81, length: 6 } });
    const reply = await g.next('bulk_packet');
    t.deepEqual([...reply.data.subarray(2)], [0x83, 0x04, 0x4b, 0x37]);
    // Transfers 3 and 4 pass; the 5th finds the probe gone.
    g.send({
      name: 'bulk_packet',
      id: 4,
      fields: { endpoint: 0x01, length: 16 },
      data: getVersion,
    });
    g.send({ name: 'bulk_packet', id: 5, fields: { endpoint: 0x81, length: 6 } });
    g.send({
      name: 'bulk_packet',
      id: 6,
      fields: { endpoint: 0x01, length: 16 },
      data: getVersion,
    });
    await g.next('device_disconnect');
    g.socket.destroy();
  } finally {
    t.is(await sim.stop('SIGTERM'), 0);
  }
  t.true(existsSync(state), 'the state is saved when the command stops');
});

test('flashwright sim takes one server at a time and a HOST:PORT for --usbredir', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-usbredir-cli-'));
  const file = recipe(dir, '    probe: stlink-v2\n    device: STM32F103RB');
  const both = await runCli(
    ['sim', '--usbredir', '127.0.0.1:7300', '--stlink-server', '127.0.0.1:7301', '-c', file],
    {
      cwd: dir,
    },
  );
  t.is(both.code, 2);
  t.regex(both.stderr + both.stdout, /one way at a time/);
  const bad = await runCli(['sim', '--usbredir', 'localhost:0', '-c', file], { cwd: dir });
  t.is(bad.code, 2);
  t.regex(bad.stderr + bad.stdout, /--usbredir expects HOST:PORT[\s\S]*-chardev socket/);
});

/** DAP_Info (0x00) of the CMSIS-DAP protocol version (ID 0x04), CMSIS-DAP specification. */
const DAP_INFO_VERSION = Uint8Array.of(0x00, 0x04);

test('flashwright sim --usbredir serves a virtual CMSIS-DAP v2 (bulk) and v1 (HID, interrupt packets)', async (t) => {
  for (const kind of ['cmsis-dap-v2', 'cmsis-dap-v1'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'fw-usbredir-cli-'));
    const file = recipe(dir, `    probe: ${kind}\n    device: STM32F103RB`);
    const port = await freePort();
    const sim = await startSim(['--usbredir', `127.0.0.1:${port}`, '-c', file], dir);
    try {
      const g = await guest(port);
      const connected = await g.next('device_connect');
      let reply: UsbredirPacket;
      if (kind === 'cmsis-dap-v2') {
        t.deepEqual([num(connected, 'vendor_id'), num(connected, 'product_id')], [0x1fc9, 0x0143]);
        g.send({
          name: 'bulk_packet',
          id: 1,
          fields: { endpoint: 0x01, length: 2 },
          data: DAP_INFO_VERSION,
        });
        t.is(num(await g.next('bulk_packet'), 'status'), 0);
        g.send({ name: 'bulk_packet', id: 2, fields: { endpoint: 0x82, length: 512 } });
        reply = await g.next('bulk_packet');
        t.is(reply.data.length, 8, 'a v2 response has its own length');
      } else {
        t.deepEqual([num(connected, 'vendor_id'), num(connected, 'product_id')], [0x0d28, 0x0204]);
        g.send({ name: 'start_interrupt_receiving', id: 1, fields: { endpoint: 0x84 } });
        t.is(num(await g.next('interrupt_receiving_status'), 'status'), 0);
        const report = new Uint8Array(64);
        report.set(DAP_INFO_VERSION);
        g.send({
          name: 'interrupt_packet',
          id: 2,
          fields: { endpoint: 0x04, length: 64 },
          data: report,
        });
        const written = await g.next('interrupt_packet');
        t.deepEqual([num(written, 'endpoint'), num(written, 'status')], [0x04, 0]);
        reply = await g.next('interrupt_packet');
        t.is(num(reply, 'endpoint'), 0x84);
        t.is(reply.data.length, 64, 'a v1 response fills its 64-byte report');
      }
      t.deepEqual([...reply.data.subarray(0, 2)], [0x00, 6]);
      t.is(Buffer.from(reply.data.subarray(2, 7)).toString('latin1'), '2.1.0');
      g.socket.destroy();
    } finally {
      t.is(await sim.stop('SIGTERM'), 0);
    }
  }
});
