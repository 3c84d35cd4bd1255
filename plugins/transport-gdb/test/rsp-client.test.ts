import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { RspClient } from '../src/rsp-client.js';
import { latin1Text } from '../src/rsp/bytes.js';
import { encodePacket } from '../src/rsp/frame.js';
import { FakeGdbServer, recordingLog } from './helpers/fake-gdb-server.js';

test('ack mode: requests are acknowledged and replies acked back', async (t) => {
  const server = new FakeGdbServer({ offerNoAck: false });
  const client = new RspClient(server.link());
  t.true(client.ackMode);
  t.is(await client.requestText('qSupported'), 'PacketSize=1000;multiprocess+');
  t.is(await client.requestText('vMustReplyEmpty'), '');
  t.deepEqual(server.received, ['qSupported', 'vMustReplyEmpty']);
  t.is(client.stats().packetsSent, 2);
});

test('a NAKed packet is sent again', async (t) => {
  const server = new FakeGdbServer({ nakPackets: 2 });
  const client = new RspClient(server.link());
  t.is(await client.requestText('QStartNoAckMode'), 'OK');
  t.is(client.stats().retransmits, 2);
});

test('a packet NAKed too often is a protocol error', async (t) => {
  const server = new FakeGdbServer({ nakPackets: 10 });
  const client = new RspClient(server.link(), { maxRetransmits: 2 });
  const error = await t.throwsAsync(client.requestText('qSupported'), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'PROBE_PROTOCOL_ERROR');
  t.is(error?.exitCode, 4);
});

test('a corrupt reply is NAKed and the resent one is used', async (t) => {
  // The fake answers '-' by ignoring it, so corrupt replies must not be taken as answers:
  // the client NAKs, the request times out, and the server saw the NAK.
  const server = new FakeGdbServer({ corruptReplies: 1 });
  const log = recordingLog();
  const client = new RspClient(server.link(), { requestTimeoutMs: 100, log, orphanGraceMs: 10 });
  const error = await t.throwsAsync(client.requestText('qSupported'), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'PROBE_TIMEOUT');
  t.true(log.lines.some((l) => l.includes('bad checksum')));
  t.is(await client.requestText('qSupported'), 'PacketSize=1000;QStartNoAckMode+;multiprocess+');
});

test('no-ack mode: nothing is acked after the switch', async (t) => {
  const server = new FakeGdbServer();
  const client = new RspClient(server.link());
  t.is(await client.requestText('QStartNoAckMode'), 'OK');
  client.disableAcks();
  t.false(client.ackMode);
  t.is(await client.requestText('m0,1'), '00');
  t.true(server.noAck);
});

test('unsolicited stop replies and console output do not answer requests', async (t) => {
  const server = new FakeGdbServer({ greeting: ['T05thread:p01.01;', 'O68656c6c6f0a'] });
  const log = recordingLog();
  const client = new RspClient(server.link(), { log });
  t.regex(await client.requestText('qSupported'), /^PacketSize=/);
  t.deepEqual(client.lastStop, { kind: 'stopped', signal: 5, thread: 'p01.01' });
  t.true(log.lines.includes('info gdb server: hello'));
});

test('stop replies are accepted when asked for', async (t) => {
  const server = new FakeGdbServer();
  const client = new RspClient(server.link());
  t.is(await client.requestText('?', { accept: (r) => r.startsWith('T') }), 'T05thread:p01.01;');
});

test('a silent server times out with PROBE_TIMEOUT', async (t) => {
  const server = new FakeGdbServer({ silentFor: ['qSupported'] });
  const client = new RspClient(server.link(), { requestTimeoutMs: 50, orphanGraceMs: 10 });
  const error = await t.throwsAsync(client.requestText('qSupported'), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'PROBE_TIMEOUT');
  t.regex(error?.message ?? '', /no reply within 50 ms/);
});

test('a dropped packet in ack mode times out waiting for +', async (t) => {
  const server = new FakeGdbServer({ dropPayloadAbove: 8 });
  const client = new RspClient(server.link(), { ackTimeoutMs: 50, orphanGraceMs: 10 });
  const error = await t.throwsAsync(client.requestText('m8000000,100'), {
    instanceOf: FlashwrightError,
  });
  t.regex(error?.message ?? '', /acknowledgement/);
});

test('a late reply to an abandoned request is discarded, not taken as the next answer', async (t) => {
  const server = new FakeGdbServer({ silentFor: ['qC'] });
  const log = recordingLog();
  const client = new RspClient(server.link(), { requestTimeoutMs: 30, orphanGraceMs: 200, log });
  await t.throwsAsync(client.requestText('qC'));
  server.sendRaw(latin1Text(encodePacket('QCp01.01'))); // the late answer to qC
  t.is(await client.requestText('m0,2'), '0000');
  t.true(log.lines.some((l) => l.includes('late reply')));
});

test('abort rejects with the signal reason', async (t) => {
  const server = new FakeGdbServer({ silentFor: ['qC'] });
  const client = new RspClient(server.link(), { orphanGraceMs: 1 });
  const controller = new AbortController();
  const pending = client.requestText('qC', { signal: controller.signal });
  controller.abort();
  // Node 20's AbortError is a DOMException, which ava's throwsAsync does not take as an Error.
  const nameOf = (p: Promise<unknown>): Promise<string> =>
    p.then(
      () => 'resolved',
      (e: unknown) => (e as { name: string }).name,
    );
  t.is(await nameOf(pending), 'AbortError');
  t.is(await nameOf(client.requestText('?', { signal: controller.signal })), 'AbortError');
});

test('a closed connection fails pending and later requests with PROBE_DISCONNECTED', async (t) => {
  const server = new FakeGdbServer({ silentFor: ['qC'] });
  const client = new RspClient(server.link());
  const pending = client.requestText('qC');
  await new Promise((r) => setTimeout(r, 5));
  server.disconnect(new Error('ECONNRESET'));
  const error = await t.throwsAsync(pending, { instanceOf: FlashwrightError });
  t.is(error?.code, 'PROBE_DISCONNECTED');
  const later = await t.throwsAsync(client.requestText('?'), { instanceOf: FlashwrightError });
  t.is(later?.code, 'PROBE_DISCONNECTED');
  t.true(client.closed);
});

test('resume, then interrupt waits for the stop reply', async (t) => {
  const server = new FakeGdbServer();
  const client = new RspClient(server.link());
  await client.resume('c');
  t.true(client.running);
  await new Promise((r) => setTimeout(r, 5));
  t.true(server.running);
  const stop = await client.interrupt();
  t.deepEqual(stop, { kind: 'stopped', signal: 2, thread: 'p01.01' });
  t.false(client.running);
  t.false(server.running);
});

test('a target that stops by itself is noticed', async (t) => {
  const server = new FakeGdbServer();
  const client = new RspClient(server.link());
  await client.resume('c');
  server.stop(5);
  await new Promise((r) => setTimeout(r, 10));
  t.false(client.running);
  t.is(await client.interrupt(), client.lastStop, 'no Ctrl-C needed');
});

test('interrupting a target that never stops times out', async (t) => {
  const server = new FakeGdbServer();
  const client = new RspClient(server.link());
  await client.resume('c');
  server.running = false; // the fake then ignores Ctrl-C
  const error = await t.throwsAsync(client.interrupt({ timeoutMs: 30 }), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'PROBE_TIMEOUT');
  t.regex(error?.message ?? '', /interrupt/);
});
