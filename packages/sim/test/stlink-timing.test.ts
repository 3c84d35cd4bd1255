import test from 'ava';
import { swdAccessUs } from '../src/timing.js';
import { TEST_CHIP } from './helpers/test-chip.js';
import { block, le16, le32, rig } from './helpers/stlink-host.js';

test('a command costs the USB round trip plus its payload (full- and high-speed)', async (t) => {
  const v2 = await rig({ probe: 'stlink-v2' });
  let before = v2.board.clock.nowUs;
  await v2.command(block(0xf1), { inLength: 6 });
  t.is(v2.board.clock.nowUs - before, 1000 + 6);
  const v3 = await rig({ probe: 'stlink-v3' });
  before = v3.board.clock.nowUs;
  await v3.command(block(0xf1), { inLength: 6 });
  t.is(v3.board.clock.nowUs - before, 125 + 6 / 30);
});

test('a 6144-byte write costs USB time plus 46 SWD clocks per word (and a few setup accesses)', async (t) => {
  const r = await rig({ probe: 'stlink-v2-1', chip: { ramBytes: 8192 } });
  await r.enterSwd();
  await r.command(block(0xf2, 0x43, 0x00, 0x00), { inLength: 2 }); // 4 MHz
  await r.command(block(0xf2, 0x07, ...le32(TEST_CHIP.RAM_START), ...le16(4)), { inLength: 4 });
  const before = r.board.clock.nowUs;
  await r.command(block(0xf2, 0x08, ...le32(TEST_CHIP.RAM_START), ...le16(6144)), {
    data: new Uint8Array(6144),
  });
  const elapsed = r.board.clock.nowUs - before;
  const floor = 1000 + 6144 + swdAccessUs(1536, 4000);
  t.true(elapsed >= floor, `${elapsed} >= ${floor}`);
  // TAR is written at the start and at each of the 5 inner 1 KB boundaries.
  t.true(elapsed <= floor + swdAccessUs(8, 4000), `${elapsed} close to ${floor}`);
});

test('flash busy time overlaps the next command; a write while busy stalls the bus', async (t) => {
  const r = await rig({ probe: 'stlink-v2-1', chip: { programUs: 3000 } });
  await r.enterSwd();
  const write = (offset: number): Promise<Uint8Array> =>
    r.command(block(0xf2, 0x08, ...le32(TEST_CHIP.NVM_START + offset), ...le16(4)), {
      data: Uint8Array.of(1, 2, 3, 4),
    });
  await write(0x100);
  const busyUntil = r.chip.nvm.busyUntilUs;
  await write(0x104);
  const secondStart = r.chip.nvm.busyUntilUs - 3000;
  t.true(secondStart >= busyUntil, 'the second program waited for the first');
  t.true(secondStart - busyUntil < 1, 'and started as soon as it was done');
  t.deepEqual([...r.chip.nvm.bytes.subarray(0x100, 0x108)], [1, 2, 3, 4, 1, 2, 3, 4]);
});

test("timing 'realtime' sleeps the virtual time a transfer takes", async (t) => {
  const r = await rig({ probe: 'stlink-v2-1', timing: 'realtime', chip: { ramBytes: 8192 } });
  await r.enterSwd();
  const before = r.board.clock.nowUs;
  const started = performance.now();
  await r.command(block(0xf2, 0x07, ...le32(TEST_CHIP.RAM_START), ...le16(6144)), {
    inLength: 6144,
  });
  const realMs = performance.now() - started;
  const virtualMs = (r.board.clock.nowUs - before) / 1000;
  t.true(virtualMs > 20);
  t.true(realMs >= virtualMs * 0.9, `slept ${realMs} ms for ${virtualMs} virtual ms`);
});

test("timing 'realtime': the board's clock never falls behind the wall clock of a slow host", async (t) => {
  const r = await rig({ probe: 'stlink-v2-1', timing: 'realtime', chip: { ramBytes: 8192 } });
  await r.enterSwd();
  const before = r.board.clock.nowUs;
  // The host takes 60 ms between two commands (a guest behind usbredir, say).
  await new Promise((resolve) => setTimeout(resolve, 60));
  await r.command(block(0xf2, 0x07, ...le32(TEST_CHIP.RAM_START), ...le16(4)), { inLength: 4 });
  t.true(
    (r.board.clock.nowUs - before) / 1000 >= 60,
    'a flash operation started before ends in wall time',
  );
});

test("timing 'instant' keeps pure virtual time: a slow host does not advance the board", async (t) => {
  const r = await rig({ probe: 'stlink-v2-1', timing: 'instant', chip: { ramBytes: 8192 } });
  await r.enterSwd();
  const before = r.board.clock.nowUs;
  await new Promise((resolve) => setTimeout(resolve, 60));
  await r.command(block(0xf2, 0x07, ...le32(TEST_CHIP.RAM_START), ...le16(4)), { inLength: 4 });
  t.true((r.board.clock.nowUs - before) / 1000 < 10);
});

test.serial(
  "timing 'realtime' on a host slower than the probe: no transfer sleeps its modelled cost on top",
  async (t) => {
    const r = await rig({ probe: 'stlink-v2-1', timing: 'realtime', chip: { ramBytes: 8192 } });
    await r.enterSwd();
    const realNow = performance.now.bind(performance);
    const realSetTimeout = globalThis.setTimeout;
    let fakeMs = realNow();
    const sleeps: number[] = [];
    performance.now = () => fakeMs;
    globalThis.setTimeout = ((fn: () => void, ms?: number) => {
      sleeps.push(ms ?? 0);
      return realSetTimeout(fn, 0);
    }) as typeof setTimeout;
    try {
      for (let i = 0; i < 20; i++) {
        // The host takes 3 ms per command (a guest behind usbredir); the probe models ~1 ms.
        fakeMs += 3;
        await r.command(block(0xf2, 0x07, ...le32(TEST_CHIP.RAM_START), ...le16(4)), {
          inLength: 4,
        });
      }
    } finally {
      performance.now = realNow;
      globalThis.setTimeout = realSetTimeout;
    }
    t.deepEqual(
      sleeps.filter((ms) => ms > 0),
      [],
    );
  },
);
