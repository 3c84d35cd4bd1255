/**
 * The cost estimates `auto` weighs (Device.checksumCostMs against the probe's
 * limits.readBytesPerSecond) checked against what the virtual hardware spends: the on-chip
 * CRC-32 of 128 KiB on the interpreter at the line's reset clock, and a readback of the same
 * through the real ST-Link transport. The cheaper by estimate is the cheaper in virtual time.
 */
import test from 'ava';
import type { Probe } from '@flashwright/core/plugin';
import type { Stm32Device } from '../src/device/stm32-device.js';
import { stm32Family } from '../src/family.js';
import { noProgress, simRig } from './helpers/sim-rig.js';

const FLASH = 0x08000000;
const RANGE = { start: FLASH, end: FLASH + 128 * 1024 };

const cases = [
  // The L151's 2.1 MHz MSI: readback wins even through a V2 at 4 MHz.
  { device: 'STM32L151CBxxA', probe: 'stlink-v3', speedKhz: 24000, cheaper: 'readback' },
  { device: 'STM32L151CBxxA', probe: 'stlink-v2', speedKhz: 4000, cheaper: 'readback' },
  // 16 MHz HSI behind a V2: the CRC wins; behind a V3 at 24 MHz the readback, narrowly.
  { device: 'STM32F411RE', probe: 'stlink-v2', speedKhz: 4000, cheaper: 'crc' },
  { device: 'STM32F411RE', probe: 'stlink-v3', speedKhz: 24000, cheaper: 'readback' },
  { device: 'STM32L476RG', probe: 'stlink-v2', speedKhz: 4000, cheaper: 'crc' },
  { device: 'STM32H743ZI', probe: 'stlink-v3', speedKhz: 24000, cheaper: 'crc' },
] as const;

for (const c of cases) {
  test(`${c.device} behind ${c.probe} at ${c.speedKhz} kHz: ${c.cheaper} is cheaper, by estimate and in virtual time`, async (t) => {
    const rig = await simRig({ device: c.device, probe: c.probe }, c.speedKhz);
    t.teardown(() => rig.close());
    const device = await rig.identify();
    const crcEstimate = device.checksumCostMs(RANGE) ?? NaN;
    const readEstimate = (128 * 1024 * 1000) / (rig.probe.memory.limits?.readBytesPerSecond ?? NaN);

    let at = rig.elapsedMs();
    await device.checksum(RANGE);
    const crcSpent = rig.elapsedMs() - at;
    at = rig.elapsedMs();
    await device.read(RANGE.start, RANGE.end - RANGE.start, noProgress);
    const readSpent = rig.elapsedMs() - at;

    const numbers = `CRC est. ${crcEstimate.toFixed(1)} / spent ${crcSpent.toFixed(1)} ms, readback est. ${readEstimate.toFixed(1)} / spent ${readSpent.toFixed(1)} ms`;
    t.log(numbers);
    t.true(Math.abs(crcEstimate / crcSpent - 1) < 0.1, numbers);
    t.true(Math.abs(readEstimate / readSpent - 1) < 0.1, numbers);
    t.is(crcEstimate < readEstimate ? 'crc' : 'readback', c.cheaper, numbers);
    t.is(crcSpent < readSpent ? 'crc' : 'readback', c.cheaper, numbers);
  });
}

test('no CRC estimate where no code may run: a memory-only probe, or flash.loader: host', async (t) => {
  const rig = await simRig({ device: 'STM32F411RE' });
  t.teardown(() => rig.close());
  const memoryOnly: Probe = { ...rig.probe, access: { level: 'memory' } };
  const overMemory = (await stm32Family.identify({
    probe: memoryOnly,
    memory: memoryOnly.memory,
    log: rig.log,
  })) as Stm32Device;
  t.is(overMemory.checksumCostMs(RANGE), undefined);
  const host = await rig.identify({ loader: 'host' });
  t.is(host.checksumCostMs(RANGE), undefined);
  t.is(await host.checksum(RANGE), undefined);
  t.regex(host.codeUnavailable ?? '', /flash\.loader is host: no code runs on the target/);
  t.true(
    rig.log.lines.some((l) => /^info: CRC-32 on the chip not used: flash\.loader is host/.test(l)),
  );
  t.not((await rig.identify()).checksumCostMs(RANGE), undefined);
});
