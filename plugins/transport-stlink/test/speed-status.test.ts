import test from 'ava';
import { catalogue, FlashwrightError } from '@flashwright/core';
import { Status } from '../src/protocol/constants.js';
import {
  pickListedKhz,
  pickSpeedStep,
  V2_JTAG_SPEEDS,
  V2_SWD_SPEEDS,
} from '../src/protocol/speed.js';
import { statusError, statusKind, statusName } from '../src/protocol/status.js';

test('V2 SWD: the fastest divisor at or below the request', (t) => {
  t.is(pickSpeedStep(V2_SWD_SPEEDS, 4000).divisor, 0);
  t.is(pickSpeedStep(V2_SWD_SPEEDS, 24000).divisor, 0);
  t.is(pickSpeedStep(V2_SWD_SPEEDS, 1800).divisor, 1);
  t.is(pickSpeedStep(V2_SWD_SPEEDS, 1799).divisor, 2);
  t.is(pickSpeedStep(V2_SWD_SPEEDS, 1000).divisor, 3);
  t.is(pickSpeedStep(V2_SWD_SPEEDS, 100).divisor, 40);
  t.is(pickSpeedStep(V2_SWD_SPEEDS, 5).divisor, 798);
  // Below the slowest step: the slowest (OpenOCD's fallback).
  t.is(pickSpeedStep(V2_SWD_SPEEDS, 1).divisor, 798);
  t.is(pickSpeedStep(V2_JTAG_SPEEDS, 1125).divisor, 32);
  t.is(pickSpeedStep(V2_JTAG_SPEEDS, 10000).divisor, 4);
});

test('the V2 SWD table is fastest first with divisor 0 = 4000 kHz', (t) => {
  t.deepEqual(V2_SWD_SPEEDS[0], { speedKhz: 4000, divisor: 0 });
  for (let i = 1; i < V2_SWD_SPEEDS.length; i++) {
    t.true((V2_SWD_SPEEDS[i]?.speedKhz ?? 0) < (V2_SWD_SPEEDS[i - 1]?.speedKhz ?? 0));
    t.true((V2_SWD_SPEEDS[i]?.divisor ?? 0) > (V2_SWD_SPEEDS[i - 1]?.divisor ?? 0));
  }
});

test('V3: picks from the listed frequencies whatever their order', (t) => {
  const listed = [3300, 24000, 1000, 8000, 50, 200];
  t.is(pickListedKhz(listed, 4000), 3300);
  t.is(pickListedKhz(listed, 24000), 24000);
  t.is(pickListedKhz(listed, 100000), 24000);
  t.is(pickListedKhz(listed, 10), 50);
  t.is(pickListedKhz([], 4000), undefined);
});

test('status kinds: OK (and WRITE_VERIF_ERROR), WAIT, faults', (t) => {
  t.is(statusKind(0x80), 'ok');
  t.is(statusKind(0x0d), 'ok');
  for (const code of [0x10, 0x14, 0x07]) t.is(statusKind(code), 'wait', statusName(code));
  for (const code of [0x11, 0x15, 0x18, 0x19, 0x1a, 0x01, 0x81, 0x0c]) {
    t.is(statusKind(code), 'fault', statusName(code));
  }
  t.is(statusKind(0x05), 'error');
  t.is(statusName(0x14), 'SWD_DP_WAIT');
  t.is(statusName(0x11), 'SWD_AP_FAULT');
  t.is(statusName(0x77), 'UNKNOWN_STATUS_0x77');
});

test('every status code maps to a catalogue error with a message and a hint', (t) => {
  for (const [name, code] of Object.entries(Status)) {
    if (statusKind(code) === 'ok') continue;
    const error = statusError(code, {
      command: 'READMEM_32BIT',
      address: 0x20000000,
      lengthBytes: 64,
    });
    t.true(error instanceof FlashwrightError, name);
    t.true(error.code in catalogue, name);
    t.truthy(error.hint, `${name} has a hint`);
    t.true(error.message.includes(name), `${name} is named in "${error.message}"`);
    t.true(error.message.includes('0x20000000'), name);
  }
});

test('AP fault -> TARGET_FAULT (exit 5) carrying the probe-reported fault address', (t) => {
  const error = statusError(0x11, {
    command: 'READMEM_32BIT',
    address: 0x08000000,
    lengthBytes: 1024,
    faultAddress: 0x08000200,
  });
  t.is(error.code, 'TARGET_FAULT');
  t.is(error.exitCode, 5);
  t.regex(error.message, /faulted at 0x08000200/);
  t.is(error.details?.['faultAddress'], 0x08000200);
});

test('WAIT that outlived the retries -> TARGET_NO_RESPONSE; unknown -> PROBE_PROTOCOL_ERROR', (t) => {
  t.is(statusError(0x14, { command: 'READDEBUGREG' }).code, 'TARGET_NO_RESPONSE');
  t.is(statusError(0x05, { command: 'ENTER' }).code, 'TARGET_NO_RESPONSE');
  t.is(statusError(0x0a, { command: 'READMEM_32BIT' }).code, 'INTERNAL');
  t.is(statusError(0x42, { command: 'GET_COM_FREQ' }).code, 'PROBE_FIRMWARE_TOO_OLD');
  const unknown = statusError(0x77, { command: 'ENTER' });
  t.is(unknown.code, 'PROBE_PROTOCOL_ERROR');
  t.is(unknown.exitCode, 4);
  t.regex(unknown.message, /0x77/);
});
