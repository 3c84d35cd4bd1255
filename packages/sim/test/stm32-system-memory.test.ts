import test from 'ava';
import { findStm32Device, parsePartNumber } from '@flashwright/stm32-devices';
import { BusError } from '../src/bus.js';
import { bootRomByte } from '../src/stm32/factory-info.js';
import { makeRig, type Rig } from './stm32-rig.js';

// System memory (the bootloader ROM) and the option-byte areas, as a debugger reads them.

function systemMemoryOf(part: string): { base: number; bytes: number } {
  const device = findStm32Device(parsePartNumber(part)?.devIds[0] ?? -1);
  if (device?.systemMemory === undefined) throw new Error(`${part}: no system memory`);
  return device.systemMemory;
}

function word(base: number, address: number): number {
  let value = 0;
  for (let i = 3; i >= 0; i--) value = (value << 8) | bootRomByte(base, address + i);
  return value >>> 0;
}

const parts = [
  // part, system memory base, size
  ['STM32F103RB', 0x1ffff000, 2 * 1024],
  ['STM32F411RE', 0x1fff0000, 30 * 1024],
  ['STM32L151CBxxA', 0x1ff00000, 4 * 1024],
  ['STM32L476RG', 0x1fff0000, 28 * 1024],
  ['STM32H743ZI', 0x1ff00000, 128 * 1024],
] as const;

for (const [part, base, bytes] of parts) {
  for (const rdp of [0, 1] as const) {
    test(`${part} at RDP ${rdp}: system memory reads back its stand-in contents, and stays read-only`, (t) => {
      t.deepEqual(systemMemoryOf(part), { base, bytes });
      const rig = makeRig({ device: part, rdp });
      t.is(rig.chip.controller.rdpLevel(), rdp);
      t.is(rig.read(base), 0x20001000, 'initial stack pointer in SRAM');
      t.is(rig.read(base + 4), (base + 0x101) >>> 0, 'reset handler in the ROM, Thumb');
      for (const offset of [8, 0x100, bytes / 2, bytes - 0x400]) {
        t.is(rig.read(base + offset), word(base, base + offset), `+0x${offset.toString(16)}`);
      }
      t.is(rig.read(base + 0x102, 2), rig.read(base + 0x100) >>> 16, 'half-word reads');
      const all = rig.dump(base, 256);
      t.false(
        all.every((b) => b === 0xff),
        'not erased',
      );
      t.throws(() => rig.write(base + 0x100, 0), { instanceOf: BusError });
    });
  }
}

test('factory bytes inside system memory read as before (F103 flash size and UID, H743 flash size)', (t) => {
  const f103 = makeRig({ device: 'STM32F103RB', uid: '0102030405060708090a0b0c' });
  t.is(f103.read(0x1ffff7e0, 2), 128);
  t.is(f103.read(0x1ffff7e8), 0x04030201);
  t.is(f103.read(0x1ffff7f0), 0x0c0b0a09);
  t.is(f103.read(0x1ffff7d0), word(0x1ffff000, 0x1ffff7d0), 'the ROM around them');
  const h743 = makeRig({ device: 'STM32H743ZI' });
  t.is(h743.read(0x1ff1e880, 2), 2048);
});

function optionWords(rig: Rig, address: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => rig.read(address + 4 * i));
}

test('F103 option bytes at 0x1FFFF800 read at RDP 0 and 1, the RDP byte with its complement', (t) => {
  t.is(makeRig({ device: 'STM32F103RB' }).read(0x1ffff800, 2), 0x5aa5);
  const protectedChip = makeRig({ device: 'STM32F103RB', rdp: 1 });
  t.not(protectedChip.read(0x1ffff800, 1), 0xa5);
});

test('F411 option bytes at 0x1FFFC000 mirror OPTCR: value in [15:0], complement in [31:16]', (t) => {
  const rig = makeRig({ device: 'STM32F411RE' });
  t.deepEqual(optionWords(rig, 0x1fffc000, 4), [0x5512aaed, 0xffffffff, 0xf0000fff, 0xffffffff]);
  t.is(rig.read(0x1fffc001, 1), 0xaa, 'RDP byte');
  // nWRP bit 1 cleared through OPTCR: the area shows it once programmed.
  rig.write(0x40023c08, 0x08192a3b);
  rig.write(0x40023c08, 0x4c5d6e7f);
  rig.write(0x40023c14, (0x0fffaaec & ~(1 << 17)) | 0x2);
  rig.waitIdle(0x40023c0c, 1 << 16);
  t.is(rig.read(0x1fffc008), 0xf0020ffd);
  t.throws(() => rig.write(0x1fffc000, 0), { instanceOf: BusError });
});

test('F411 at RDP 1: the option area reads (RM0090 access table), as do OPTCR and system memory', (t) => {
  const rig = makeRig({ device: 'STM32F411RE', rdp: 1 });
  t.is(rig.read(0x1fffc000) & 0xffff, 0x55ed);
  t.is((rig.read(0x40023c14) >>> 8) & 0xff, 0x55);
  t.is(rig.read(0x1fff0000), 0x20001000);
});

test('F429 (dual bank) has the bank-2 nWRP option bytes at 0x1FFEC008', (t) => {
  const rig = makeRig({ device: 'STM32F429ZI' });
  t.deepEqual(optionWords(rig, 0x1ffec000, 4), [0xffffffff, 0xffffffff, 0xf0000fff, 0xffffffff]);
});

test('L151 option bytes at 0x1FF80000 read at RDP 0 and 1', (t) => {
  t.is(makeRig({ device: 'STM32L151CBxxA' }).read(0x1ff80000), 0xff5500aa);
  t.is(makeRig({ device: 'STM32L151CBxxA', rdp: 1 }).read(0x1ff80000) & 0xff, 0xbb);
});

test('L476 option bytes at 0x1FFF7800 and 0x1FFFF800 mirror OPTR and the WRP areas, at RDP 0 and 1', (t) => {
  const rig = makeRig({ device: 'STM32L476RG' });
  t.deepEqual(
    optionWords(rig, 0x1fff7800, 10),
    [
      0xffeff8aa, 0x00100755, 0xffffffff, 0x00000000, 0x0fff0000, 0xf000ffff, 0xff00ffff,
      0x00ff0000, 0xff00ffff, 0x00ff0000,
    ],
  );
  t.deepEqual(
    optionWords(rig, 0x1ffff800, 10).slice(6),
    [0xff00ffff, 0x00ff0000, 0xff00ffff, 0x00ff0000],
  );
  t.is(rig.read(0x40022024), 0xffffffff, 'PCROP1SR as the area says');
  t.is(rig.read(0x40022028), 0x0fff0000, 'PCROP1ER as the area says');
  // WRP2A (bank 2, pages 3..4) through the registers: the area shows it once programmed.
  rig.write(0x40022008, 0x45670123);
  rig.write(0x40022008, 0xcdef89ab);
  rig.write(0x4002200c, 0x08192a3b);
  rig.write(0x4002200c, 0x4c5d6e7f);
  rig.write(0x4002204c, 0xff040003);
  rig.write(0x40022014, 1 << 17);
  rig.waitIdle(0x40022010, 1 << 16);
  t.deepEqual(optionWords(rig, 0x1ffff818, 2), [0xff040003, 0x00fbfffc]);
  const protectedChip = makeRig({ device: 'STM32L476RG', rdp: 1 });
  t.is(protectedChip.read(0x1fff7800) & 0xff, 0xbb);
});

test('L476 OTP at 0x1FFF7000 reads erased at RDP 0 and faults at RDP 1', (t) => {
  t.is(makeRig({ device: 'STM32L476RG' }).read(0x1fff73fc), 0xffffffff);
  t.throws(() => makeRig({ device: 'STM32L476RG', rdp: 1 }).read(0x1fff7000), {
    instanceOf: BusError,
  });
});

test('single-bank L4 parts have no bank-2 option area', (t) => {
  const rig = makeRig({ device: 'STM32L432KC' });
  t.is(rig.read(0x1fff7800) & 0xff, 0xaa);
  t.throws(() => rig.read(0x1ffff800), { instanceOf: BusError });
});
