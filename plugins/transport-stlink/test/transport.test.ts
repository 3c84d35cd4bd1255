/** list() and open() selection over a backend of several virtual ST-Links. */
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import type { ProbeRequest } from '@flashwright/core/plugin';
import type { VirtualSession } from '@flashwright/sim';
import { createStLinkTransport, type UsbBackend } from '../src/transport.js';
import { recordingLog, session } from './helpers/virtual.js';

function backendOf(sessions: readonly VirtualSession[], extra: USBDevice[] = []): UsbBackend {
  return { getDevices: () => Promise.resolve([...sessions.map((s) => s.device), ...extra]) };
}

function request(fields: Partial<ProbeRequest> = {}): ProbeRequest {
  return { options: { timeoutMs: 200 }, recipeDir: '.', log: recordingLog(), ...fields };
}

test('list(): every ST-Link with serial, hardware line and firmware; others ignored', async (t) => {
  const sessions = [
    session({ probe: 'stlink-v2' }),
    session({ probe: 'stlink-v3', serialNumber: '003A00483137510D33333640' }),
    session({ probe: 'stlink-v2', clone: true }),
  ];
  t.teardown(() => Promise.all(sessions.map((s) => s.close())));
  const stranger = { vendorId: 0x1234, productId: 0x5678 } as USBDevice;
  const listings = await createStLinkTransport(backendOf(sessions, [stranger])).list();
  t.is(listings.length, 3);
  t.like(listings[0], {
    transport: 'stlink',
    hardwareVersion: 'V2',
    firmwareVersion: 'V2J37S7',
    usable: true,
  });
  t.like(listings[1], {
    hardwareVersion: 'V3',
    firmwareVersion: 'V3J7M3B5S1',
    serial: '003A00483137510D33333640',
  });
  t.like(listings[2], { serial: '55FF6D066684564928211687', usable: true });
  t.false(sessions[0]?.device.opened, 'list() closes what it opened');
});

test('list() without opening: no firmware, still usable', async (t) => {
  const s = session();
  t.teardown(() => s.close());
  const [listing] = await createStLinkTransport(backendOf([s]), {
    readFirmwareOnList: false,
  }).list();
  t.like(listing, { usable: true, firmwareVersion: undefined, hardwareVersion: 'V2' });
});

test('a probe that cannot be opened (EACCES) is listed with the udev rule that fixes it', async (t) => {
  const s = session({ probe: 'stlink-v2-1' });
  t.teardown(() => s.close());
  const denied = new Proxy(s.device, {
    get(target, key) {
      if (key === 'open')
        return () => Promise.reject(new Error('LIBUSB_ERROR_ACCESS: Permission denied'));
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  const [listing] = await createStLinkTransport(backendOf([], [denied]), {
    platform: 'linux',
  }).list();
  t.false(listing?.usable);
  t.is(listing?.problem?.code, 'PROBE_ACCESS_DENIED');
  t.regex(listing?.problem?.hint ?? '', /TAG\+="uaccess"/);
  t.regex(listing?.problem?.hint ?? '', /idProduct}=="374b"/);
  t.notRegex(listing?.problem?.hint ?? '', /MODE/);
  const error = await t.throwsAsync(
    createStLinkTransport(backendOf([], [denied]), { platform: 'linux' }).open(request()),
    { instanceOf: FlashwrightError },
  );
  t.is(error?.code, 'PROBE_ACCESS_DENIED');
  t.is(error?.exitCode, 4);
  t.regex(error?.hint ?? '', /70-flashwright-stlink\.rules/);
});

test('open(): several probes and no selector is PROBE_AMBIGUOUS listing them', async (t) => {
  const sessions = [session({ probe: 'stlink-v2' }), session({ probe: 'stlink-v2-1' })];
  t.teardown(() => Promise.all(sessions.map((s) => s.close())));
  const transport = createStLinkTransport(backendOf(sessions));
  const error = await t.throwsAsync(transport.open(request()), { instanceOf: FlashwrightError });
  t.is(error?.code, 'PROBE_AMBIGUOUS');
  t.is(error?.exitCode, 4);
  for (const s of sessions)
    t.true(error?.message.includes(s.device.serialNumber), s.device.serialNumber);
  t.regex(error?.hint ?? '', /--probe/);
});

test('open(): by serial (prefix, any case), by index; unknown ones are PROBE_NOT_FOUND', async (t) => {
  const sessions = [session({ probe: 'stlink-v2' }), session({ probe: 'stlink-v2-1' })];
  t.teardown(() => Promise.all(sessions.map((s) => s.close())));
  const transport = createStLinkTransport(backendOf(sessions));
  const wanted = sessions[1]?.device.serialNumber ?? '';
  const bySerial = await transport.open(request({ serial: wanted.slice(0, 8).toLowerCase() }));
  t.is(bySerial.info.serial, wanted);
  await bySerial.close();
  const byIndex = await transport.open(request({ index: 0 }));
  t.is(byIndex.info.serial, sessions[0]?.device.serialNumber);
  await byIndex.close();
  const missing = await t.throwsAsync(transport.open(request({ serial: 'FFFF' })), {
    instanceOf: FlashwrightError,
  });
  t.is(missing?.code, 'PROBE_NOT_FOUND');
  t.regex(missing?.message ?? '', /serial FFFF/);
  t.true(missing?.message.includes(wanted));
  const badIndex = await t.throwsAsync(transport.open(request({ index: 5 })), {
    instanceOf: FlashwrightError,
  });
  t.is(badIndex?.code, 'PROBE_NOT_FOUND');
});

test('open(): no probe at all is PROBE_NOT_FOUND with the catalogue hint', async (t) => {
  const error = await t.throwsAsync(createStLinkTransport(backendOf([])).open(request()), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'PROBE_NOT_FOUND');
  t.regex(error?.message ?? '', /No ST-Link is connected/);
  t.regex(error?.hint ?? '', /flashwright probes/);
});

test('a single probe opens without a selector and reports stats', async (t) => {
  const s = session({ probe: 'stlink-v3' });
  t.teardown(() => s.close());
  const probe = await createStLinkTransport(backendOf([s])).open(request());
  await probe.connect({ speedKhz: 8000 });
  t.true((probe.stats?.().transfers ?? 0) > 10);
  await probe.close();
  t.false(s.device.opened);
});
