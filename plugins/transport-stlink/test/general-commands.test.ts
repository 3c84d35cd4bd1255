import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import {
  dfuExit,
  getCurrentMode,
  getTargetVoltage,
  getVersion,
  getVersionEx,
  swimExit,
} from '../src/protocol/general-commands.js';
import { blockOf, bytesOf, list } from './helpers/bytes.js';

test('GET_VERSION is [F1] and decodes the big-endian word, VID and PID (OpenOCD stlink_usb_version)', (t) => {
  const command = getVersion();
  t.deepEqual(list(command.block), blockOf('F1'));
  t.is(command.responseBytes, 6);
  t.is(command.dataOut, undefined);
  const raw = command.decode(bytesOf('29 47 83 04 48 37'));
  t.deepEqual(raw, { word: 0x2947, vendorId: 0x0483, productId: 0x3748 });
});

test('GET_VERSION refuses a short reply with PROBE_PROTOCOL_ERROR', (t) => {
  const error = t.throws(() => getVersion().decode(bytesOf('29 47 83')), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'PROBE_PROTOCOL_ERROR');
  t.is(error?.exitCode, 4);
  t.truthy(error?.hint);
});

test('GET_VERSION_EX is [FB] and decodes its 12 bytes (V3PWR example)', (t) => {
  const command = getVersionEx();
  t.deepEqual(list(command.block), blockOf('FB'));
  t.is(command.responseBytes, 12);
  const ex = command.decode(bytesOf('04 00 05 00 01 05 00 00 83 04 57 37'));
  t.deepEqual(ex, {
    hardware: 4,
    swim: 0,
    jtag: 5,
    msc: 0,
    bridge: 1,
    power: 5,
    vendorId: 0x0483,
    productId: 0x3757,
  });
  t.throws(() => command.decode(bytesOf('03 00 07')), { instanceOf: FlashwrightError });
});

test('GET_CURRENT_MODE is [F5] with the mode in byte 0 of 2', (t) => {
  const command = getCurrentMode();
  t.deepEqual(list(command.block), blockOf('F5'));
  t.is(command.responseBytes, 2);
  t.is(command.decode(bytesOf('00 00')), 0);
  t.is(command.decode(bytesOf('02 00')), 2);
  t.throws(() => command.decode(bytesOf('02')), { instanceOf: FlashwrightError });
});

test('GET_TARGET_VOLTAGE is [F7]; V = 2 * a1 * 1.2 / a0 and a0 = 0 gives undefined', (t) => {
  const command = getTargetVoltage();
  t.deepEqual(list(command.block), blockOf('F7'));
  t.is(command.responseBytes, 8);
  // a0 = 2400 (0x960), a1 = 3300 (0xCE4): 2 * 3300 * 1.2 / 2400 = 3.3 V
  const reply = command.decode(bytesOf('60 09 00 00 E4 0C 00 00'));
  t.is(reply.reference, 2400);
  t.is(reply.target, 3300);
  t.true(Math.abs((reply.volts ?? 0) - 3.3) < 1e-9);
  t.is(command.decode(bytesOf('00 00 00 00 E4 0C 00 00')).volts, undefined);
});

test('DFU_EXIT is [F3 07] and SWIM_EXIT [F4 01], neither with a reply', (t) => {
  t.deepEqual(list(dfuExit().block), blockOf('F3 07'));
  t.is(dfuExit().responseBytes, 0);
  t.deepEqual(list(swimExit().block), blockOf('F4 01'));
  t.is(swimExit().responseBytes, 0);
});
