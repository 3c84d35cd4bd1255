/**
 * Differential tests: random and fixture Intel HEX files must parse to the same bytes with
 * flashwright's parser and with two independent libraries, nrf-intel-hex 1.4.0 (sparse
 * MemoryMap) and intel-hex 0.2.0 (flat buffer padded with 0xFF).
 *
 * Both libraries turn the upper address bits into a signed 32-bit number, so random files
 * stay below 0x80000000 here; addresses above are covered by parse-ihex.test.ts.
 */
import { readFileSync } from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { FlashImage } from '@flashwright/core/image';
import { parse as intelHexParse } from 'intel-hex';
import { MemoryMap } from '../src/memory-map.js';
import { parseIntelHex, serializeIntelHex } from '../src/index.js';
import {
  EOF_RECORD,
  dataRecord,
  fixtureUrl,
  linear,
  randomGenerator,
  randomInt,
  record,
  segment,
} from './records.js';

interface RandomHex {
  readonly text: string;
  readonly blocks: [number, Uint8Array][];
  readonly entry?: { type: 3 | 5; value: number };
}

/** Random sparse image, written as records of random sizes in a shuffled order. */
function randomHex(seed: number): RandomHex {
  const random = randomGenerator(seed);
  const useSegments = random() < 0.25;
  const limit = useSegments ? 0xfff00 : 0x7fff0000;
  const blocks: [number, Uint8Array][] = [];
  let cursor = randomInt(random, 0, useSegments ? 0x1000 : 0x08000000);
  for (let b = randomInt(random, 1, 6); b > 0 && cursor < limit - 0x4000; b--) {
    const length = randomInt(random, 1, 3000);
    const data = Uint8Array.from({ length }, () => randomInt(random, 0, 255));
    blocks.push([cursor, data]);
    cursor += length + randomInt(random, 1, useSegments ? 0x2000 : 0x30000);
  }

  // Cut blocks into records that never cross a 64 KiB boundary (nrf-intel-hex refuses those).
  const records: { address: number; data: number[] }[] = [];
  for (const [start, data] of blocks) {
    let offset = 0;
    while (offset < data.length) {
      const address = start + offset;
      const room = 0x10000 - (address % 0x10000);
      const size = Math.min(randomInt(random, 1, 255), data.length - offset, room);
      records.push({ address, data: [...data.subarray(offset, offset + size)] });
      offset += size;
    }
  }
  // Shuffle a little: swap some neighbours, so records are not always in address order.
  for (let i = 1; i < records.length; i++) {
    if (random() < 0.2) [records[i - 1], records[i]] = [records[i]!, records[i - 1]!];
  }

  const lines: string[] = [];
  let upper = -1;
  for (const { address, data } of records) {
    const high = useSegments ? (address >> 16) * 0x1000 : Math.floor(address / 0x10000);
    if (high !== upper) {
      lines.push(useSegments ? segment(high) : linear(high));
      upper = high;
    }
    lines.push(dataRecord(address % 0x10000, data));
  }
  let entry: RandomHex['entry'];
  if (random() < 0.5) {
    entry = useSegments
      ? { type: 3, value: randomInt(random, 0, 0xffffffff) }
      : { type: 5, value: randomInt(random, 0, 0x7fffffff) };
    const v = entry.value;
    lines.splice(
      randomInt(random, 0, lines.length),
      0,
      record(entry.type, 0, [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]),
    );
  }
  lines.push(EOF_RECORD);
  const newline = random() < 0.5 ? '\n' : '\r\n';
  let text = lines.join(newline) + newline;
  if (random() < 0.3) text = text.toLowerCase();
  return entry === undefined ? { text, blocks } : { text, blocks, entry };
}

function checkAgainstOracles(t: ExecutionContext, text: string, label: string): FlashImage {
  const ours = parseIntelHex(new TextEncoder().encode(text), { fileName: label });
  const nrf = FlashImage.from(MemoryMap.fromHex(text));
  t.true(ours.equals(nrf), `${label}: differs from nrf-intel-hex`);

  const extent = ours.extent();
  if (extent !== undefined) {
    const flat = intelHexParse(text, undefined, extent.start);
    t.is(flat.data.length, extent.end - extent.start, `${label}: intel-hex length`);
    t.true(
      Buffer.from(ours.read(extent.start, extent.end - extent.start, 0xff)).equals(flat.data),
      `${label}: differs from intel-hex`,
    );
  }
  return ours;
}

test('random files parse identically with nrf-intel-hex and intel-hex', (t) => {
  for (let seed = 1; seed <= 60; seed++) {
    const { text, blocks, entry } = randomHex(seed);
    const ours = checkAgainstOracles(t, text, `seed ${seed}`);
    t.true(ours.equals(FlashImage.from(blocks)), `seed ${seed}: differs from the generated image`);
    if (entry?.type === 5) {
      t.is(ours.entryPoint, entry.value);
      t.is(intelHexParse(text).startLinearAddress, entry.value);
    } else if (entry?.type === 3) {
      // intel-hex reports CS:IP as one 32-bit number; flashwright the linear address.
      const csip = intelHexParse(text).startSegmentAddress!;
      t.is(ours.entryPoint, (csip >>> 16) * 16 + (csip & 0xffff));
    } else {
      t.is(ours.entryPoint, undefined);
    }
  }
});

test('fixture files parse identically with nrf-intel-hex and intel-hex', (t) => {
  for (const name of ['blink.hex', 'blink-gap.hex']) {
    const text = readFileSync(fixtureUrl(name), 'latin1');
    const ours = checkAgainstOracles(t, text, name);
    t.is(ours.entryPoint, intelHexParse(text).startLinearAddress!);
  }
});

test('our writer’s output parses identically with both libraries', (t) => {
  for (let seed = 100; seed < 120; seed++) {
    const { blocks } = randomHex(seed);
    const image = FlashImage.from(blocks, { entryPoint: seed * 0x1001 });
    const text = new TextDecoder().decode(serializeIntelHex(image));
    const back = checkAgainstOracles(t, text, `written seed ${seed}`);
    t.true(back.equals(image));
    t.is(back.entryPoint, seed * 0x1001);
  }
});

test('a corrupted hex digit is rejected by flashwright and by both libraries', (t) => {
  const random = randomGenerator(7);
  for (let round = 0; round < 40; round++) {
    const { text } = randomHex(200 + round);
    // Pick a data digit (not ':' or a line break) and change it to another hex digit.
    let index: number;
    do index = randomInt(random, 1, text.length - 1);
    while (!/[0-9a-fA-F]/.test(text[index]!));
    const replacement = text[index] === '0' ? '1' : '0';
    const corrupted = text.slice(0, index) + replacement + text.slice(index + 1);
    const error = t.throws(() => parseIntelHex(new TextEncoder().encode(corrupted)), {
      instanceOf: FlashwrightError,
    });
    // A changed digit is always caught by the checksum, unless it hits a length field.
    t.true(['IMAGE_CHECKSUM', 'IMAGE_MALFORMED', 'IMAGE_TRUNCATED'].includes(error.code));
    t.throws(() => MemoryMap.fromHex(corrupted));
    t.throws(() => intelHexParse(corrupted));
  }
});
