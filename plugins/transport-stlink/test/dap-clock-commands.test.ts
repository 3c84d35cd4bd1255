import test from 'ava';
import {
  ComInterface,
  getComFreq,
  jtagSetFreq,
  setComFreq,
  swdSetFreq,
} from '../src/protocol/clock-commands.js';
import { closeAp, initAp, readDapReg, writeDapReg } from '../src/protocol/dap-commands.js';
import { blockOf, bytesOf, list } from './helpers/bytes.js';

test('READ_DAP_REG of DP CTRL/STAT is F2 45 FF FF 04 00 (OpenOCD stlink_usb.c)', (t) => {
  const command = readDapReg(0xffff, 0x04);
  t.deepEqual(list(command.block), blockOf('F2 45 FF FF 04 00'));
  t.is(command.responseBytes, 8);
  t.deepEqual(command.decode(bytesOf('80 00 00 00 00 00 00 F0')), {
    status: 0x80,
    value: 0xf0000000,
  });
});

test('READ_DAP_REG of AP 0 IDR is F2 45 00 00 FC 00 (OpenOCD stlink_usb.c)', (t) => {
  t.deepEqual(list(readDapReg(0, 0xfc).block), blockOf('F2 45 00 00 FC 00'));
});

test('WRITE_DAP_REG ABORT=0x1E is F2 46 FF FF 00 00 1E 00 00 00', (t) => {
  const command = writeDapReg(0xffff, 0x00, 0x1e);
  t.deepEqual(list(command.block), blockOf('F2 46 FF FF 00 00 1E 00 00 00'));
  t.is(command.responseBytes, 2);
});

test('INIT_AP is [F2 4B ap] and CLOSE_AP_DBG [F2 4C ap], each with a status', (t) => {
  t.deepEqual(list(initAp(0).block), blockOf('F2 4B 00'));
  t.deepEqual(list(initAp(2).block), blockOf('F2 4B 02'));
  t.is(initAp(0).responseBytes, 2);
  t.deepEqual(list(closeAp(1).block), blockOf('F2 4C 01'));
  t.deepEqual(closeAp(1).decode(bytesOf('80 00')), { status: 0x80 });
});

test('SWD_SET_FREQ sends both divisor bytes: 1.8 MHz is F2 43 01 00, 5 kHz F2 43 1E 03', (t) => {
  t.deepEqual(list(swdSetFreq(1).block), blockOf('F2 43 01 00'));
  t.deepEqual(list(swdSetFreq(798).block), blockOf('F2 43 1E 03'));
  t.is(swdSetFreq(1).responseBytes, 2);
  t.deepEqual(list(jtagSetFreq(256).block), blockOf('F2 44 00 01'));
});

test('GET_COM_FREQ is [F2 62 p]; count at byte 8 and kHz list from 12 (OpenOCD stlink_usb.c)', (t) => {
  const command = getComFreq(ComInterface.SWD);
  t.deepEqual(list(command.block), blockOf('F2 62 00'));
  t.deepEqual(list(getComFreq(ComInterface.JTAG).block), blockOf('F2 62 01'));
  t.is(command.responseBytes, 52);
  const reply = new Uint8Array(52);
  const view = new DataView(reply.buffer);
  reply[0] = 0x80;
  view.setUint32(4, 8000, true);
  reply[8] = 3;
  [24000, 8000, 3300].forEach((khz, i) => view.setUint32(12 + 4 * i, khz, true));
  view.setUint32(24, 1000, true); // beyond the count: ignored
  t.deepEqual(command.decode(reply), {
    status: 0x80,
    currentKhz: 8000,
    frequenciesKhz: [24000, 8000, 3300],
  });
});

test('SET_COM_FREQ is F2 61 p 00 + kHz; reply gives the applied kHz', (t) => {
  const command = setComFreq(ComInterface.SWD, 24000);
  t.deepEqual(list(command.block), blockOf('F2 61 00 00 C0 5D 00 00'));
  t.is(command.responseBytes, 8);
  t.deepEqual(command.decode(bytesOf('80 00 00 00 C0 5D 00 00')), {
    status: 0x80,
    actualKhz: 24000,
  });
});
