import { createServer, type Server } from 'node:net';
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { gdbTransport, type GdbProbe } from '../src/index.js';
import { openTcpLink } from '../src/tcp-link.js';
import { FakeGdbServer, silentLog } from './helpers/fake-gdb-server.js';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    }),
  );
}

/** A loopback TCP server in front of a fake GDB server. */
async function tcpFake(): Promise<{ port: number; fake: FakeGdbServer; server: Server }> {
  const fake = new FakeGdbServer({ monitorCommands: ['reset halt'] });
  const server = createServer((socket) => {
    const link = fake.link();
    link.attach({ data: (bytes) => socket.write(bytes), closed: () => socket.end() });
    socket.on('data', (chunk) => link.send(chunk));
  });
  return { port: await listen(server), fake, server };
}

test('a port nobody listens on is PROBE_NOT_FOUND with advice', async (t) => {
  const server = createServer();
  const port = await listen(server);
  await new Promise((r) => server.close(r));
  const error = await t.throwsAsync(openTcpLink({ host: '127.0.0.1', port }), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'PROBE_NOT_FOUND');
  t.is(error?.exitCode, 4);
  t.regex(error?.hint ?? '', /Start the GDB server/);
});

test('an aborted connect rejects with the abort reason', async (t) => {
  const controller = new AbortController();
  controller.abort();
  const name = await openTcpLink({ host: '127.0.0.1', port: 1, signal: controller.signal }).then(
    () => 'resolved',
    (e: unknown) => (e as { name: string }).name,
  );
  t.is(name, 'AbortError');
});

test('the transport opens a GDB server over TCP and works end to end', async (t) => {
  const { port, fake, server } = await tcpFake();
  const transport = gdbTransport();
  const probe = (await transport.open({
    options: { address: `127.0.0.1:${port}` },
    recipeDir: '.',
    log: silentLog,
  })) as GdbProbe;
  await probe.connect();
  const data = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 17) & 0xff);
  await probe.memory.write(0x20000000, data);
  t.deepEqual(fake.read(0x20000000, data.length), data);
  t.deepEqual(await probe.memory.read(0x20000000, data.length), data);
  await probe.reset('hardware', { halt: true });
  t.deepEqual(fake.monitorLog, ['reset halt']);
  await probe.close();
  t.true(fake.detached);
  await new Promise((r) => server.close(r));
});

test('a server that goes away mid-session gives PROBE_DISCONNECTED', async (t) => {
  const { port, fake, server } = await tcpFake();
  const probe = (await gdbTransport().open({
    options: { address: `127.0.0.1:${port}`, noDelay: false },
    recipeDir: '.',
    log: silentLog,
  })) as GdbProbe;
  await probe.connect();
  fake.disconnect();
  await new Promise((r) => setTimeout(r, 50));
  const error = await t.throwsAsync(probe.memory.read(0, 4), { instanceOf: FlashwrightError });
  t.is(error?.code, 'PROBE_DISCONNECTED');
  await probe.close();
  await new Promise((r) => server.close(r));
});
