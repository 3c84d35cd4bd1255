import test from 'ava';
import { latin1Bytes, latin1Text } from '../src/rsp/bytes.js';
import { rspChecksum } from '../src/rsp/checksum.js';
import {
  bytesFittingEscaped,
  escapeBinary,
  escapedLength,
  unescapeBinary,
} from '../src/rsp/escape.js';
import { encodePacket } from '../src/rsp/frame.js';
import { bytesToHex, hexToBytes, parseHexNumber } from '../src/rsp/hex.js';
import { PacketReader } from '../src/rsp/packet-reader.js';
import { expandRunLength } from '../src/rsp/run-length.js';

const text = (bytes: Uint8Array): string => latin1Text(bytes);

test('checksum is the byte sum modulo 256', (t) => {
  t.is(rspChecksum(latin1Bytes('OK')), 0x9a); // 0x4f + 0x4b
  t.is(rspChecksum(latin1Bytes('')), 0);
  t.is(rspChecksum(Uint8Array.of(0xff, 0x02)), 0x01);
});

test('encodePacket frames payloads byte by byte', (t) => {
  t.deepEqual([...encodePacket('OK')], [0x24, 0x4f, 0x4b, 0x23, 0x39, 0x61]); // $OK#9a
  t.is(text(encodePacket('')), '$#00');
  // 0x6d + 0x38 + 6 * 0x30 + 0x2c + 0x34 = 0x225
  t.is(text(encodePacket('m8000000,4')), '$m8000000,4#25');
  t.is(text(encodePacket(Uint8Array.of(0x00, 0xff))), '$\u0000\u00ff#ff');
});

test('escapeBinary escapes $ # } * and nothing else', (t) => {
  const input = Uint8Array.of(0x23, 0x24, 0x7d, 0x2a, 0x00, 0x41, 0xff, 0x03);
  const escaped = escapeBinary(input);
  t.deepEqual(
    [...escaped],
    [0x7d, 0x03, 0x7d, 0x04, 0x7d, 0x5d, 0x7d, 0x0a, 0x00, 0x41, 0xff, 0x03],
  );
  t.is(escapedLength(input), 12);
  t.deepEqual(unescapeBinary(escaped), input);
});

test('unescapeBinary rejects a trailing escape character', (t) => {
  t.is(unescapeBinary(Uint8Array.of(0x41, 0x7d)), undefined);
});

test('bytesFittingEscaped counts escaped bytes double', (t) => {
  const data = Uint8Array.of(0x41, 0x23, 0x42, 0x43);
  t.is(bytesFittingEscaped(data, 1), 1);
  t.is(bytesFittingEscaped(data, 2), 1); // '#' needs two
  t.is(bytesFittingEscaped(data, 3), 2);
  t.is(bytesFittingEscaped(data, 100), 4);
});

test('run-length expansion repeats the previous character count-29 more times', (t) => {
  t.is(text(expandRunLength(latin1Bytes('0* '))!), '0000');
  t.is(text(expandRunLength(latin1Bytes('ab*"c'))!), 'abbbbbbc'); // '"' = 34: 5 more
  t.is(text(expandRunLength(latin1Bytes('plain'))!), 'plain');
  t.is(expandRunLength(latin1Bytes('*!')), undefined, 'nothing to repeat');
  t.is(expandRunLength(latin1Bytes('0*')), undefined, 'missing count');
});

test('hex helpers parse strictly', (t) => {
  t.is(bytesToHex(Uint8Array.of(0x00, 0xab, 0x7f)), '00ab7f');
  t.deepEqual(hexToBytes('00AB7f'), Uint8Array.of(0x00, 0xab, 0x7f));
  t.is(hexToBytes('abc'), undefined);
  t.is(hexToBytes('zz'), undefined);
  t.is(parseHexNumber('1000'), 4096);
  t.is(parseHexNumber(''), undefined);
  t.is(parseHexNumber('12g'), undefined);
});

test('PacketReader decodes packets split across chunks, acks and naks', (t) => {
  const reader = new PacketReader();
  t.deepEqual(reader.push(latin1Bytes('+$O')), [{ kind: 'ack' }]);
  t.deepEqual(reader.push(latin1Bytes('K#9')), []);
  const events = reader.push(latin1Bytes('a-'));
  t.is(events.length, 2);
  t.is(events[0]!.kind, 'packet');
  t.is(events[0]!.kind === 'packet' ? text(events[0]!.payload) : '', 'OK');
  t.deepEqual(events[1], { kind: 'nak' });
});

test('PacketReader flags bad checksums and non-hex checksum digits as corrupt', (t) => {
  const reader = new PacketReader();
  t.is(reader.push(latin1Bytes('$OK#9b'))[0]!.kind, 'corrupt');
  t.is(reader.push(latin1Bytes('$OK#zz'))[0]!.kind, 'corrupt');
  t.is(reader.push(latin1Bytes('$OK#9A'))[0]!.kind, 'packet', 'upper-case digits are fine');
});

test('PacketReader expands run-length encoding and keeps escapes for the caller', (t) => {
  const reader = new PacketReader();
  const body = 'l0* }]';
  const [event] = reader.push(encodePacket(body));
  t.is(event?.kind, 'packet');
  t.is(event?.kind === 'packet' ? text(event.payload) : '', 'l0000}]');
});

test('PacketReader skips noise, restarts on a new $, and reports notifications', (t) => {
  const reader = new PacketReader();
  const events = reader.push(latin1Bytes('garbage\r\n$trunc$OK#9a%Stop:T05#'));
  t.deepEqual(
    events.map((e) => e.kind),
    ['packet'],
  );
  const rest = reader.push(latin1Bytes(rspChecksum(latin1Bytes('Stop:T05')).toString(16)));
  t.is(rest[0]?.kind, 'notification');
});
