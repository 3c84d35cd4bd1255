/**
 * Differential tests against srec_cat/srec_info (Debian package srecord), an independent
 * C++ implementation: random and fixture S-record files must give the same data ranges,
 * bytes and entry point, and files srec_cat rejects must be rejected here too.
 * Skipped when srecord is not installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { FlashwrightError } from '@flashwright/core';
import { FlashImage, type AddressRange } from '@flashwright/core/image';
import { parseSrec, serializeSrec } from '../src/index.js';
import { fixtureUrl, randomGenerator, randomInt, srecord } from './records.js';

const test = anyTest as TestFn<{ dir: string }>;
const hasSrecord = spawnSync('srec_info', ['-VERSion']).status === 0;
const maybe = hasSrecord ? test : test.skip;

test.before((t) => {
  t.context = { dir: mkdtempSync(join(tmpdir(), 'flashwright-srec-')) };
});
test.after.always((t) => {
  rmSync(t.context.dir, { recursive: true, force: true });
});

interface SrecordView {
  readonly ranges: AddressRange[];
  readonly entryPoint: number | undefined;
  /** Bytes from the first range's start, gaps as zero. */
  readonly flat: Buffer;
}

/** What srecord makes of a file: ranges and start address from srec_info, bytes from srec_cat. */
function srecordView(dir: string, file: string): SrecordView {
  const info = spawnSync('srec_info', [file, '-Motorola'], { encoding: 'utf8' });
  if (info.status !== 0) throw new Error(`srec_info: ${info.stderr}`);
  const dataPart = info.stdout.slice(info.stdout.indexOf('Data:'));
  const ranges = [...dataPart.matchAll(/([0-9A-F]{4,8}) - ([0-9A-F]{4,8})/g)].map((m) => ({
    start: Number.parseInt(m[1]!, 16),
    end: Number.parseInt(m[2]!, 16) + 1,
  }));
  const start = /Execution Start Address: ([0-9A-F]+)/.exec(info.stdout);
  const out = join(dir, 'srecord.bin');
  const first = ranges[0]?.start ?? 0;
  const cat = spawnSync('srec_cat', [
    file,
    '-Motorola',
    '-offset',
    `-${first}`,
    '-o',
    out,
    '-binary',
  ]);
  if (cat.status !== 0) throw new Error(`srec_cat: ${String(cat.stderr)}`);
  return {
    ranges,
    entryPoint: start ? Number.parseInt(start[1]!, 16) : undefined,
    flat: readFileSync(out),
  };
}

function randomSrec(seed: number): { text: string; image: FlashImage } {
  const random = randomGenerator(seed);
  const blocks: [number, Uint8Array][] = [];
  let cursor = randomInt(random, 0, 0x100) * randomInt(random, 1, 0xffffff);
  for (let b = randomInt(random, 1, 5); b > 0 && cursor < 0xfff00000; b--) {
    const length = randomInt(random, 1, 2000);
    blocks.push([cursor, Uint8Array.from({ length }, () => randomInt(random, 0, 255))]);
    cursor += length + randomInt(random, 1, 0x40000);
  }
  const lines = [srecord(0, 0, [...new TextEncoder().encode(`seed ${seed}`)])];
  let dataRecords = 0;
  for (const [start, data] of blocks) {
    for (let offset = 0; offset < data.length;) {
      const size = Math.min(randomInt(random, 1, 64), data.length - offset);
      const address = start + offset;
      const end = address + size - 1;
      // Any type whose address field holds the record's addresses.
      const narrowest = end <= 0xffff ? 1 : end <= 0xffffff ? 2 : 3;
      const type = randomInt(random, narrowest, 3);
      lines.push(srecord(type, address, [...data.subarray(offset, offset + size)]));
      dataRecords++;
      offset += size;
    }
  }
  if (random() < 0.5) lines.push(srecord(dataRecords <= 0xffff ? 5 : 6, dataRecords));
  const entry = randomInt(random, 0, 0xffff);
  lines.push(srecord(random() < 0.5 ? 9 : 7, entry));
  const text = lines.join(random() < 0.5 ? '\n' : '\r\n') + '\n';
  return { text, image: FlashImage.from(blocks, { entryPoint: entry }) };
}

function compare(t: ExecutionContext, ours: FlashImage, view: SrecordView, label: string): void {
  t.true(view.ranges.length > 0, `${label}: srec_info listed no data`);
  t.deepEqual(ours.ranges(), view.ranges, `${label}: ranges differ from srec_info`);
  // srec_info shows a zero start address, flashwright reads zero as "no entry point".
  t.is(ours.entryPoint ?? 0, view.entryPoint ?? 0, `${label}: entry point differs from srec_info`);
  const first = view.ranges[0]?.start ?? 0;
  const flat = Buffer.from(ours.read(first, view.flat.length, 0x00));
  t.true(flat.equals(view.flat), `${label}: bytes differ from srec_cat`);
}

maybe('random files agree with srec_cat and srec_info', (t) => {
  for (let seed = 1; seed <= 25; seed++) {
    const { text, image } = randomSrec(seed);
    const file = join(t.context.dir, `random-${seed}.srec`);
    writeFileSync(file, text);
    const ours = parseSrec(new TextEncoder().encode(text));
    t.true(ours.equals(image), `seed ${seed}: differs from the generated image`);
    compare(t, ours, srecordView(t.context.dir, file), `seed ${seed}`);
  }
});

maybe('fixture files agree with srec_cat and srec_info', (t) => {
  for (const name of ['blink.srec', 'blink-gap.srec']) {
    const file = fixtureUrl(name).pathname;
    compare(t, parseSrec(readFileSync(file)), srecordView(t.context.dir, file), name);
  }
});

maybe('our writer’s output reads back the same in srec_cat', (t) => {
  for (let seed = 50; seed < 60; seed++) {
    const { image } = randomSrec(seed);
    const file = join(t.context.dir, `written-${seed}.srec`);
    writeFileSync(file, serializeSrec(image));
    compare(t, image, srecordView(t.context.dir, file), `written seed ${seed}`);
  }
});

maybe('a corrupted digit is rejected by flashwright and by srec_cat', (t) => {
  const random = randomGenerator(99);
  for (let round = 0; round < 15; round++) {
    const { text } = randomSrec(300 + round);
    let index: number;
    do index = randomInt(random, 2, text.length - 1);
    while (!/[0-9A-F]/.test(text[index]!) || text[index - 1] === 'S');
    const corrupted =
      text.slice(0, index) + (text[index] === '0' ? '1' : '0') + text.slice(index + 1);
    t.throws(() => parseSrec(new TextEncoder().encode(corrupted)), {
      instanceOf: FlashwrightError,
    });
    const file = join(t.context.dir, `corrupted-${round}.srec`);
    writeFileSync(file, corrupted);
    const cat = spawnSync('srec_cat', [
      file,
      '-Motorola',
      '-o',
      join(t.context.dir, 'x.bin'),
      '-binary',
    ]);
    t.not(cat.status, 0, `round ${round}: srec_cat accepted the corrupted file`);
  }
});
