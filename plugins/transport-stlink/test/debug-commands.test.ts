import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { EnterProtocol, NrstAction } from '../src/protocol/constants.js';
import {
  debugExit,
  driveNrst,
  enterDebug,
  getLastRwStatus,
  getLastRwStatus2,
  readCoreReg,
  readDebugReg,
  readIdCodes,
  resetSys,
  writeCoreReg,
  writeDebugReg,
} from '../src/protocol/debug-commands.js';
import { blockOf, bytesOf, list } from './helpers/bytes.js';

test('ENTER SWD is [F2 30 A3], JTAG [F2 30 A4], with a 2-byte status', (t) => {
  const swd = enterDebug(EnterProtocol.SWD);
  t.deepEqual(list(swd.block), blockOf('F2 30 A3'));
  t.is(swd.responseBytes, 2);
  t.deepEqual(swd.decode(bytesOf('80 00')), { status: 0x80 });
  t.deepEqual(list(enterDebug(EnterProtocol.JTAG_NO_RESET).block), blockOf('F2 30 A4'));
});

test('DEBUG_EXIT is [F2 21] with no reply', (t) => {
  t.deepEqual(list(debugExit().block), blockOf('F2 21'));
  t.is(debugExit().responseBytes, 0);
});

test('READ_IDCODES is [F2 31]; DPIDR at bytes 4..7 of 12 (OpenOCD stlink_usb.c)', (t) => {
  const command = readIdCodes();
  t.deepEqual(list(command.block), blockOf('F2 31'));
  t.is(command.responseBytes, 12);
  t.deepEqual(command.decode(bytesOf('80 00 00 00 77 14 A0 1B 00 00 00 00')), {
    status: 0x80,
    idcode: 0x1ba01477,
  });
  t.throws(() => command.decode(bytesOf('80 00 00 00 77 14 A0 1B')), {
    instanceOf: FlashwrightError,
  });
});

test('RESETSYS is [F2 32] with a status', (t) => {
  t.deepEqual(list(resetSys().block), blockOf('F2 32'));
  t.is(resetSys().responseBytes, 2);
});

test('DRIVE_NRST is [F2 3C x]: 0 low, 1 high, 2 pulse (OpenOCD stlink_usb.c)', (t) => {
  t.deepEqual(list(driveNrst(NrstAction.LOW).block), blockOf('F2 3C 00'));
  t.deepEqual(list(driveNrst(NrstAction.HIGH).block), blockOf('F2 3C 01'));
  t.deepEqual(list(driveNrst(NrstAction.PULSE).block), blockOf('F2 3C 02'));
  t.deepEqual(driveNrst(NrstAction.PULSE).decode(bytesOf('80 00')), { status: 0x80 });
});

test('WRITEDEBUGREG of the halt word is F2 35 F0 ED 00 E0 03 00 5F A0 (OpenOCD stlink_usb_halt)', (t) => {
  const command = writeDebugReg(0xe000edf0, 0xa05f0003);
  t.deepEqual(list(command.block), blockOf('F2 35 F0 ED 00 E0 03 00 5F A0'));
  t.is(command.responseBytes, 2);
});

test('READDEBUGREG of DHCSR is F2 36 F0 ED 00 E0; value at 4..7 of 8', (t) => {
  const command = readDebugReg(0xe000edf0);
  t.deepEqual(list(command.block), blockOf('F2 36 F0 ED 00 E0'));
  t.is(command.responseBytes, 8);
  t.deepEqual(command.decode(bytesOf('80 00 00 00 03 00 03 00')), {
    status: 0x80,
    value: 0x00030003,
  });
  t.deepEqual(command.decode(bytesOf('11 00 00 00 00 00 00 00')), { status: 0x11, value: 0 });
});

test('READREG of R15 is [F2 33 0F]; WRITEREG puts the value at 3..6', (t) => {
  const read = readCoreReg(15);
  t.deepEqual(list(read.block), blockOf('F2 33 0F'));
  t.is(read.responseBytes, 8);
  t.is(read.decode(bytesOf('80 00 00 00 01 02 00 08')).value, 0x08000201);
  const write = writeCoreReg(13, 0x20005000);
  t.deepEqual(list(write.block), blockOf('F2 34 0D 00 50 00 20'));
  t.is(write.responseBytes, 2);
});

test('GETLASTRWSTATUS2 is [F2 3E]; status u16 and fault address at 4..7 of 12', (t) => {
  const command = getLastRwStatus2();
  t.deepEqual(list(command.block), blockOf('F2 3E'));
  t.is(command.responseBytes, 12);
  t.deepEqual(command.decode(bytesOf('11 00 00 00 04 00 00 40 00 00 00 00')), {
    status: 0x11,
    faultAddress: 0x40000004,
  });
  t.deepEqual(list(getLastRwStatus().block), blockOf('F2 3B'));
  t.is(getLastRwStatus().responseBytes, 2);
});
