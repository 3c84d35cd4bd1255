import test from 'ava';
import { existsSync } from 'node:fs';
import { FlashwrightError } from '@flashwright/core';
import { plugin } from '../src/index.js';

const hasUsbSubsystem = existsSync('/sys/bus/usb/devices');

test('the plugin exposes one "stlink" transport with the current plugin API', (t) => {
  const p = plugin();
  t.is(p.meta.name, '@flashwright/transport-stlink');
  t.is(p.meta.apiVersion, 2);
  t.deepEqual(
    p.transports?.map((tr) => tr.id),
    ['stlink'],
  );
});

test('list() on a machine without a USB subsystem is PROBE_NO_USB (exit 4), not a crash', async (t) => {
  const transport = plugin().transports?.[0];
  if (!transport) {
    t.fail('no transport');
    return;
  }
  if (hasUsbSubsystem) {
    // On a machine with USB the same call must succeed (possibly with no probes).
    const listings = await transport.list();
    t.true(Array.isArray(listings));
    return;
  }
  const error = await t.throwsAsync(transport.list(), { instanceOf: FlashwrightError });
  t.is(error?.code, 'PROBE_NO_USB');
  t.is(error?.exitCode, 4);
  t.regex(error?.message ?? '', /no usable USB subsystem/);
  t.regex(error?.hint ?? '', /--probe virtual/);
});

test('open() without USB is PROBE_NO_USB too', async (t) => {
  const transport = plugin().transports?.[0];
  if (!transport || hasUsbSubsystem) {
    t.pass('USB present: covered by the list() test');
    return;
  }
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined };
  const error = await t.throwsAsync(transport.open({ options: {}, recipeDir: '.', log }), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'PROBE_NO_USB');
});
