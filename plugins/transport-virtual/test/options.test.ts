import test, { type ExecutionContext } from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { parseVirtualOptions } from '../src/options.js';

function invalid(
  t: ExecutionContext,
  raw: Record<string, unknown>,
  keyPath: string,
  pattern: RegExp,
): void {
  const error = t.throws(() => parseVirtualOptions(raw, '/recipes'), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'RECIPE_INVALID');
  t.is(error?.exitCode, 2);
  t.is(error?.source?.keyPath, keyPath);
  t.regex(error?.message ?? '', pattern);
}

test('defaults: a V2 ST-Link, instant timing, no faults', (t) => {
  t.deepEqual(parseVirtualOptions({}, '/recipes'), {
    probe: 'stlink-v2',
    device: undefined,
    state: undefined,
    rdp: undefined,
    flashSizeRaw: undefined,
    firmware: undefined,
    voltage: undefined,
    timing: 'instant',
    faults: [],
  });
});

test('every option of the README table is accepted; state resolves against the recipe directory', (t) => {
  const options = parseVirtualOptions(
    {
      probe: 'stlink-v3',
      device: 'STM32L151CBxxA',
      state: 'board.json',
      rdp: 1,
      flashSizeRaw: '0x6B80',
      firmware: 'v3j7m3b5s1',
      voltage: 3.3,
      timing: 'realtime',
      faults: [
        { kind: 'usb-timeout', atTransfer: 40 },
        { kind: 'bus-fault', address: '0x40022000', length: 4 },
        { kind: 'swd-wait', atAccess: 3, count: 20 },
        { kind: 'power-loss', afterFlashBytes: 0 },
      ],
    },
    '/recipes',
  );
  t.like(options, {
    probe: 'stlink-v3',
    device: 'STM32L151CBxxA',
    state: '/recipes/board.json',
    rdp: 1,
    flashSizeRaw: 0x6b80,
    firmware: 'V3J7M3B5S1',
    voltage: 3.3,
    timing: 'realtime',
  });
  t.deepEqual(options.faults, [
    { kind: 'usb-timeout', atTransfer: 40 },
    { kind: 'bus-fault', address: 0x40022000, length: 4 },
    { kind: 'swd-wait', atAccess: 3, count: 20 },
    { kind: 'power-loss', afterFlashBytes: 0 },
  ]);
});

test('unknown options and values get a did-you-mean and the key path', (t) => {
  invalid(t, { firmwear: 'V2J37S7' }, 'probe.options.firmwear', /did you mean firmware/);
  invalid(t, { probe: 'stlink-v4' }, 'probe.options.probe', /expected one of/);
  invalid(t, { timing: 'realtim' }, 'probe.options.timing', /did you mean realtime/);
  invalid(t, { rdp: 3 }, 'probe.options.rdp', /0 to 2/);
  invalid(t, { flashSizeRaw: 'lots' }, 'probe.options.flashSizeRaw', /integer/);
  invalid(t, { voltage: 12 }, 'probe.options.voltage', /0 to 5.5/);
  invalid(t, { device: '' }, 'probe.options.device', /non-empty/);
  invalid(t, { device: 0x1000 }, 'probe.options.device', /12-bit DEV_ID/);
});

test('firmware must be a version string of the probe’s own line', (t) => {
  invalid(t, { firmware: 'J37' }, 'probe.options.firmware', /not an ST-Link firmware/);
  invalid(
    t,
    { probe: 'stlink-v3', firmware: 'V2J37S7' },
    'probe.options.firmware',
    /V2 firmware, but probe is stlink-v3/,
  );
  invalid(t, { probe: 'stlink-v2', firmware: 'V3J7' }, 'probe.options.firmware', /V3 firmware/);
  t.is(
    parseVirtualOptions({ probe: 'stlink-v2-1', firmware: 'V2J40M27' }, '/').firmware,
    'V2J40M27',
  );
});

test('faults are checked field by field', (t) => {
  invalid(t, { faults: { kind: 'disconnect' } }, 'probe.options.faults', /list/);
  invalid(t, { faults: ['usb-timeout'] }, 'probe.options.faults[0]', /object/);
  invalid(
    t,
    { faults: [{ kind: 'usb-timout', atTransfer: 1 }] },
    'probe.options.faults[0].kind',
    /did you mean usb-timeout/,
  );
  invalid(
    t,
    { faults: [{ kind: 'disconnect' }] },
    'probe.options.faults[0].atTransfer',
    /needs atTransfer/,
  );
  invalid(
    t,
    { faults: [{ kind: 'disconnect', atTransfers: 3 }] },
    'probe.options.faults[0].atTransfers',
    /did you mean atTransfer/,
  );
  invalid(
    t,
    { faults: [{ kind: 'swd-wait', atAccess: 1, count: 0 }] },
    'probe.options.faults[0].count',
    /integer from 1/,
  );
});

test('clone: a boolean, passed to the sim (binary serial, no voltage, no NRST)', (t) => {
  t.is(parseVirtualOptions({ clone: true }, '/recipes').clone, true);
  t.is(parseVirtualOptions({ clone: false }, '/recipes').clone, false);
  invalid(t, { clone: 'yes' }, 'probe.options.clone', /expected true or false, got "yes"/);
});

test('serialNumber: printable ASCII, passed to the sim (several probes of one kind on a bus)', (t) => {
  t.is(parseVirtualOptions({ serialNumber: 'FW0001' }, '/recipes').serialNumber, 'FW0001');
  t.is(parseVirtualOptions({}, '/recipes').serialNumber, undefined);
  invalid(t, { serialNumber: 'has space' }, 'probe.options.serialNumber', /printable ASCII/);
  invalid(t, { serialNumber: 7 }, 'probe.options.serialNumber', /non-empty string/);
});

test('nRF52 options: revision and approtect', (t) => {
  t.like(
    parseVirtualOptions({ device: 'nRF52840', revision: 'hardened', approtect: true }, '/recipes'),
    { device: 'nRF52840', revision: 'hardened', approtect: true },
  );
  // The firmware itself now writes APPROTECT.DISABLE on the simulated core: no stand-in option.
  invalid(
    t,
    { firmwareDisablesApprotect: true },
    'probe.options.firmwareDisablesApprotect',
    /unknown|not an option|expected/i,
  );
  invalid(t, { revision: 'hardend' }, 'probe.options.revision', /did you mean hardened/);
  invalid(t, { approtect: 'yes' }, 'probe.options.approtect', /true or false/);
  invalid(t, { aprotect: true }, 'probe.options.aprotect', /did you mean approtect/);
});

test('device takes a DEV_ID, as a YAML number or as text', (t) => {
  t.is(parseVirtualOptions({ device: 0x436 }, '/recipes').device, '0x436');
  t.is(parseVirtualOptions({ device: '0x436' }, '/recipes').device, '0x436');
});
