/**
 * A V2 SWD session, row by row: opened as OpenOCD stlink_usb_init_mode opens one (version,
 * mode, DFU exit, voltage, clock, ENTER), then the commands of a session as OpenOCD
 * stlink_usb.c lays them out. Each OUT block (and data phase) our codec produces, and each IN
 * reply it decodes.
 */
import test from 'ava';
import type { StLinkCommand } from '../src/protocol/command.js';
import { EnterProtocol, NrstAction } from '../src/protocol/constants.js';
import { swdSetFreq } from '../src/protocol/clock-commands.js';
import { initAp, readDapReg } from '../src/protocol/dap-commands.js';
import {
  debugExit,
  driveNrst,
  enterDebug,
  getLastRwStatus2,
  readCoreReg,
  readDebugReg,
  readIdCodes,
  writeDebugReg,
} from '../src/protocol/debug-commands.js';
import {
  dfuExit,
  getCurrentMode,
  getTargetVoltage,
  getVersion,
} from '../src/protocol/general-commands.js';
import { readMemory, writeMemory } from '../src/protocol/memory-commands.js';
import { blockOf, bytesOf, list } from './helpers/bytes.js';

interface Row {
  readonly step: string;
  readonly command: StLinkCommand<unknown>;
  readonly out: string;
  readonly dataOut?: string;
  readonly inBytes: number;
  readonly reply?: string;
  readonly decoded?: unknown;
}

const eight = '01 02 03 04 05 06 07 08';

const rows: readonly Row[] = [
  {
    step: 'Version',
    command: getVersion(),
    out: 'F1',
    inBytes: 6,
    reply: '29 47 83 04 48 37',
    decoded: { word: 0x2947, vendorId: 0x483, productId: 0x3748 },
  },
  { step: 'Mode', command: getCurrentMode(), out: 'F5', inBytes: 2, reply: '00 00', decoded: 0 },
  { step: 'Leave DFU', command: dfuExit(), out: 'F3 07', inBytes: 0 },
  { step: 'Voltage', command: getTargetVoltage(), out: 'F7', inBytes: 8 },
  {
    step: 'SWD 1.8 MHz',
    command: swdSetFreq(1),
    out: 'F2 43 01 00',
    inBytes: 2,
    reply: '80 00',
    decoded: { status: 0x80 },
  },
  {
    step: 'Enter SWD',
    command: enterDebug(EnterProtocol.SWD),
    out: 'F2 30 A3',
    inBytes: 2,
    reply: '80 00',
    decoded: { status: 0x80 },
  },
  {
    step: 'DPIDR',
    command: readIdCodes(),
    out: 'F2 31',
    inBytes: 12,
    reply: '80 00 00 00 77 14 A0 1B 00 00 00 00',
    decoded: { status: 0x80, idcode: 0x1ba01477 },
  },
  {
    step: 'Open AP 0',
    command: initAp(0),
    out: 'F2 4B 00',
    inBytes: 2,
    reply: '80 00',
    decoded: { status: 0x80 },
  },
  {
    step: 'Halt',
    command: writeDebugReg(0xe000edf0, 0xa05f0003),
    out: 'F2 35 F0 ED 00 E0 03 00 5F A0',
    inBytes: 2,
    reply: '80 00',
    decoded: { status: 0x80 },
  },
  {
    step: 'Read DHCSR',
    command: readDebugReg(0xe000edf0),
    out: 'F2 36 F0 ED 00 E0',
    inBytes: 8,
    reply: '80 00 00 00 03 00 03 00',
    decoded: { status: 0x80, value: 0x00030003 },
  },
  {
    step: 'Read R15',
    command: readCoreReg(15),
    out: 'F2 33 0F',
    inBytes: 8,
    reply: '80 00 00 00 04 01 00 08',
    decoded: { status: 0x80, value: 0x08000104 },
  },
  {
    step: 'Read 256 B',
    command: readMemory(32, 0x20000000, 256),
    out: 'F2 07 00 00 00 20 00 01 00',
    inBytes: 256,
  },
  {
    step: '…then its status',
    command: getLastRwStatus2(),
    out: 'F2 3E',
    inBytes: 12,
    reply: '80 00 00 00 00 00 00 00 00 00 00 00',
    decoded: { status: 0x80, faultAddress: 0 },
  },
  {
    step: 'Write 8 B',
    command: writeMemory(32, 0x20000000, bytesOf(eight)),
    out: 'F2 08 00 00 00 20 08 00 00',
    dataOut: eight,
    inBytes: 0,
  },
  {
    step: 'Read DP CTRL/STAT',
    command: readDapReg(0xffff, 4),
    out: 'F2 45 FF FF 04 00',
    inBytes: 8,
  },
  {
    step: 'Read AP0 IDR',
    command: readDapReg(0, 0xfc),
    out: 'F2 45 00 00 FC 00',
    inBytes: 8,
    reply: '80 00 00 00 11 00 77 24',
    decoded: { status: 0x80, value: 0x24770011 },
  },
  {
    step: 'Pulse NRST',
    command: driveNrst(NrstAction.PULSE),
    out: 'F2 3C 02',
    inBytes: 2,
    reply: '80 00',
    decoded: { status: 0x80 },
  },
  { step: 'Leave debug', command: debugExit(), out: 'F2 21', inBytes: 0 },
];

for (const row of rows) {
  test(`V2 SWD session, ${row.step}: ${row.out}`, (t) => {
    t.deepEqual(list(row.command.block), blockOf(row.out));
    t.is(row.command.block.length, 16);
    t.deepEqual(
      row.command.dataOut === undefined ? undefined : list(row.command.dataOut),
      row.dataOut === undefined ? undefined : list(bytesOf(row.dataOut)),
    );
    t.is(row.command.responseBytes, row.inBytes);
    if (row.reply !== undefined) t.deepEqual(row.command.decode(bytesOf(row.reply)), row.decoded);
  });
}
