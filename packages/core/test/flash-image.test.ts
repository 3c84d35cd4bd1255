import test from 'ava';
import nrfIntelHex from 'nrf-intel-hex';
import { FlashImage } from '../src/exports/image.js';
import { FlashwrightError } from '../src/index.js';

// nrf-intel-hex's types declare an ES default export, but Node loads its CommonJS build,
// where the module itself is the MemoryMap class.
const MemoryMap = nrfIntelHex as unknown as typeof nrfIntelHex.default;

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

test('blocks are sorted and touching blocks are joined', (t) => {
  const image = FlashImage.from([
    [0x104, bytes(5, 6)],
    [0x100, bytes(1, 2, 3, 4)],
    [0x200, bytes(9)],
  ]);
  t.deepEqual([...image.blocks.keys()], [0x100, 0x200]);
  t.deepEqual([...image.blocks.get(0x100)!], [1, 2, 3, 4, 5, 6]);
  t.is(image.size, 7);
});

test('overlapping input is an error that names the address', (t) => {
  const error = t.throws(
    () =>
      FlashImage.from(
        [
          [0x100, bytes(1, 2, 3, 4)],
          [0x102, bytes(9)],
        ],
        { source: 'a.hex' },
      ),
    { instanceOf: FlashwrightError },
  );
  t.is(error.code, 'IMAGE_OVERLAP');
  t.regex(error.message, /a\.hex.*0x00000102/);
});

test('merge names both sources and the first shared address', (t) => {
  const a = FlashImage.from([[0x08000000, new Uint8Array(16)]]);
  const b = FlashImage.from([[0x08000008, new Uint8Array(16)]]);
  const error = t.throws(
    () =>
      FlashImage.merge([
        { source: 'boot.hex', image: a },
        { source: 'app.hex', image: b },
      ]),
    {
      instanceOf: FlashwrightError,
    },
  );
  t.is(error.code, 'IMAGE_OVERLAP');
  t.regex(error.message, /app\.hex and boot\.hex both have data at 0x08000008/);
  t.is(error.exitCode, 3);
});

test('slice keeps only the bytes inside the range', (t) => {
  const image = FlashImage.from([[0x100, bytes(1, 2, 3, 4, 5, 6, 7, 8)]]);
  const part = image.slice({ start: 0x102, end: 0x105 });
  t.deepEqual([...part.blocks], [[0x102, bytes(3, 4, 5)]]);
});

test('fillGaps covers whole pages from a byte or from a reader', async (t) => {
  const image = FlashImage.from([[0x104, bytes(0xaa, 0xbb)]]);
  const page = { start: 0x100, end: 0x110 };
  const padded = await image.fillGaps([page], 0xff);
  t.deepEqual([...padded.blocks.keys()], [0x100]);
  t.is(padded.size, 16);
  t.deepEqual([...padded.read(0x100, 8)], [0xff, 0xff, 0xff, 0xff, 0xaa, 0xbb, 0xff, 0xff]);

  const existing = await image.fillGaps([page], (gap) =>
    new Uint8Array(gap.end - gap.start).fill(0x11),
  );
  t.deepEqual([...existing.read(0x102, 4)], [0x11, 0x11, 0xaa, 0xbb]);
});

test('crc32 matches the IEEE polynomial over the data bytes', (t) => {
  const image = FlashImage.from([[0, new TextEncoder().encode('123456789')]]);
  t.is(image.crc32(), 0xcbf43926);
});

test('differences lists the ranges that differ', (t) => {
  const a = FlashImage.from([[0x0, bytes(1, 2, 3, 4, 5)]]);
  const b = FlashImage.from([[0x0, bytes(1, 9, 9, 4, 6)]]);
  t.deepEqual(a.differences(b), [
    { start: 1, end: 3 },
    { start: 4, end: 5 },
  ]);
  t.false(a.equals(b));
  t.true(a.equals(FlashImage.from([[0x0, bytes(1, 2, 3, 4, 5)]])));
});

test('interoperates with nrf-intel-hex MemoryMap both ways', (t) => {
  const image = FlashImage.from([
    [0x08000000, bytes(1, 2, 3)],
    [0x08000100, bytes(4)],
  ]);
  const memoryMap = new MemoryMap(image.blocks as Map<number, Uint8Array>);
  const hex = memoryMap.asHexString();
  const back = FlashImage.from(MemoryMap.fromHex(hex));
  t.true(back.equals(image));
});

test('overlay: the patch’s bytes win where both have data, and its other bytes are added', (t) => {
  const image = FlashImage.from([[0x100, bytes(1, 2, 3, 4, 5, 6)]], { entryPoint: 0x101 });
  const patched = image.overlay(
    FlashImage.from([
      [0x102, bytes(0xaa, 0xbb)],
      [0x200, bytes(0xcc)],
    ]),
  );
  t.deepEqual([...patched.read(0x100, 6)], [1, 2, 0xaa, 0xbb, 5, 6]);
  t.deepEqual([...patched.read(0x200, 1)], [0xcc]);
  t.deepEqual(patched.ranges(), [
    { start: 0x100, end: 0x106 },
    { start: 0x200, end: 0x201 },
  ]);
  t.is(patched.entryPoint, 0x101);
  t.deepEqual([...image.read(0x102, 2)], [3, 4], 'the image itself is unchanged');
});
