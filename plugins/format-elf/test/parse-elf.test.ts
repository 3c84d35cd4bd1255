import { readFileSync } from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import { FlashwrightError, type ErrorCode } from '@flashwright/core';
import type { FlashImage } from '@flashwright/core/image';
import { parseElf } from '../src/index.js';
import {
  SHF_ALLOC,
  SHF_EXEC,
  SHT_NOBITS,
  SHT_PROGBITS,
  buildElf,
  fixtureUrl,
  type TestElf,
} from './elf-builder.js';

// A private copy: tests patch header fields, and Node may hand out Buffers that share memory.
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(fixtureUrl(name)));
const blocksOf = (image: FlashImage): [number, number[]][] =>
  [...image.blocks].map(([address, data]) => [address, [...data]]);
const parse = (spec: TestElf): FlashImage => parseElf(buildElf(spec), { fileName: 'app.elf' });

function fail(t: ExecutionContext, bytes: Uint8Array, code: ErrorCode): FlashwrightError {
  const error = t.throws(() => parseElf(bytes, { fileName: 'app.elf' }), {
    instanceOf: FlashwrightError,
  });
  t.is(error.code, code);
  t.is(error.exitCode, 3);
  return error;
}

/** Returns a copy of `bytes` with a 16-bit little-endian value written at `offset`. */
function patch16(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  new DataView(copy.buffer, copy.byteOffset, copy.byteLength).setUint16(offset, value, true);
  return copy;
}

test('the blink fixture: one block at 0x08000000 equal to objcopy -O binary, entry kept', (t) => {
  const image = parseElf(fixture('blink.elf'));
  const bin = fixture('blink.bin');
  t.deepEqual(image.ranges(), [{ start: 0x08000000, end: 0x08000000 + bin.length }]);
  t.true(Buffer.from(image.blocks.get(0x08000000)!).equals(bin));
  t.is(image.entryPoint, 0x080000f9);
});

test('initialised data is placed at its load address (p_paddr), not its RAM address', (t) => {
  // delay_loops = 60000 (0x0000EA60) is .data: RAM 0x20000000, loaded from flash 0x080001B0.
  const little = parseElf(fixture('blink.elf'));
  t.deepEqual([...little.read(0x080001b0, 4)], [0x60, 0xea, 0x00, 0x00]);
  t.deepEqual(little.slice({ start: 0x20000000, end: 0x20008000 }).size, 0);
  const big = parseElf(fixture('blink-be.elf'));
  t.deepEqual([...big.read(0x080001b0, 4)], [0x00, 0x00, 0xea, 0x60]);
});

test('big-endian ELF32 parses to objcopy’s bytes, with its entry point', (t) => {
  const image = parseElf(fixture('blink-be.elf'));
  t.true(Buffer.from(image.read(0x08000000, 436, 0)).equals(fixture('blink-be.bin')));
  t.is(image.entryPoint, 0x080000f9);
  // The initial stack pointer, 0x20008000, stored big-endian.
  t.deepEqual([...image.read(0x08000000, 4)], [0x20, 0x00, 0x80, 0x00]);
});

test('the gap fixture keeps both blocks and the hole between them', (t) => {
  const image = parseElf(fixture('blink-gap.elf'));
  const bin = fixture('blink-gap.bin');
  t.deepEqual(image.ranges(), [
    { start: 0x08000000, end: 0x080001bc },
    { start: 0x0801fc00, end: 0x0801fc10 },
  ]);
  t.true(Buffer.from(image.read(0x08000000, bin.length, 0)).equals(bin));
  // The configuration record: magic "FLWR" as a little-endian word.
  t.deepEqual([...image.read(0x0801fc00, 4)], [0x52, 0x57, 0x4c, 0x46]);
});

test('segments without file contents (.bss, stack) are skipped', (t) => {
  const image = parse({
    segments: [
      { paddr: 0x08000000, data: [1, 2, 3, 4] },
      { paddr: 0x20000000, data: [], memsz: 0x400 },
    ],
  });
  t.deepEqual(blocksOf(image), [[0x08000000, [1, 2, 3, 4]]]);
  // e_entry 0 means the file has no entry point.
  t.is(image.entryPoint, undefined);
});

test('non-PT_LOAD segments are skipped', (t) => {
  const image = parse({
    segments: [
      { paddr: 0x08000000, data: [1, 2] },
      { paddr: 0x08001000, data: [9, 9], type: 4 /* PT_NOTE */ },
    ],
  });
  t.deepEqual(blocksOf(image), [[0x08000000, [1, 2]]]);
});

test('without section headers whole segments load at p_paddr', (t) => {
  const image = parse({
    entry: 0x101,
    segments: [
      { paddr: 0x100, vaddr: 0x20000000, data: [1, 2, 3] },
      { paddr: 0x200, data: [4] },
    ],
  });
  t.deepEqual(blocksOf(image), [
    [0x100, [1, 2, 3]],
    [0x200, [4]],
  ]);
  t.is(image.entryPoint, 0x101);
});

test('with sections, only allocated PROGBITS bytes of a segment load, as objcopy does', (t) => {
  // A segment that begins with 8 bytes the linker mapped but no section owns (ELF headers),
  // a .text section, 4 bytes of padding, a .rodata section and a non-alloc .comment.
  const image = parse({
    segments: [
      {
        paddr: 0x07fffff8,
        data: [0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 1, 2, 3, 4, 0, 0, 0, 0, 5, 6],
      },
    ],
    sections: [
      { name: '.text', type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXEC, within: [0, 8, 4] },
      { name: '.rodata', type: SHT_PROGBITS, flags: SHF_ALLOC, within: [0, 16, 2] },
      { name: '.comment', type: SHT_PROGBITS, flags: 0, within: [0, 0, 8] },
    ],
  });
  t.deepEqual(blocksOf(image), [
    [0x08000000, [1, 2, 3, 4]],
    [0x08000008, [5, 6]],
  ]);
});

test('a segment that holds no section is skipped (e.g. only ELF headers)', (t) => {
  const image = parse({
    segments: [
      { paddr: 0x07ff0000, data: [0x7f, 0x45] },
      { paddr: 0x08000000, data: [1, 2] },
    ],
    sections: [{ name: '.text', type: SHT_PROGBITS, flags: SHF_ALLOC, within: [1, 0, 2] }],
  });
  t.deepEqual(blocksOf(image), [[0x08000000, [1, 2]]]);
});

test('NOBITS sections inside a segment add nothing', (t) => {
  const image = parse({
    segments: [{ paddr: 0x08000000, data: [1, 2, 3, 4] }],
    sections: [
      { name: '.text', type: SHT_PROGBITS, flags: SHF_ALLOC, within: [0, 0, 2] },
      { name: '.bss', type: SHT_NOBITS, flags: SHF_ALLOC, within: [0, 2, 2] },
    ],
  });
  t.deepEqual(blocksOf(image), [[0x08000000, [1, 2]]]);
});

test('overlapping load addresses name both sections and segments', (t) => {
  const error = fail(
    t,
    buildElf({
      segments: [
        { paddr: 0x08000000, data: [1, 2, 3, 4] },
        { paddr: 0x08000002, vaddr: 0x20000000, data: [9, 9] },
      ],
      sections: [
        { name: '.text', type: SHT_PROGBITS, flags: SHF_ALLOC, within: [0, 0, 4] },
        { name: '.data', type: SHT_PROGBITS, flags: SHF_ALLOC, within: [1, 0, 2] },
      ],
    }),
    'IMAGE_OVERLAP',
  );
  t.is(
    error.message,
    'app.elf: section .data (segment 1) and section .text (segment 0) both load at 0x08000002',
  );
});

test('a 64-bit ELF is unsupported and says what it is', (t) => {
  const elf64 = new Uint8Array(64);
  elf64.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  elf64[18] = 62; // EM_X86_64
  const error = fail(t, elf64, 'IMAGE_UNSUPPORTED');
  t.is(
    error.message,
    'app.elf: 64-bit ELF (ELFCLASS64) for x86-64 (EM_X86_64); microcontroller firmware is 32-bit ELF (ELFCLASS32)',
  );
  t.like(error.details, { class: 'ELFCLASS64', machine: 62 });
  t.truthy(error.hint);
});

test('the wrong machine is unsupported and names both machines', (t) => {
  const error = fail(t, patch16(fixture('blink.elf'), 18, 3), 'IMAGE_UNSUPPORTED');
  t.is(error.message, 'app.elf: ELF for x86 (EM_386), expected ARM (EM_ARM)');
  t.like(error.details, { machine: 3, expected: [40] });
  const riscv = patch16(fixture('blink.elf'), 18, 243);
  t.is(
    fail(t, riscv, 'IMAGE_UNSUPPORTED').message,
    'app.elf: ELF for RISC-V (EM_RISCV), expected ARM (EM_ARM)',
  );
  t.is(parseElf(riscv, { machines: [40, 243] }).size, 436);
});

test('a relocatable object is unsupported with a hint to link it', (t) => {
  const error = fail(t, patch16(fixture('blink.elf'), 16, 1), 'IMAGE_UNSUPPORTED');
  t.is(error.message, 'app.elf: relocatable object file (ET_REL), not a linked program');
  t.regex(error.hint!, /linked executable/);
  fail(t, patch16(fixture('blink.elf'), 16, 4), 'IMAGE_UNSUPPORTED');
});

test('truncated files say which part is cut', (t) => {
  const elf = fixture('blink.elf');
  t.regex(fail(t, elf.subarray(0, 2), 'IMAGE_TRUNCATED').message, /inside the ELF header/);
  t.regex(fail(t, elf.subarray(0, 40), 'IMAGE_TRUNCATED').message, /inside the ELF header/);
  t.regex(
    fail(t, elf.subarray(0, 60), 'IMAGE_TRUNCATED').message,
    /inside the program header table/,
  );
  // Section headers are at the end of the file (0x15BC), segment 0's data at 0x1000.
  t.regex(
    fail(t, elf.subarray(0, 0x1400), 'IMAGE_TRUNCATED').message,
    /inside the section header table/,
  );
  const noSections = buildElf({ segments: [{ paddr: 0, data: [1, 2, 3, 4, 5, 6, 7, 8] }] });
  const error = fail(t, noSections.subarray(0, noSections.length - 3), 'IMAGE_TRUNCATED');
  t.is(
    error.message,
    `app.elf: the file ends inside segment 0 (file is ${noSections.length - 3} bytes)`,
  );
});

test('not an ELF file, and malformed headers', (t) => {
  const notElf = fail(t, new TextEncoder().encode(':020000040800F2'), 'IMAGE_MALFORMED');
  t.is(notElf.message, 'app.elf: not an ELF file (it starts with 3a 30 32 30, not 7f 45 4c 46)');
  const badOrder = fixture('blink.elf').slice();
  badOrder[5] = 3;
  t.regex(fail(t, badOrder, 'IMAGE_MALFORMED').message, /unknown byte order 3/);
  const badClass = fixture('blink.elf').slice();
  badClass[4] = 9;
  t.regex(fail(t, badClass, 'IMAGE_MALFORMED').message, /unknown ELF class 9/);
  t.regex(
    fail(t, patch16(fixture('blink.elf'), 42, 16), 'IMAGE_MALFORMED').message,
    /program header entries are 16 bytes/,
  );
});

test('an ELF with nothing to load is an error', (t) => {
  const error = fail(
    t,
    buildElf({ segments: [{ paddr: 0x20000000, data: [], memsz: 64 }] }),
    'IMAGE_MALFORMED',
  );
  t.is(error.message, 'app.elf: the ELF file has no loadable data');
});
