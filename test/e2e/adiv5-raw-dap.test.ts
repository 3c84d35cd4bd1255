/**
 * The stm32 family over core's ADIv5 layer: a simulated STM32 behind the ideal raw-DAP wire
 * (@flashwright/sim simSwdWire), connected with connectSwd, wrapped in the smallest `raw-dap`
 * Probe (what a CMSIS-DAP transport builds), identified, erased, programmed and read back
 * through the family's own flash code: the raw-DAP path carries what the ST-Link path does.
 */
import test from 'ava';
import type { FlashwrightError } from '@flashwright/core';
import { connectSwd, type SwdConnection } from '@flashwright/core/adiv5';
import { CortexM } from '@flashwright/core/arm';
import { FlashImage, bytesEqual } from '@flashwright/core/image';
import type { Logger, Probe } from '@flashwright/core/plugin';
import {
  FaultPlan,
  SimBoard,
  createNrf52Chip,
  createStm32Chip,
  simSwdWire,
  type ChipModel,
  type FaultSpec,
  type Stm32ChipOptions,
} from '@flashwright/sim';
import { nrfFamily } from '@flashwright/target-nrf';
import { stm32Family } from '@flashwright/target-stm32';

const log: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined };

interface RawDapRig {
  readonly board: SimBoard;
  readonly connection: SwdConnection;
  readonly probe: Probe;
}

async function rawDapRig(
  chip: Stm32ChipOptions | ChipModel,
  faults: FaultSpec[] = [],
): Promise<RawDapRig> {
  const model = 'device' in chip ? createStm32Chip(chip) : chip;
  const board = new SimBoard({ chip: model, faults: new FaultPlan(faults) });
  const wire = simSwdWire(board);
  const connection = await connectSwd(wire, { log, waitRetry: { retries: 4, firstDelayMs: 0 } });
  const memory = await connection.memory(0);
  const core = new CortexM(memory);
  const probe: Probe = {
    info: { transport: 'sim-raw-dap', name: 'ideal raw-DAP wire' },
    access: { level: 'raw-dap', dap: connection.dap, wire },
    warnings: [],
    memory,
    connect: () => Promise.resolve({ dpidr: connection.dpidr }),
    reset: (_kind, options) =>
      core.resetSystem({ halt: options?.halt ?? false, signal: options?.signal }),
    close: () => Promise.resolve(),
  };
  return { board, connection, probe };
}

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = 1 + ((x >>> 24) % 254);
  }
  return out;
}

for (const part of ['STM32F411RE', 'STM32F103C8', 'STM32L476RG', 'STM32L151CBxxA']) {
  test(`${part}: identified, erased, programmed and read back over the raw-DAP path`, async (t) => {
    const { probe } = await rawDapRig({ device: part });
    const device = await stm32Family.identify({ probe, memory: probe.memory, log });
    t.truthy(device);
    if (!device) return;
    t.true(device.matches(part), device.name);
    const region = device.flash[0];
    if (!region) return t.fail('no flash');
    const sector = region.sectors[0];
    if (!sector) return t.fail('no sector');
    const data = pattern(Math.min(4096, sector.end - sector.start), part.length);
    await device.erase([sector], () => undefined);
    await device.program(FlashImage.from([[sector.start, data]]), () => undefined);
    t.true(bytesEqual(await device.read(sector.start, data.length, () => undefined), data));
    t.is((await device.protection()).readLevel, 0);
  });
}

test('a chip at RDP level 2 does not answer on SWD: TARGET_NO_RESPONSE, no hang', async (t) => {
  const board = new SimBoard({ chip: createStm32Chip({ device: 'STM32F411RE', rdp: 2 }) });
  const error = await t.throwsAsync<FlashwrightError>(connectSwd(simSwdWire(board)));
  t.is(error?.code, 'TARGET_NO_RESPONSE');
  t.regex(error?.message ?? '', /DPIDR/);
});

async function programSector(rig: RawDapRig, seed: number): Promise<boolean> {
  const device = await stm32Family.identify({ probe: rig.probe, memory: rig.probe.memory, log });
  const sector = device?.flash[0]?.sectors[0];
  if (!device || !sector) throw new Error('not identified');
  const data = pattern(1024, seed);
  await device.erase([sector], () => undefined);
  await device.program(FlashImage.from([[sector.start, data]]), () => undefined);
  return bytesEqual(await device.read(sector.start, data.length, () => undefined), data);
}

test('WAIT during erase and programming: short storms are ridden out, a long one is TARGET_NO_RESPONSE', async (t) => {
  const short = await rawDapRig({ device: 'STM32F103C8' }, [
    { kind: 'swd-wait', atAccess: 300, count: 3 },
    { kind: 'swd-wait', atAccess: 900, count: 2 },
  ]);
  t.true(await programSector(short, 9));
  const long = await rawDapRig({ device: 'STM32F103C8' }, [
    { kind: 'swd-wait', atAccess: 400, count: 1000 },
  ]);
  const error = await t.throwsAsync<FlashwrightError>(programSector(long, 9));
  t.is(error?.code, 'TARGET_NO_RESPONSE');
  t.regex(error?.message ?? '', /kept answering WAIT/);
});

test('a bus fault under the flash ends in TARGET_FAULT at its address; the link works after it', async (t) => {
  const rig = await rawDapRig({ device: 'STM32F411RE' }, [
    { kind: 'bus-fault', address: 0x08000404 },
  ]);
  const error = await t.throwsAsync<FlashwrightError>(rig.probe.memory.read(0x08000000, 2048));
  t.is(error?.code, 'TARGET_FAULT');
  t.regex(error?.message ?? '', /0x08000404/);
  t.is((await rig.probe.memory.read(0x08000000, 1024)).length, 1024);
});

test('nRF52840: AP discovery finds the AHB-AP and the CTRL-AP; the nrf family programs a page', async (t) => {
  const rig = await rawDapRig(createNrf52Chip({ device: 'nRF52840' }));
  const aps = await rig.connection.aps();
  t.deepEqual(
    aps.map((ap) => [ap.apsel, ap.class, ap.name]),
    [
      [0, 'mem-ap', 'AHB-AP'],
      [1, 'vendor', 'Nordic CTRL-AP'],
    ],
  );
  const device = await nrfFamily.identify({ probe: rig.probe, memory: rig.probe.memory, log });
  if (!device) return t.fail('not identified');
  t.true(device.matches('nRF52840'), device.name);
  const page = { start: 0x1000, end: 0x2000 };
  const data = pattern(4096, 40);
  await device.erase([page], () => undefined);
  await device.program(FlashImage.from([[page.start, data]]), () => undefined);
  t.true(bytesEqual(await device.read(page.start, data.length, () => undefined), data));
});

test('nRF52840 with APPROTECT: the AHB-AP faults, the CTRL-AP answers through access.dap', async (t) => {
  const rig = await rawDapRig(createNrf52Chip({ device: 'nRF52840', approtect: true }));
  const error = await t.throwsAsync<FlashwrightError>(rig.probe.memory.read32(0x10000100));
  t.is(error?.code, 'TARGET_FAULT');
  // CTRL-AP APPROTECTSTATUS (0x0C) reads 0 while protection is on.
  t.is(await rig.connection.dap.readAp(1, 0x0c), 0);
  t.is(await rig.connection.dap.readAp(1, 0xfc), 0x02880000);
});
