import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { planTransfers, type TransferPiece } from '../src/driver/transfer-plan.js';

const V2 = { max8Bytes: 64, maxWordBytes: 6144 };
const V3 = { max8Bytes: 512, maxWordBytes: 6144 };

function covers(
  t: { is: (a: unknown, b: unknown, m?: string) => void },
  pieces: TransferPiece[],
  address: number,
  length: number,
): void {
  let next = address;
  let offset = 0;
  for (const p of pieces) {
    t.is(p.address, next, 'contiguous');
    t.is(p.offset, offset, 'offset');
    next += p.lengthBytes;
    offset += p.lengthBytes;
  }
  t.is(next, address + length, 'covers the range');
}

test('64 KB aligned goes as 32-bit pieces of 6144 bytes', (t) => {
  const pieces = planTransfers(0x20000000, 65536, undefined, V2);
  t.is(pieces.length, 11);
  t.true(pieces.every((p) => p.width === 32));
  t.deepEqual(
    pieces.slice(0, 10).map((p) => p.lengthBytes),
    new Array<number>(10).fill(6144),
  );
  t.is(pieces[10]?.lengthBytes, 65536 - 10 * 6144);
  covers(t, pieces, 0x20000000, 65536);
});

test('unaligned edges go as 8-bit, the aligned middle as 32-bit', (t) => {
  const pieces = planTransfers(0x20000001, 10, undefined, V2);
  t.deepEqual(
    pieces.map((p) => [p.width, p.address, p.lengthBytes]),
    [
      [8, 0x20000001, 3],
      [32, 0x20000004, 4],
      [8, 0x20000008, 3],
    ],
  );
  covers(t, pieces, 0x20000001, 10);
});

test('a short unaligned range is a single 8-bit transfer', (t) => {
  const pieces = planTransfers(0x20000001, 6, undefined, V2);
  t.deepEqual(
    pieces.map((p) => [p.width, p.lengthBytes]),
    [[8, 6]],
  );
  t.deepEqual(
    planTransfers(0x20000002, 2, undefined, V2).map((p) => p.width),
    [8],
  );
});

test('forced 8-bit is chunked at the 8-bit limit (64 on V2, 512 on V3J6+)', (t) => {
  const v2 = planTransfers(0x08000000, 200, 8, V2);
  t.deepEqual(
    v2.map((p) => p.lengthBytes),
    [64, 64, 64, 8],
  );
  t.true(v2.every((p) => p.width === 8));
  t.deepEqual(
    planTransfers(0x08000000, 1000, 8, V3).map((p) => p.lengthBytes),
    [512, 488],
  );
});

test('forced 16-bit keeps every access 16-bit and needs alignment', (t) => {
  const pieces = planTransfers(0x08000002, 6146, 16, V2);
  t.true(pieces.every((p) => p.width === 16));
  t.deepEqual(
    pieces.map((p) => p.lengthBytes),
    [6144, 2],
  );
  const error = t.throws(() => planTransfers(0x08000001, 4, 16, V2), {
    instanceOf: FlashwrightError,
  });
  t.is(error?.code, 'INTERNAL');
  t.throws(() => planTransfers(0x08000000, 3, 16, V2), { instanceOf: FlashwrightError });
  t.throws(() => planTransfers(0x08000002, 4, 32, V2), { instanceOf: FlashwrightError });
});

test('high addresses, empty and bad ranges', (t) => {
  const pieces = planTransfers(0xe000edf0, 16, undefined, V2);
  t.deepEqual(
    pieces.map((p) => [p.width, p.address]),
    [[32, 0xe000edf0]],
  );
  t.deepEqual(planTransfers(0x20000000, 0, undefined, V2), []);
  t.throws(() => planTransfers(0xfffffffe, 4, undefined, V2), { instanceOf: RangeError });
  t.throws(() => planTransfers(-4, 4, undefined, V2), { instanceOf: RangeError });
  t.throws(() => planTransfers(0.5, 4, undefined, V2), { instanceOf: RangeError });
});
