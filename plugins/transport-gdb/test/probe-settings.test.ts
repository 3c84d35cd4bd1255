import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { parseGdbAddress, parseProbeSettings, parseSize } from '../src/probe-settings.js';

test('addresses in their usual spellings', (t) => {
  t.deepEqual(parseGdbAddress('127.0.0.1:3333'), { host: '127.0.0.1', port: 3333 });
  t.deepEqual(parseGdbAddress('localhost:2331'), { host: 'localhost', port: 2331 });
  t.deepEqual(parseGdbAddress('[::1]:1234'), { host: '::1', port: 1234 });
  t.deepEqual(parseGdbAddress(':4444'), { host: '127.0.0.1', port: 4444 });
  t.deepEqual(parseGdbAddress('4444'), { host: '127.0.0.1', port: 4444 });
});

test('bad addresses are recipe errors naming the key', (t) => {
  for (const bad of ['host:', 'host:99999', 'a:b:c', 'host:0', '']) {
    const error = t.throws(() => parseGdbAddress(bad), { instanceOf: FlashwrightError });
    t.is(error?.code, 'RECIPE_INVALID', bad);
    t.is(error?.source?.keyPath, 'probe.address');
    t.is(error?.exitCode, 2);
  }
});

test('settings from recipe options, --probe gdb:ADDRESS and defaults', (t) => {
  const fromOptions = parseProbeSettings({
    options: { address: '10.0.0.2:3333', noDelay: false, packetSize: '0x1000', timeoutMs: 200 },
  });
  t.is(fromOptions.host, '10.0.0.2');
  t.false(fromOptions.noDelay);
  t.is(fromOptions.packetSizeBytes, 4096);
  t.is(fromOptions.requestTimeoutMs, 200);
  t.true(fromOptions.noAckMode);
  const fromSpec = parseProbeSettings({ options: {}, serial: 'localhost:1234' });
  t.deepEqual([fromSpec.host, fromSpec.port], ['localhost', 1234]);
  const defaults = parseProbeSettings({ options: {} });
  t.deepEqual([defaults.host, defaults.port, defaults.noDelay], ['127.0.0.1', 3333, true]);
  const hostPort = parseProbeSettings({ options: { host: '::1', port: 2331 } });
  t.deepEqual([hostPort.host, hostPort.port], ['::1', 2331]);
});

test('memoryMap option describes servers that send none', (t) => {
  const settings = parseProbeSettings({
    options: {
      memoryMap: [
        { kind: 'ram', start: '0x08000000', length: '128K' },
        { type: 'flash', start: 0, end: 0x1000, blockSize: 1024 },
      ],
    },
  });
  t.deepEqual(settings.memoryMap, [
    { kind: 'ram', start: 0x08000000, end: 0x08020000 },
    { kind: 'flash', start: 0, end: 0x1000, blockSize: 1024 },
  ]);
  const wrongKind = t.throws(
    () => parseProbeSettings({ options: { memoryMap: [{ kind: 'sram', start: 0, length: 1 }] } }),
    { instanceOf: FlashwrightError },
  );
  t.is(wrongKind?.source?.keyPath, 'probe.memoryMap[0].kind');
  const empty = t.throws(
    () => parseProbeSettings({ options: { memoryMap: [{ kind: 'ram', start: 16, end: 16 }] } }),
    { instanceOf: FlashwrightError },
  );
  t.regex(empty?.message ?? '', /empty/);
  t.throws(() => parseProbeSettings({ options: { memoryMap: 'all' } }), {
    message: /probe.memoryMap/,
  });
});

test('bad option values are recipe errors', (t) => {
  t.throws(() => parseProbeSettings({ options: { noDelay: 'yes' } }), { message: /probe.noDelay/ });
  t.throws(() => parseProbeSettings({ options: { packetSize: 'huge' } }), {
    message: /probe.packetSize/,
  });
  t.throws(() => parseProbeSettings({ options: { timeoutMs: 0 } }), { message: /probe.timeoutMs/ });
  t.throws(() => parseProbeSettings({ options: { resetCommand: '  ' } }), {
    message: /probe.resetCommand/,
  });
  t.throws(() => parseProbeSettings({ options: { address: { host: 'x' } } }), {
    message: /probe.address/,
  });
  t.is(parseSize('1M', 'x'), 1024 * 1024);
  t.is(parseSize(10, 'x'), 10);
});
