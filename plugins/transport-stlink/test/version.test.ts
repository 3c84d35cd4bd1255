import test from 'ava';
import {
  decodeVersion,
  firmwareWith,
  formatVersion,
  hasFeature,
  maxMemory8Bytes,
  needsVersionEx,
  versionFromEx,
  type StLinkVersion,
} from '../src/protocol/version.js';

function word(v: number, x: number, y: number): number {
  return (v << 12) | (x << 6) | y;
}

function v2(jtag: number, swim = 7): StLinkVersion {
  return decodeVersion({ word: word(2, jtag, swim), vendorId: 0x0483, productId: 0x3748 });
}

test('V2J37S7 is 0x2947 and prints as ST prints it', (t) => {
  const version = decodeVersion({ word: 0x2947, vendorId: 0x0483, productId: 0x3748 });
  t.like(version, { hardware: 2, jtag: 37, swim: 7, msc: 0 });
  t.is(formatVersion(version), 'V2J37S7');
  t.false(needsVersionEx(version));
});

test('bytes 26 47 decode as V2 J25 S7 (OpenOCD stlink_usb_version)', (t) => {
  t.like(decodeVersion({ word: 0x2647, vendorId: 0x0483, productId: 0x3748 }), {
    hardware: 2,
    jtag: 25,
    swim: 7,
  });
});

test('V2-1 PIDs read the low field as M: V2J40M27', (t) => {
  const version = decodeVersion({ word: word(2, 40, 27), vendorId: 0x0483, productId: 0x374b });
  t.like(version, { jtag: 40, msc: 27, swim: 0 });
  t.is(formatVersion(version), 'V2J40M27');
});

test('V2-1 ambiguity: STM8-only boards read as M=x S=y J=0 (OpenOCD rule)', (t) => {
  for (const [x, y] of [
    [22, 7],
    [10, 7],
    [25, 7],
    [28, 12],
  ] as const) {
    const version = decodeVersion({ word: word(2, x, y), vendorId: 0x0483, productId: 0x3752 });
    t.like(version, { jtag: 0, msc: x, swim: y }, `x=${x} y=${y}`);
  }
  // Outside the rule it is JxMy again; and on a V2 PID there is no ambiguity at all.
  for (const [x, y] of [
    [23, 7],
    [25, 13],
    [24, 7],
  ] as const) {
    t.like(decodeVersion({ word: word(2, x, y), vendorId: 0x0483, productId: 0x374b }), {
      jtag: x,
      msc: y,
    });
  }
  t.like(v2(22, 7), { jtag: 22, swim: 7, msc: 0 });
});

test('V3 reports zeros in GET_VERSION and needs GET_VERSION_EX; V3PWR says 4', (t) => {
  const short = decodeVersion({ word: 0x3000, vendorId: 0x0483, productId: 0x374f });
  t.true(needsVersionEx(short));
  const pwr = decodeVersion({ word: 0x4000, vendorId: 0x0483, productId: 0x3757 });
  t.true(needsVersionEx(pwr));
  const v3 = versionFromEx({
    hardware: 3,
    swim: 1,
    jtag: 7,
    msc: 3,
    bridge: 5,
    power: 0,
    vendorId: 0x0483,
    productId: 0x374f,
  });
  t.is(formatVersion(v3), 'V3J7M3B5S1');
  const v4 = versionFromEx({
    hardware: 4,
    swim: 0,
    jtag: 5,
    msc: 0,
    bridge: 1,
    power: 5,
    vendorId: 0x0483,
    productId: 0x3757,
  });
  t.is(formatVersion(v4), 'V4J5B1P5');
});

test('V2 feature thresholds: J13, J15, J22, J24, J26, J28, J29, J32', (t) => {
  const cases = [
    ['targetVoltage', 13],
    ['rwStatus2', 15],
    ['swdSetFreq', 22],
    ['dapRegisters', 24],
    ['memory16', 26],
    ['multiAp', 28],
    ['closeApStatus', 29],
    ['bankedDp', 32],
  ] as const;
  for (const [feature, j] of cases) {
    t.false(hasFeature(v2(j - 1), feature), `${feature} below J${j}`);
    t.true(hasFeature(v2(j), feature), `${feature} at J${j}`);
    t.is(firmwareWith(v2(j - 1), feature), `V2J${j}`);
  }
  t.false(hasFeature(v2(40), 'comFreq'));
  t.false(hasFeature(v2(40), 'rw8Max512'));
  t.is(firmwareWith(v2(40), 'rw8Max512'), undefined);
});

test('V3 has everything but the J32 set before V3J2 and 512-byte 8-bit before V3J6', (t) => {
  const v3 = (jtag: number): StLinkVersion => ({
    hardware: 3,
    jtag,
    swim: 0,
    msc: 0,
    bridge: 0,
    power: 0,
    vendorId: 0x0483,
    productId: 0x374e,
  });
  t.true(hasFeature(v3(1), 'memory16'));
  t.true(hasFeature(v3(1), 'multiAp'));
  t.true(hasFeature(v3(1), 'comFreq'));
  t.false(hasFeature(v3(1), 'swdSetFreq'));
  t.false(hasFeature(v3(1), 'bankedDp'));
  t.true(hasFeature(v3(2), 'bankedDp'));
  t.false(hasFeature(v3(5), 'rw8Max512'));
  t.true(hasFeature(v3(6), 'rw8Max512'));
  t.is(maxMemory8Bytes(v3(5), 'write'), 64);
  t.is(maxMemory8Bytes(v3(6), 'write'), 512);
  t.is(maxMemory8Bytes(v3(6), 'read'), 255);
  t.is(maxMemory8Bytes(v2(37), 'read'), 64);
  // V3PWR (hardware 4) has every V3 feature whatever its J.
  t.true(hasFeature({ ...v3(1), hardware: 4 }, 'rw8Max512'));
});
