/** `flash` without --probe: the search for the one connected probe. */
import test from 'ava';
import * as root from '@flashwright/core';
import { builtinTransports } from '@flashwright/core/runner';
import type { ProbeListing, TransportFactory } from '@flashwright/core/plugin';
import type { PluginSet } from '@flashwright/core/runner';
import { findTheProbe } from '../src/commands/find-probe.js';
import type { CommandContext } from '../src/context.js';

const core = { ...root, builtinTransports };
const ctx = { core, signal: new AbortController().signal } as unknown as CommandContext;

function transport(id: string, list: () => Promise<readonly ProbeListing[]>): TransportFactory {
  return { id, description: id, list, open: () => Promise.reject(new Error('not opened here')) };
}

/** A plugin set holding `transports`; flashwright's own are not installed. */
function pluginsWith(transports: readonly TransportFactory[], asked: string[] = []): PluginSet {
  return {
    transport: (spec: string) => {
      asked.push(spec);
      return Promise.reject(new root.FlashwrightError('PLUGIN_NOT_INSTALLED', `${spec} missing`));
    },
    transports: () => [...transports],
  } as unknown as PluginSet;
}

const probe = (transportId: string, serial: string, usable = true): ProbeListing => ({
  transport: transportId,
  name: `${transportId} probe`,
  serial,
  usable,
});

test('the one usable probe is chosen; the virtual probe and GDB servers are never asked', async (t) => {
  const listed: string[] = [];
  const asked: string[] = [];
  const lister = (id: string, probes: ProbeListing[]) =>
    transport(id, () => {
      listed.push(id);
      return Promise.resolve(probes);
    });
  const found = await findTheProbe(
    ctx,
    pluginsWith(
      [
        lister('virtual', [probe('virtual', 'V')]),
        lister('gdb', []),
        lister('acme', [probe('acme', 'A1'), probe('acme', 'A2', false)]),
      ],
      asked,
    ),
  );
  t.like(found, { transport: 'acme', serial: 'A1' });
  t.deepEqual(listed, ['acme']);
  t.deepEqual(asked, ['stlink', 'cmsis-dap'], 'the built-in hardware transports are loaded');
});

test('several usable probes: PROBE_AMBIGUOUS naming each, and how to pick one', async (t) => {
  const error = await t.throwsAsync(
    findTheProbe(
      ctx,
      pluginsWith([
        transport('acme', () => Promise.resolve([probe('acme', 'A1'), probe('acme', 'A2')])),
      ]),
    ),
    { instanceOf: root.FlashwrightError },
  );
  t.is(error?.code, 'PROBE_AMBIGUOUS');
  t.is(error?.exitCode, 4);
  t.regex(
    error?.message ?? '',
    /2 probes are connected:\n {2}acme acme probe \(serial A1\)\n {2}acme acme probe \(serial A2\)/,
  );
  t.regex(error?.hint ?? '', /--probe acme:A1/);
});

test('no usable probe: PROBE_NOT_FOUND saying what was seen and how to name a probe', async (t) => {
  const unusable: ProbeListing = {
    ...probe('acme', 'A1', false),
    problem: { code: 'PROBE_ACCESS_DENIED', message: 'permission denied', hint: 'add a udev rule' },
  };
  const error = await t.throwsAsync(
    findTheProbe(
      ctx,
      pluginsWith([
        transport('acme', () => Promise.resolve([unusable])),
        transport('usbless', () =>
          Promise.reject(new root.FlashwrightError('PROBE_NO_USB', 'no USB here')),
        ),
      ]),
    ),
    { instanceOf: root.FlashwrightError },
  );
  t.is(error?.code, 'PROBE_NOT_FOUND');
  t.is(error?.exitCode, 4);
  t.regex(
    error?.message ?? '',
    /acme acme probe \(serial A1\): permission denied \(add a udev rule\)/,
  );
  t.regex(error?.message ?? '', /usbless: no USB here/);
  t.regex(error?.hint ?? '', /--probe: gdb:HOST:PORT .*virtual/);
});

test('a transport that fails to load for another reason than not being installed is an error', async (t) => {
  const plugins = {
    transport: () => Promise.reject(new root.FlashwrightError('PLUGIN_INVALID', 'broken')),
    transports: () => [],
  } as unknown as PluginSet;
  const error = await t.throwsAsync(findTheProbe(ctx, plugins));
  t.is((error as root.FlashwrightError).code, 'PLUGIN_INVALID');
});
