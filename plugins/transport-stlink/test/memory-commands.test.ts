import test from 'ava';
import { readMemory, writeMemory } from '../src/protocol/memory-commands.js';
import { blockOf, bytesOf, list } from './helpers/bytes.js';

test('READMEM_32BIT of 256 bytes at 0x20000000 is F2 07 00 00 00 20 00 01 00 (OpenOCD stlink_usb.c)', (t) => {
  const command = readMemory(32, 0x20000000, 256);
  t.deepEqual(list(command.block), blockOf('F2 07 00 00 00 20 00 01 00'));
  t.is(command.responseBytes, 256);
  const reply = new Uint8Array(256).map((_, i) => i);
  t.deepEqual(list(command.decode(reply)), list(reply));
});

test('WRITEMEM_32BIT of 8 bytes is F2 08 00 00 00 20 08 00 00 plus a data OUT phase', (t) => {
  const data = bytesOf('01 02 03 04 05 06 07 08');
  const command = writeMemory(32, 0x20000000, data);
  t.deepEqual(list(command.block), blockOf('F2 08 00 00 00 20 08 00 00'));
  t.deepEqual(list(command.dataOut ?? new Uint8Array()), list(data));
  t.is(command.responseBytes, 0);
});

test('8-bit and 16-bit opcodes: 0C/0D and 47/48', (t) => {
  t.deepEqual(list(readMemory(8, 0x08000001, 3).block), blockOf('F2 0C 01 00 00 08 03 00 00'));
  t.deepEqual(
    list(writeMemory(8, 0x08000001, bytesOf('AA BB')).block),
    blockOf('F2 0D 01 00 00 08 02 00 00'),
  );
  t.deepEqual(list(readMemory(16, 0x40022010, 2).block), blockOf('F2 47 10 20 02 40 02 00 00'));
  t.deepEqual(
    list(writeMemory(16, 0x08000000, bytesOf('34 12')).block),
    blockOf('F2 48 00 00 00 08 02 00 00'),
  );
});

test('an 8-bit read of one byte expects 2 bytes and returns the first (OpenOCD, probe-rs)', (t) => {
  const command = readMemory(8, 0x1ffff7e0, 1);
  t.is(command.responseBytes, 2);
  t.deepEqual(list(command.decode(bytesOf('80 00'))), [0x80]);
  t.is(readMemory(16, 0, 2).responseBytes, 2);
});

test('the AP number goes in byte 8; CSW bytes 9..11 stay zero', (t) => {
  const command = readMemory(32, 0xe00ff000, 4, 1);
  t.deepEqual(list(command.block), blockOf('F2 07 00 F0 0F E0 04 00 01 00 00 00'));
});

test('memory commands refuse lengths that are not a u16 and bad AP numbers', (t) => {
  t.throws(() => readMemory(32, 0, 0), { instanceOf: RangeError });
  t.throws(() => readMemory(32, 0, 0x10000), { instanceOf: RangeError });
  t.throws(() => readMemory(32, 0, 4, 256), { instanceOf: RangeError });
  t.throws(() => writeMemory(8, 0, new Uint8Array(0)), { instanceOf: RangeError });
});
