import test from 'ava';
import type { FlashRegion, MemoryPort } from '../src/exports/plugin.js';
import { FlashwrightError } from '../src/index.js';
import { acceptsPlainWrites, isRamInMap, nativeCover } from '../src/pipeline/flash-routes.js';

const region: FlashRegion = {
  name: 'main',
  start: 0x1000,
  end: 0x3000,
  sectors: [
    { start: 0x1000, end: 0x2000 },
    { start: 0x2000, end: 0x3000 },
  ],
  erasedValue: 0xff,
  writeUnitBytes: 4,
};

test('nativeCover cuts the region into the server’s blocks, counted from the server region', (t) => {
  const cover = nativeCover(region, [{ start: 0x0800, end: 0x4000, blockSize: 0x800 }]);
  t.deepEqual(cover?.sectors, [
    { start: 0x1000, end: 0x1800 },
    { start: 0x1800, end: 0x2000 },
    { start: 0x2000, end: 0x2800 },
    { start: 0x2800, end: 0x3000 },
  ]);
  t.is(cover?.writeUnitBytes, 4, 'everything but the sectors is the device’s');
});

test('nativeCover refuses blocks that straddle the region’s edges', (t) => {
  // 0x600-byte blocks from 0x0E00: the first one holds bytes below the region.
  t.is(nativeCover(region, [{ start: 0x0e00, end: 0x4000, blockSize: 0x600 }]), undefined);
  // 0x2000-byte blocks from 0x1000: the second one runs past the region's end.
  t.is(nativeCover(region, [{ start: 0x1000, end: 0x5000, blockSize: 0x1800 }]), undefined);
});

test('nativeCover needs the whole region covered, without holes', (t) => {
  t.is(nativeCover(region, [{ start: 0x1000, end: 0x2800, blockSize: 0x800 }]), undefined);
  t.is(
    nativeCover(region, [
      { start: 0x1000, end: 0x1800, blockSize: 0x800 },
      { start: 0x2000, end: 0x3000, blockSize: 0x800 },
    ]),
    undefined,
    'a hole at 0x1800',
  );
  t.is(nativeCover(region, []), undefined);
});

test('isRamInMap wants one RAM region around the whole range', (t) => {
  t.true(isRamInMap(region, [{ kind: 'ram', start: 0, end: 0x4000 }]));
  t.false(isRamInMap(region, [{ kind: 'ram', start: 0x1000, end: 0x2000 }]));
  t.false(isRamInMap(region, [{ kind: 'flash', start: 0, end: 0x4000, blockSize: 0x400 }]));
  t.false(isRamInMap(region, undefined));
});

function port(write: MemoryPort['write'], bytes = Uint8Array.of(1, 2, 3, 4)): MemoryPort {
  return {
    read: () => Promise.resolve(bytes.slice()),
    write,
    read32: () => Promise.resolve(0),
    write32: () => Promise.resolve(),
  };
}

test('acceptsPlainWrites: a fault means no; a lost link or Ctrl-C is not an answer', async (t) => {
  const signal = new AbortController().signal;
  const faulting = port(() => Promise.reject(new FlashwrightError('TARGET_FAULT', 'E0E')));
  t.false(await acceptsPlainWrites(faulting, 0x1000, signal));

  const lost = port(() => Promise.reject(new FlashwrightError('PROBE_DISCONNECTED', 'gone')));
  const error = await t.throwsAsync<FlashwrightError>(acceptsPlainWrites(lost, 0x1000, signal));
  t.is(error?.code, 'PROBE_DISCONNECTED');

  const controller = new AbortController();
  controller.abort();
  const interrupted = port(() => Promise.reject(new FlashwrightError('TARGET_FAULT', 'E0E')));
  await t.throwsAsync(acceptsPlainWrites(interrupted, 0x1000, controller.signal));
});

test('acceptsPlainWrites writes the complement, then the old bytes back', async (t) => {
  let memory = Uint8Array.of(0x12, 0x34, 0x56, 0x78);
  const writes: number[][] = [];
  const sticky: MemoryPort = {
    read: () => Promise.resolve(memory.slice()),
    write: (_address, data) => {
      writes.push([...data]);
      memory = data.slice();
      return Promise.resolve();
    },
    read32: () => Promise.resolve(0),
    write32: () => Promise.resolve(),
  };
  t.true(await acceptsPlainWrites(sticky, 0x1000, new AbortController().signal));
  t.deepEqual(writes, [
    [0xed, 0xcb, 0xa9, 0x87],
    [0x12, 0x34, 0x56, 0x78],
  ]);
  t.deepEqual([...memory], [0x12, 0x34, 0x56, 0x78]);
});
