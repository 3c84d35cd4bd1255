/** DAP_Info (0x00): [00 ID] → [00 Len Info...] (CMSIS-DAP specification, DAP_Info). */
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import {
  infoCapabilities,
  infoPacketCount,
  infoPacketSize,
  infoString,
} from '../src/protocol/info.js';
import { InfoId } from '../src/protocol/constants.js';
import { bytesOf, list, report } from './helpers/bytes.js';

test('strings: [00 ID] answers Len (counting the NUL) and the text', (t) => {
  const serial = infoString(InfoId.SERIAL);
  t.deepEqual(list(serial.request), [0x00, 0x03]);
  // "E6614103" + NUL = 9 bytes.
  t.is(serial.decode(bytesOf('00 09 45 36 36 31 34 31 30 33 00')), 'E6614103');
  t.deepEqual(list(infoString(InfoId.FIRMWARE_VERSION).request), [0x00, 0x09]);
  t.deepEqual(list(infoString(InfoId.PROTOCOL_VERSION).request), [0x00, 0x04]);
  t.deepEqual(list(infoString(InfoId.VENDOR).request), [0x00, 0x01]);
  t.deepEqual(list(infoString(InfoId.PRODUCT).request), [0x00, 0x02]);
});

test('strings: Len 0 means the probe has none', (t) => {
  t.is(infoString(InfoId.VENDOR).decode(bytesOf('00 00')), undefined);
});

test('strings inside a padded HID report stop at Len', (t) => {
  t.is(infoString(InfoId.PROTOCOL_VERSION).decode(report('00 06 32 2E 31 2E 30 00')), '2.1.0');
});

test('Capabilities [00 F0]: one or two bytes of flags', (t) => {
  const command = infoCapabilities();
  t.deepEqual(list(command.request), [0x00, 0xf0]);
  const caps = command.decode(bytesOf('00 02 13 01'));
  t.true(caps.swd);
  t.true(caps.jtag);
  t.false(caps.swoUart);
  t.true(caps.atomicCommands);
  t.true(caps.uartUsbComPort);
  t.false(command.decode(bytesOf('00 01 02')).swd);
});

test('Packet Count [00 FE] is one byte; Packet Size [00 FF] a u16', (t) => {
  t.deepEqual(list(infoPacketCount().request), [0x00, 0xfe]);
  t.is(infoPacketCount().decode(bytesOf('00 01 08')), 8);
  t.deepEqual(list(infoPacketSize().request), [0x00, 0xff]);
  t.is(infoPacketSize().decode(bytesOf('00 02 00 02')), 512);
  t.is(infoPacketSize().decode(report('00 02 40 00')), 64);
});

test('a Len longer than the response, a zero packet count or a tiny packet size are refused', (t) => {
  for (const [command, bytes] of [
    [infoString(InfoId.SERIAL), '00 09 45 36'],
    [infoPacketCount(), '00 01 00'],
    [infoPacketSize(), '00 02 10 00'],
  ] as const) {
    const error = t.throws(() => command.decode(bytesOf(bytes)), { instanceOf: FlashwrightError });
    t.is(error?.code, 'PROBE_PROTOCOL_ERROR');
  }
});
