/**
 * Byte layouts of the CMSIS-DAP general, SWJ and SWD commands as the CMSIS-DAP
 * specification gives them (ARM CMSIS-DAP "Commands" reference; IDs as in DAP.h).
 */
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import {
  connect,
  disconnect,
  hostStatus,
  resetTarget,
  swdConfigure,
  swjClock,
  swjPins,
  swjSequence,
  transferConfigure,
} from '../src/protocol/general.js';
import { bytesOf, list, report } from './helpers/bytes.js';

test('DAP_HostStatus is [01 Type Status] and answers [01 00]', (t) => {
  t.deepEqual(list(hostStatus('connected', true).request), [0x01, 0x00, 0x01]);
  t.deepEqual(list(hostStatus('running', false).request), [0x01, 0x01, 0x00]);
  t.notThrows(() => hostStatus('connected', true).decode(bytesOf('01 00')));
});

test('DAP_Connect is [02 Port]: 1 = SWD; the answer is the port selected, 0 = failed', (t) => {
  const command = connect('swd');
  t.deepEqual(list(command.request), [0x02, 0x01]);
  t.is(command.decode(bytesOf('02 01')), 1);
  t.deepEqual(list(connect('default').request), [0x02, 0x00]);
  const error = t.throws(() => command.decode(bytesOf('02 00')), { instanceOf: FlashwrightError });
  t.is(error?.code, 'PROBE_PROTOCOL_ERROR');
  t.regex(error?.hint ?? '', /SWD/);
});

test('DAP_Disconnect is [03] and answers [03 Status]; DAP_ERROR (FF) is refused', (t) => {
  t.deepEqual(list(disconnect().request), [0x03]);
  t.notThrows(() => disconnect().decode(bytesOf('03 00')));
  const error = t.throws(() => disconnect().decode(bytesOf('03 FF')), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.exitCode, 4);
});

test('DAP_TransferConfigure is [04 IdleCycles WaitRetry:u16 MatchRetry:u16], little-endian', (t) => {
  const command = transferConfigure({ idleCycles: 2, waitRetry: 0x0150, matchRetry: 0x0a03 });
  t.deepEqual(list(command.request), [0x04, 0x02, 0x50, 0x01, 0x03, 0x0a]);
  t.notThrows(() => command.decode(bytesOf('04 00')));
  t.throws(() => transferConfigure({ idleCycles: 256, waitRetry: 0, matchRetry: 0 }), {
    instanceOf: RangeError,
  });
});

test('DAP_ResetTarget is [0A] and answers [0A Status Execute]', (t) => {
  t.deepEqual(list(resetTarget().request), [0x0a]);
  t.deepEqual(resetTarget().decode(bytesOf('0A 00 01')), { executed: true });
  t.deepEqual(resetTarget().decode(bytesOf('0A 00 00')), { executed: false });
});

test('DAP_SWJ_Pins is [10 Output Select Wait:u32] and answers [10 Input]', (t) => {
  // Drive nRESET (bit 7) low, wait up to 0x01020304 µs.
  const command = swjPins(0x00, 0x80, 0x01020304);
  t.deepEqual(list(command.request), [0x10, 0x00, 0x80, 0x04, 0x03, 0x02, 0x01]);
  t.is(command.decode(bytesOf('10 83')), 0x83);
});

test('DAP_SWJ_Clock is [11 Clock:u32 Hz]', (t) => {
  t.deepEqual(list(swjClock(4_000_000).request), [0x11, 0x00, 0x09, 0x3d, 0x00]);
  t.notThrows(() => swjClock(1).decode(bytesOf('11 00')));
  t.throws(() => swjClock(0), { instanceOf: RangeError });
});

test('DAP_SWJ_Sequence is [12 Count Data...]: 256 bits are sent as count 0', (t) => {
  // The JTAG-to-SWD select sequence 0xE79E, 16 bits, least significant bit first.
  const command = swjSequence(16, Uint8Array.of(0x9e, 0xe7));
  t.deepEqual(list(command.request), [0x12, 0x10, 0x9e, 0xe7]);
  const long = swjSequence(256, new Uint8Array(32).fill(0xff));
  t.is(long.request[1], 0);
  t.is(long.request.length, 34);
  // 51 bits take 7 bytes.
  t.is(swjSequence(51, new Uint8Array(7).fill(0xff)).request.length, 9);
  t.throws(() => swjSequence(9, Uint8Array.of(0xff)), { instanceOf: RangeError });
});

test('DAP_SWD_Configure is [13 Configuration]: turnaround - 1 in bits 1..0, data phase in bit 2', (t) => {
  t.deepEqual(list(swdConfigure().request), [0x13, 0x00]);
  t.deepEqual(list(swdConfigure(4, true).request), [0x13, 0x07]);
});

test('responses padded to a 64-byte HID report decode the same', (t) => {
  t.is(connect('swd').decode(report('02 01')), 1);
  t.deepEqual(resetTarget().decode(report('0A 00 00')), { executed: false });
});

test('a probe that does not implement a command answers FF: the error says so', (t) => {
  const error = t.throws(() => swdConfigure().decode(bytesOf('FF')), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'PROBE_PROTOCOL_ERROR');
  t.regex(error?.message ?? '', /does not implement DAP_SWD_Configure/);
  t.regex(error?.hint ?? '', /firmware/);
});

test('a response to another command is a protocol error', (t) => {
  const error = t.throws(() => connect('swd').decode(bytesOf('03 00')), {
    instanceOf: FlashwrightError,
  });
  t.regex(error?.message ?? '', /DAP_Connect \(0x02\) with a response to 0x03/);
});
