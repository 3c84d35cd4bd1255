import test from 'ava';
import { decodeConsoleOutput, isConsoleOutput } from '../src/commands/console-output.js';
import {
  CONTINUE,
  QUERY_HALT_REASON,
  START_NO_ACK_MODE,
  encodeDetach,
} from '../src/commands/control.js';
import {
  encodeReadMemory,
  encodeWriteMemoryBinary,
  encodeWriteMemoryHex,
  parseReadMemoryReply,
  writeHexHeaderBytes,
} from '../src/commands/memory.js';
import { encodeMonitorCommand, monitorOutputSaysUnknown } from '../src/commands/monitor.js';
import {
  encodeReadRegister,
  encodeWriteAllRegisters,
  encodeWriteRegister,
  parseRegisterReply,
  registerBytes,
  registerValue,
} from '../src/commands/registers.js';
import { parseErrorReply, parseStatusReply } from '../src/commands/reply.js';
import { isStopReply, parseStopReply, processIdOf } from '../src/commands/stop-reply.js';
import { encodeQSupported, hasFeature, parseQSupported } from '../src/commands/supported.js';
import {
  FLASH_DONE,
  encodeFlashErase,
  encodeFlashWrite,
  flashWriteHeaderBytes,
  isMemoryTypeError,
} from '../src/commands/vflash.js';
import { encodeXferRead, parseXferReply } from '../src/commands/xfer.js';
import { latin1Bytes, latin1Text } from '../src/rsp/bytes.js';

test('memory packets', (t) => {
  t.is(encodeReadMemory(0x08000000, 0x800), 'm8000000,800');
  t.is(encodeWriteMemoryHex(0x20000000, Uint8Array.of(1, 0xab)), 'M20000000,2:01ab');
  t.deepEqual(
    [...encodeWriteMemoryBinary(0x10, Uint8Array.of(0x24, 0x41))],
    [...latin1Bytes('X10,2:'), 0x7d, 0x04, 0x41],
  );
  t.is(writeHexHeaderBytes(0x08000000, 0x7f0), 'M8000000,7f0:'.length);
  t.deepEqual(parseReadMemoryReply('01ff'), { kind: 'data', bytes: Uint8Array.of(1, 0xff) });
  t.deepEqual(parseReadMemoryReply('E0e'), { kind: 'error', code: '0e' });
  t.is(parseReadMemoryReply('T05thread:01;'), undefined);
  t.is(parseReadMemoryReply('OK'), undefined);
});

test('register packets', (t) => {
  t.is(encodeReadRegister(15), 'pf');
  t.is(encodeWriteRegister(13, registerBytes(0x20002000, 4)), 'Pd=00200020');
  t.is(encodeWriteAllRegisters(Uint8Array.of(1, 2)), 'G0102');
  t.deepEqual(parseRegisterReply('1e000008'), {
    kind: 'data',
    bytes: Uint8Array.of(0x1e, 0, 0, 8),
  });
  t.is(registerValue(Uint8Array.of(0x1e, 0, 0, 8)), 0x0800001e);
  t.deepEqual(parseRegisterReply('xxxxxxxx'), { kind: 'data', bytes: new Uint8Array(4) });
  t.deepEqual(parseRegisterReply(''), { kind: 'unsupported' });
  t.deepEqual(parseRegisterReply('E45'), { kind: 'error', code: '45' });
  t.is(parseRegisterReply('nonsense'), undefined);
});

test('status replies', (t) => {
  t.deepEqual(parseStatusReply('OK'), { kind: 'ok' });
  t.deepEqual(parseStatusReply(''), { kind: 'unsupported' });
  t.deepEqual(parseStatusReply('E22'), { kind: 'error', code: '22' });
  t.deepEqual(parseStatusReply('E.memtype'), { kind: 'error', code: '.memtype' });
  t.deepEqual(parseStatusReply('1'), { kind: 'other', text: '1' });
  t.is(parseErrorReply('E2'), undefined);
});

test('stop replies and process ids', (t) => {
  t.true(isStopReply('T05thread:p01.01;'));
  t.false(isStopReply('OK'));
  t.deepEqual(parseStopReply('T05thread:p1f.02;core:0;'), {
    kind: 'stopped',
    signal: 5,
    thread: 'p1f.02',
  });
  t.deepEqual(parseStopReply('S02'), { kind: 'stopped', signal: 2 });
  t.deepEqual(parseStopReply('W00'), { kind: 'exited', status: 0 });
  t.deepEqual(parseStopReply('X09'), { kind: 'terminated', signal: 9 });
  t.is(parseStopReply('E01'), undefined);
  t.is(processIdOf('p1f.02'), 0x1f);
  t.is(processIdOf('01'), undefined);
});

test('console output packets', (t) => {
  t.true(isConsoleOutput('O6869'));
  t.false(isConsoleOutput('OK'));
  t.false(isConsoleOutput('O'));
  t.is(decodeConsoleOutput('O68690a'), 'hi\n');
});

test('qSupported', (t) => {
  t.is(encodeQSupported(), 'qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+');
  t.is(encodeQSupported([]), 'qSupported');
  const server = parseQSupported(
    'PacketSize=1000;qXfer:features:read+;QStartNoAckMode+;vContSupported-;foo?',
  );
  t.is(server.packetSizeBytes, 4096);
  t.true(hasFeature(server, 'qXfer:features:read'));
  t.true(hasFeature(server, 'QStartNoAckMode'));
  t.false(hasFeature(server, 'vContSupported'));
  t.false(hasFeature(server, 'foo'));
  t.false(hasFeature(server, 'multiprocess'));
  t.is(parseQSupported('PacketSize=zz').packetSizeBytes, undefined);
  t.is(parseQSupported('').packetSizeBytes, undefined);
});

test('qXfer', (t) => {
  t.is(encodeXferRead('features', 'target.xml', 0, 0xffb), 'qXfer:features:read:target.xml:0,ffb');
  t.is(encodeXferRead('memory-map', '', 0x10, 0x20), 'qXfer:memory-map:read::10,20');
  const last = parseXferReply(latin1Bytes('l<a>}]</a>'));
  t.deepEqual(last?.kind === 'data' ? [latin1Text(last.data), last.last] : [], ['<a>}</a>', true]);
  const more = parseXferReply(latin1Bytes('m<x'));
  t.deepEqual(more?.kind === 'data' ? more.last : undefined, false);
  t.deepEqual(parseXferReply(latin1Bytes('E00')), { kind: 'error', code: '00' });
  t.deepEqual(parseXferReply(new Uint8Array()), { kind: 'unsupported' });
  t.is(parseXferReply(latin1Bytes('zap')), undefined);
});

test('monitor, control and vFlash packets', (t) => {
  t.is(encodeMonitorCommand('reset halt'), 'qRcmd,72657365742068616c74');
  t.true(monitorOutputSaysUnknown("unknown command: 'reset'\r\n"));
  t.true(monitorOutputSaysUnknown('invalid command name "system_reset"'));
  t.false(monitorOutputSaysUnknown('target halted due to debug-request'));
  t.is(QUERY_HALT_REASON, '?');
  t.is(CONTINUE, 'c');
  t.is(START_NO_ACK_MODE, 'QStartNoAckMode');
  t.is(encodeDetach(undefined), 'D');
  t.is(encodeDetach(1), 'D;1');
  t.is(encodeDetach(0x1f), 'D;1f');
  t.is(encodeFlashErase(0x08000000, 0x400), 'vFlashErase:8000000,400');
  t.deepEqual(
    [...encodeFlashWrite(0x08000000, Uint8Array.of(0x2a, 1))],
    [...latin1Bytes('vFlashWrite:8000000:'), 0x7d, 0x0a, 1],
  );
  t.is(flashWriteHeaderBytes(0x08000000), 'vFlashWrite:8000000:'.length);
  t.is(FLASH_DONE, 'vFlashDone');
  t.true(isMemoryTypeError('E.memtype'));
});
