import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import type { MemoryPort, Probe } from '@flashwright/core/plugin';
import { createVirtualSession } from '@flashwright/sim';
import { createTestChip } from '@flashwright/sim/test-chip';
import { StLinkProbe } from '@flashwright/transport-stlink';
import { identifyStm32 } from '../src/identify/identify.js';
import { recordingLog } from './helpers/sim-rig.js';

/**
 * ID registers only (no flash controller): what identification reads before it knows the
 * part. Unmapped addresses fault as a MEM-AP does.
 */
function registers(values: Readonly<Record<number, number>>): { probe: Probe; memory: MemoryPort } {
  const read32 = (address: number): Promise<number> => {
    const value = values[address];
    if (value === undefined) {
      return Promise.reject(
        new FlashwrightError('TARGET_FAULT', `fault at 0x${address.toString(16)}`),
      );
    }
    return Promise.resolve(value);
  };
  const memory: MemoryPort = {
    read32,
    write32: () => Promise.resolve(),
    read: () => Promise.reject(new Error('not used')),
    write: () => Promise.resolve(),
  };
  const probe: Probe = {
    info: { transport: 'test', name: 'register map' },
    access: { level: 'memory' },
    warnings: [],
    memory,
    connect: () => Promise.resolve({}),
    reset: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { probe, memory };
}

const M3 = 0x412fc231;
const M4 = 0x410fc241;
const M7 = 0x411fc270;
const DHCSR_HALTED = 0x00030003;

test('an unknown DEV_ID is TARGET_UNKNOWN_DEVICE naming the id and where it was read', async (t) => {
  const ctx = registers({ 0xe000ed00: M3, 0xe0042000: 0x10007123, 0xe000edf0: DHCSR_HALTED });
  const error = await t.throwsAsync(identifyStm32({ ...ctx, log: recordingLog() }));
  t.is((error as { code?: string }).code, 'TARGET_UNKNOWN_DEVICE');
  t.regex(error?.message ?? '', /0xE0042000.*0x10007123.*DEV_ID 0x123/);
});

test('nothing answering CPUID is TARGET_NO_RESPONSE', async (t) => {
  const zero = registers({ 0xe000ed00: 0 });
  const e1 = await t.throwsAsync(identifyStm32({ ...zero, log: recordingLog() }));
  t.is((e1 as { code?: string }).code, 'TARGET_NO_RESPONSE');
  const fault = registers({});
  const e2 = await t.throwsAsync(identifyStm32({ ...fault, log: recordingLog() }));
  t.is((e2 as { code?: string }).code, 'TARGET_NO_RESPONSE');
});

test('an F4 revision A reporting 0x411 on a Cortex-M4 is identified as 0x413 with a note', async (t) => {
  const ctx = registers({
    0xe000ed00: M4,
    0xe0042000: 0x10000411,
    0x1fff7a20: 0x04000000, // flash size 1024 KiB in the upper half-word (0x1FFF7A22)
    0x40023c14: 0x0fffaaed, // OPTCR: RDP 0xAA
    0xe000edf0: DHCSR_HALTED,
  });
  const device = await identifyStm32({ ...ctx, log: recordingLog() });
  t.is(device?.facts['devId'], '0x413');
  t.is(device?.flashSize.kib, 1024);
  t.regex(device?.notes.join('\n') ?? '', /revision A/);
});

test('an H7 is found at 0x5C001000 when 0xE0042000 faults', async (t) => {
  const ctx = registers({
    0xe000ed00: M7,
    0x5c001000: 0x10036450,
    0x1ff1e880: 0x00000800,
    0x5200201c: 0x0000aa00, // OPTSR_CUR: RDP 0xAA
    0x52002038: 0xff,
    0x52002138: 0xff,
  });
  const device = await identifyStm32({ ...ctx, log: recordingLog() });
  t.is(device?.facts['devId'], '0x450');
  t.is(device?.facts['idcodeAddress'], '0x5C001000');
  t.is(device?.flash.length, 2);
});

test('a chip that is not an STM32 is left to other families', async (t) => {
  const session = createVirtualSession({ probe: 'stlink-v2' }, () => createTestChip());
  const stlink = await StLinkProbe.open(session.device, { log: recordingLog() });
  try {
    await stlink.connect();
    const device = await identifyStm32({
      probe: stlink,
      memory: stlink.memory,
      log: recordingLog(),
    });
    t.is(device, undefined);
  } finally {
    await stlink.close();
    await session.close();
  }
});
