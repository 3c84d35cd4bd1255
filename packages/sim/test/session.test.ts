import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import {
  createVirtualProbeSession,
  createVirtualSession,
  type VirtualSession,
} from '../src/session.js';
import { readStateFile } from '../src/state-file.js';
import { createTestChip, TEST_CHIP } from './helpers/test-chip.js';
import { block, le16, le32 } from './helpers/stlink-host.js';

const testChips = (): ReturnType<typeof createTestChip> => createTestChip();

function tempState(): string {
  return join(mkdtempSync(join(tmpdir(), 'fw-sim-')), 'board.json');
}

async function host(session: VirtualSession): Promise<{
  command: (cmd: Uint8Array, o?: { data?: Uint8Array; inLength?: number }) => Promise<Uint8Array>;
}> {
  const d = session.device;
  await d.open();
  await d.claimInterface(0);
  const out = d.variant.debugOut & 0xf;
  const command = async (
    cmd: Uint8Array,
    o: { data?: Uint8Array; inLength?: number } = {},
  ): Promise<Uint8Array> => {
    await d.transferOut(out, cmd);
    if (o.data) await d.transferOut(out, o.data);
    if (!o.inLength) return new Uint8Array(0);
    const r = await d.transferIn(1, o.inLength, 100);
    return new Uint8Array(r.data?.buffer ?? new ArrayBuffer(0));
  };
  const mode = await command(block(0xf5), { inLength: 2 });
  if (mode[0] === 0) await command(block(0xf3, 0x07));
  await command(block(0xf2, 0x30, 0xa3), { inLength: 2 });
  return { command };
}

test('two sessions with the same state file see the same memory (test chip)', async (t) => {
  const state = tempState();
  const first = createVirtualSession(
    { probe: 'stlink-v2-1', device: 'TESTCHIP', state },
    testChips,
  );
  const h1 = await host(first);
  await h1.command(block(0xf2, 0x08, ...le32(TEST_CHIP.NVM_START + 0x200), ...le16(4)), {
    data: Uint8Array.of(0xde, 0xc0, 0xad, 0x0b),
  });
  t.true(first.stats().virtualMs > 0);
  await first.close();
  t.true(existsSync(state));
  t.is(readStateFile(state)?.board.device, 'TESTCHIP');
  const second = createVirtualSession({ probe: 'stlink-v2-1', state }, testChips);
  const h2 = await host(second);
  const data = await h2.command(
    block(0xf2, 0x07, ...le32(TEST_CHIP.NVM_START + 0x200), ...le16(4)),
    { inLength: 4 },
  );
  t.deepEqual([...data], [0xde, 0xc0, 0xad, 0x0b]);
  await second.close();
});

test('two sessions see the same STM32F103 flash (programmed through the FPEC)', async (t) => {
  const state = tempState();
  const options = { probe: 'stlink-v2', device: 'STM32F103RB', state } as const;
  const first = createVirtualSession(options);
  const h1 = await host(first);
  const writeReg = (address: number, value: number): Promise<Uint8Array> =>
    h1.command(block(0xf2, 0x35, ...le32(address), ...le32(value)), { inLength: 2 });
  await writeReg(0x40022004, 0x45670123);
  await writeReg(0x40022004, 0xcdef89ab);
  await writeReg(0x40022010, 0x1); // PG
  await h1.command(block(0xf2, 0x48, ...le32(0x08000400), ...le16(8)), {
    data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
  });
  const status = await h1.command(block(0xf2, 0x3e), { inLength: 12 });
  t.is(status[0], 0x80);
  await first.close();
  const second = createVirtualSession(options);
  const h2 = await host(second);
  const data = await h2.command(block(0xf2, 0x07, ...le32(0x08000400), ...le16(12)), {
    inLength: 12,
  });
  t.deepEqual([...data], [1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xff]);
  await second.close();
  const saved = JSON.parse(readFileSync(state, 'utf8')) as { board: { device: string } };
  t.is(saved.board.device, 'STM32F103RB');
});

test('a power loss saves the state with only the bytes really written', async (t) => {
  const state = tempState();
  const session = createVirtualSession(
    {
      probe: 'stlink-v3',
      device: 'TESTCHIP',
      state,
      faults: [{ kind: 'power-loss', afterFlashBytes: 3 }],
    },
    testChips,
  );
  const h = await host(session);
  await h.command(block(0xf2, 0x0d, ...le32(TEST_CHIP.NVM_START + 0x10), ...le16(8)), {
    data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
  });
  await Promise.resolve();
  const saved = readStateFile(state);
  t.true(saved?.board.powerLost);
  const nvm = Buffer.from(String(saved?.chip.nvm), 'base64');
  t.deepEqual([...nvm.subarray(0x10, 0x18)], [1, 2, 3, 0xff, 0xff, 0xff, 0xff, 0xff]);
  await session.close();
});

test('bad options and bad state files are RECIPE_INVALID with the key path', (t) => {
  const unknown = t.throws(
    () => createVirtualSession({ probe: 'stlink-v2', device: 'STM32X999' }),
    {
      instanceOf: FlashwrightError,
    },
  );
  t.is(unknown.code, 'RECIPE_INVALID');
  t.is(unknown.source?.keyPath, 'probe.options.device');
  const firmware = t.throws(
    () =>
      createVirtualSession(
        { probe: 'stlink-v3', device: 'TESTCHIP', firmware: 'V2J37S7' },
        testChips,
      ),
    { instanceOf: FlashwrightError },
  );
  t.is(firmware.source?.keyPath, 'probe.options.firmware');
  const cmsis = t.throws(
    () => createVirtualSession({ probe: 'cmsis-dap-v2', device: 'TESTCHIP' }, testChips),
    {
      instanceOf: FlashwrightError,
    },
  );
  t.regex(cmsis.message, /createVirtualCmsisDapSession/);
  t.is(
    createVirtualProbeSession({ probe: 'cmsis-dap-v1', device: 'TESTCHIP' }, testChips).device
      .productName,
    'DAPLink CMSIS-DAP',
  );
  const garbage = tempState();
  writeFileSync(garbage, '{ not json');
  const bad = t.throws(
    () => createVirtualSession({ probe: 'stlink-v2', state: garbage }, testChips),
    {
      instanceOf: FlashwrightError,
    },
  );
  t.is(bad.code, 'RECIPE_INVALID');
  t.regex(bad.hint ?? '', /Delete the file/);
  const other = tempState();
  writeFileSync(
    other,
    JSON.stringify({
      format: 'flashwright-sim-state',
      version: 1,
      board: { device: 'X' },
      chip: { part: 'OTHER' },
    }),
  );
  t.throws(() => createVirtualSession({ probe: 'stlink-v2', state: other }, testChips), {
    message: /holds a OTHER, not a TESTCHIP/,
  });
});

test('rdp applies to a new board only; flashSizeRaw reaches the chip', async (t) => {
  const state = tempState();
  const s1 = createVirtualSession({
    probe: 'stlink-v2-1',
    device: 'STM32L151CBxxA',
    state,
    rdp: 1,
    flashSizeRaw: 0x6b80,
  });
  const h1 = await host(s1);
  const size = await h1.command(block(0xf2, 0x47, ...le32(0x1ff8004c), ...le16(2)), {
    inLength: 2,
  });
  t.deepEqual([...size], [0x80, 0x6b]);
  const flash = await h1.command(block(0xf2, 0x07, ...le32(0x08000000), ...le16(4)), {
    inLength: 4,
  });
  t.is(flash.length, 4);
  t.is(
    (await h1.command(block(0xf2, 0x3e), { inLength: 12 }))[0],
    0x11,
    'RDP 1 blocks flash reads',
  );
  await s1.close();
  const s2 = createVirtualSession({
    probe: 'stlink-v2-1',
    device: 'STM32L151CBxxA',
    state,
    rdp: 0,
  });
  const h2 = await host(s2);
  await h2.command(block(0xf2, 0x07, ...le32(0x08000000), ...le16(4)), { inLength: 4 });
  t.is(
    (await h2.command(block(0xf2, 0x3e), { inLength: 12 }))[0],
    0x11,
    'still protected: the state wins',
  );
  await s2.close();
});
