/**
 * DAP_Transfer (0x05) and DAP_TransferBlock (0x06) byte by byte (CMSIS-DAP specification,
 * "Transfer Commands"): request bits APnDP, RnW, A2, A3; response ACK 1 OK, 2 WAIT,
 * 4 FAULT, 7 no ACK, bit 3 protocol error, bit 4 value mismatch.
 */
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { requestByte, transfer, transferBlock } from '../src/protocol/transfer.js';
import { bytesOf, list, report } from './helpers/bytes.js';

test('request bytes: APnDP bit 0, RnW bit 1, A[3:2] in bits 3..2', (t) => {
  t.is(requestByte('dp', 0x0, true), 0x02); // DPIDR read
  t.is(requestByte('dp', 0x8, false), 0x08); // SELECT write
  t.is(requestByte('ap', 0xc, true), 0x0f); // DRW read
  t.is(requestByte('ap', 0x4, false), 0x05); // TAR write
  t.throws(() => requestByte('ap', 0x10, true), { instanceOf: RangeError });
});

test('DAP_Transfer: [05 Index Count (Req [Data])...], writes carry a little-endian u32', (t) => {
  const command = transfer([
    { port: 'ap', register: 0x4, value: 0x20000000 },
    { port: 'ap', register: 0xc },
    { port: 'dp', register: 0x0 },
  ]);
  t.deepEqual(list(command.request), [0x05, 0x00, 0x03, 0x05, 0x00, 0x00, 0x00, 0x20, 0x0f, 0x02]);
});

test('DAP_Transfer: [05 Count Response Data...] gives the reads in order', (t) => {
  const command = transfer([
    { port: 'ap', register: 0x4, value: 0x20000000 },
    { port: 'ap', register: 0xc },
    { port: 'dp', register: 0x0 },
  ]);
  const result = command.decode(bytesOf('05 03 01 78 56 34 12 77 14 A0 2B'));
  t.is(result.completed, 3);
  t.is(result.ack, 'ok');
  t.deepEqual(result.reads, [0x12345678, 0x2ba01477]);
});

test('DAP_Transfer inside a padded HID report reads only the words the transfers announce', (t) => {
  const command = transfer([{ port: 'dp', register: 0x0 }]);
  t.deepEqual(command.decode(report('05 01 01 77 14 A0 2B')).reads, [0x2ba01477]);
});

test('DAP_Transfer WAIT after the first transfer: completed 1, ack wait, no reads', (t) => {
  const command = transfer([
    { port: 'dp', register: 0x8, value: 0 },
    { port: 'ap', register: 0xc, value: 1 },
  ]);
  const result = command.decode(bytesOf('05 01 02'));
  t.deepEqual({ completed: result.completed, ack: result.ack }, { completed: 1, ack: 'wait' });
  t.deepEqual(result.reads, []);
});

test('DAP_Transfer FAULT, no-ACK and protocol error decode as such', (t) => {
  const command = transfer([{ port: 'dp', register: 0x0 }]);
  t.is(command.decode(bytesOf('05 00 04')).ack, 'fault');
  t.is(command.decode(bytesOf('05 00 07')).ack, 'no-ack');
  t.is(command.decode(bytesOf('05 00 09')).ack, 'protocol-error');
});

test('DAP_Transfer: a failed batch whose last counted transfer is a posted AP read does not count it', (t) => {
  // Two AP reads: the first is posted (counted), the second fails with FAULT, so the first
  // one's data never came.
  const command = transfer([
    { port: 'ap', register: 0xc },
    { port: 'ap', register: 0xc },
  ]);
  const result = command.decode(bytesOf('05 01 04'));
  t.is(result.completed, 0);
  t.deepEqual(result.reads, []);
});

test('DAP_Transfer: a count covering the batch with a failed ACK means the final RDBUFF check failed', (t) => {
  const command = transfer([
    { port: 'ap', register: 0x4, value: 0 },
    { port: 'ap', register: 0xc, value: 5 },
  ]);
  const result = command.decode(bytesOf('05 02 04'));
  t.is(result.completed, 1);
  t.is(result.ack, 'fault');
});

test('DAP_Transfer: a count beyond the batch, or OK short of it, is a protocol error', (t) => {
  const command = transfer([{ port: 'dp', register: 0x0 }]);
  t.throws(() => command.decode(bytesOf('05 02 01 00 00 00 00')), { instanceOf: FlashwrightError });
  t.throws(() => command.decode(bytesOf('05 00 01')), { instanceOf: FlashwrightError });
  t.throws(() => transfer([]), { instanceOf: RangeError });
});

test('DAP_TransferBlock read: [06 Index Count:u16 Req] → [06 Count:u16 Response Data...]', (t) => {
  const command = transferBlock('ap', 0xc, { read: 2 });
  t.deepEqual(list(command.request), [0x06, 0x00, 0x02, 0x00, 0x0f]);
  const result = command.decode(bytesOf('06 02 00 01 01 00 00 00 02 00 00 00'));
  t.deepEqual(result.reads, [1, 2]);
  t.is(result.completed, 2);
});

test('DAP_TransferBlock write: the words follow the request byte', (t) => {
  const command = transferBlock('ap', 0xc, { write: Uint32Array.of(0x11223344, 0xaabbccdd) });
  t.deepEqual(
    list(command.request),
    [0x06, 0x00, 0x02, 0x00, 0x0d, 0x44, 0x33, 0x22, 0x11, 0xdd, 0xcc, 0xbb, 0xaa],
  );
  t.is(command.decode(bytesOf('06 02 00 01')).completed, 2);
});

test('DAP_TransferBlock write whose last-write check faults leaves the last word unconfirmed', (t) => {
  const command = transferBlock('ap', 0xc, { write: Uint32Array.of(1, 2, 3) });
  const result = command.decode(bytesOf('06 03 00 04'));
  t.is(result.completed, 2);
  t.is(result.ack, 'fault');
  t.is(command.decode(bytesOf('06 01 00 02')).completed, 1);
});

test('DAP_TransferBlock read that WAITs after one word returns that word', (t) => {
  const command = transferBlock('ap', 0xc, { read: 3 });
  const result = command.decode(bytesOf('06 01 00 02 EF BE AD DE'));
  t.deepEqual(result.reads, [0xdeadbeef]);
  t.is(result.ack, 'wait');
});
