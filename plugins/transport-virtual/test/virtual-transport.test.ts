/** transport-virtual over the sim: options in, the real ST-Link driver out. */
import test from 'ava';
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlashwrightError, PLUGIN_API_VERSION } from '@flashwright/core';
import type { Logger, ProbeRequest } from '@flashwright/core/plugin';
import { createVirtualSession, SRAM_BASE, type VirtualSession } from '@flashwright/sim';
import {
  createVirtualTransport,
  DEFAULT_VIRTUAL_DEVICE,
  plugin,
  VirtualProbe,
} from '../src/index.js';

const log: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined };

function request(
  options: Record<string, unknown>,
  fields: Partial<ProbeRequest> = {},
): ProbeRequest {
  return { options, recipeDir: mkdtempSync(join(tmpdir(), 'fw-virtual-')), log, ...fields };
}

test('the plugin exposes the "virtual" transport; list() shows one usable virtual probe', async (t) => {
  const p = plugin();
  t.is(p.meta.name, '@flashwright/transport-virtual');
  t.is(p.meta.apiVersion, PLUGIN_API_VERSION);
  const transport = p.transports?.[0];
  t.is(transport?.id, 'virtual');
  const listings = (await transport?.list()) ?? [];
  t.is(listings.length, 1);
  t.like(listings[0], { transport: 'virtual', usable: true });
});

test('open() builds the board from the options and drives it with the real ST-Link driver', async (t) => {
  let captured: VirtualSession | undefined;
  const transport = createVirtualTransport((options) => (captured = createVirtualSession(options)));
  const probe = await transport.open(
    request({ probe: 'stlink-v3', device: 'STM32F411RE', firmware: 'V3J7M3B5S1', voltage: 2.9 }),
  );
  t.teardown(() => probe.close());
  t.true(probe instanceof VirtualProbe);
  t.like(probe.info, {
    transport: 'virtual',
    hardwareVersion: 'V3',
    firmwareVersion: 'V3J7M3B5S1',
    name: 'STLINK-V3E (virtual, STM32F411RE)',
  });
  const volts = await probe.targetVoltage?.();
  t.true(volts !== undefined && Math.abs(volts - 2.9) < 0.01);
  const { dpidr, speedKhz } = await probe.connect({ speedKhz: 24000 });
  t.is(dpidr, 0x2ba01477, 'the F4 SW-DP');
  t.is(speedKhz, 24000);
  await probe.memory.write(SRAM_BASE, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
  t.deepEqual(Array.from(await probe.memory.read(SRAM_BASE, 8)), [1, 2, 3, 4, 5, 6, 7, 8]);
  t.is(
    captured?.board.bus.read(SRAM_BASE + 4, 4),
    0x08070605,
    'the bytes are on the simulated bus',
  );
  const stats = probe.stats?.();
  t.true((stats?.virtualElapsedMs ?? 0) > 0, 'virtual time is reported');
  t.is(stats?.virtualElapsedMs, captured?.stats().virtualMs);
  t.true((stats?.transfers ?? 0) > 0);
});

test('the device defaults to the recipe target.device', async (t) => {
  const transport = createVirtualTransport();
  const probe = await transport.open(request({}, { targetDevice: 'STM32L151CBxxA' }));
  t.teardown(() => probe.close());
  t.regex(probe.info.name, /STM32L151CBxxA/);
  t.is(probe.info.hardwareVersion, 'V2');
});

test('no part named anywhere: the demo board’s STM32L151CBxxA, said as a warning', async (t) => {
  const transport = createVirtualTransport();
  const warnings: string[] = [];
  const probe = await transport.open(
    request({}, { log: { ...log, warn: (message) => warnings.push(message) } }),
  );
  t.teardown(() => probe.close());
  t.regex(probe.info.name, /\(virtual, STM32L151CBxxA\)/);
  t.is(DEFAULT_VIRTUAL_DEVICE, 'STM32L151CBxxA');
  t.deepEqual(warnings, [
    'No part is named (--chip, target.device or probe.options.device): the virtual probe simulates the demo board’s STM32L151CBxxA.',
  ]);
});

test('a state file’s part is kept when nothing names one; no warning', async (t) => {
  const transport = createVirtualTransport();
  const dir = mkdtempSync(join(tmpdir(), 'fw-virtual-state-'));
  const first = await transport.open(
    request({ device: 'STM32F411RE', state: 'board.json' }, { recipeDir: dir }),
  );
  await first.close();
  const warnings: string[] = [];
  const again = await transport.open(
    request(
      { state: 'board.json' },
      { recipeDir: dir, log: { ...log, warn: (message) => warnings.push(message) } },
    ),
  );
  t.teardown(() => again.close());
  t.regex(again.info.name, /STM32F411RE/);
  t.deepEqual(warnings, []);
});

test('an unknown part is RECIPE_INVALID naming probe.options.device', async (t) => {
  const transport = createVirtualTransport();
  const unknown = await t.throwsAsync(transport.open(request({ device: 'STM32F999ZZ' })), {
    instanceOf: FlashwrightError,
  });
  t.is(unknown?.code, 'RECIPE_INVALID');
  t.is(unknown?.exitCode, 2);
  t.is(unknown?.source?.keyPath, 'probe.options.device');
});

for (const [probe, name] of [
  ['cmsis-dap-v1', /DAPLink CMSIS-DAP \(virtual, STM32F103RB\)/],
  ['cmsis-dap-v2', /MCU-Link CMSIS-DAP \(virtual, STM32F103RB\)/],
] as const) {
  test(`${probe}: the real CMSIS-DAP driver in front of the simulated chip, raw-DAP access`, async (t) => {
    const opened = await createVirtualTransport().open(
      request({ probe, device: 'STM32F103RB', firmware: '0260' }),
    );
    t.teardown(() => opened.close());
    t.regex(opened.info.name, name);
    t.is(opened.info.firmwareVersion, '0260');
    t.is(opened.access.level, 'raw-dap');
    const result = await opened.connect({ mode: 'hot-plug' });
    t.is(result.dpidr, 0x1ba01477);
    // DBGMCU_IDCODE of the F103 medium density: DEV_ID 0x410.
    t.is((await opened.memory.read32(0xe0042000)) & 0xfff, 0x410);
    t.true((opened.stats?.().virtualElapsedMs ?? 0) > 0);
  });
}

test('state persists across two opens: the file is written on close and names the part', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-virtual-state-'));
  const options = { device: 'STM32F103RB', state: 'board.json' };
  const first = await createVirtualTransport().open(request(options, { recipeDir: dir }));
  await first.connect();
  await first.close();
  const file = join(dir, 'board.json');
  t.true(existsSync(file), 'state file written on close');
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { board: { device: string } };
  t.is(saved.board.device, 'STM32F103RB');
  const second = await createVirtualTransport().open(
    request({ state: 'board.json' }, { recipeDir: dir }),
  );
  t.regex(second.info.name, /STM32F103RB/, 'the part comes from the state file');
  await second.close();
});

test('injected faults reach the real driver: a disconnect is PROBE_DISCONNECTED, exit 4', async (t) => {
  const probe = await createVirtualTransport().open(
    request({ device: 'STM32F103RB', faults: [{ kind: 'disconnect', atTransfer: 30 }] }),
  );
  t.teardown(() => probe.close());
  await probe.connect();
  const error = await t.throwsAsync(probe.memory.write(SRAM_BASE, new Uint8Array(8192)), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'PROBE_DISCONNECTED');
  t.is(error?.exitCode, 4);
});

test('a bad option is RECIPE_INVALID before any hardware is built', async (t) => {
  let built = false;
  const transport = createVirtualTransport((options) => {
    built = true;
    return createVirtualSession(options);
  });
  const error = await t.throwsAsync(transport.open(request({ probe: 'stlink-v9' })), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'RECIPE_INVALID');
  t.false(built);
});
