import test from 'ava';
import { BusError } from '../src/bus.js';
import { makeRig } from './stm32-rig.js';

// STM32F2/F4/F7 flash interface at 0x40023C00 (RM0090 §3.9; OpenOCD stm32f2x.c).
const FLASH = 0x40023c00;
const KEYR = FLASH + 0x04;
const OPTKEYR = FLASH + 0x08;
const SR = FLASH + 0x0c;
const CR = FLASH + 0x10;
const OPTCR = FLASH + 0x14;
const KEY1 = 0x45670123;
const KEY2 = 0xcdef89ab;
const CR_PG = 1 << 0;
const CR_SER = 1 << 1;
const CR_MER = 1 << 2;
const PSIZE_X8 = 0 << 8;
const PSIZE_X32 = 2 << 8;
const PSIZE_X64 = 3 << 8;
const CR_MER2 = 1 << 15;
const CR_STRT = 1 << 16;
const CR_EOPIE = 1 << 24;
const CR_LOCK = 1 << 31;
const SR_EOP = 1 << 0;
const SR_WRPERR = 1 << 4;
const SR_PGPERR = 1 << 6;
const SR_PGSERR = 1 << 7;
const SR_BSY = 1 << 16;
const snb = (n: number) => n << 3;

function unlocked(device: string, options = {}) {
  const rig = makeRig({ device, ...options });
  rig.write(KEYR, KEY1);
  rig.write(KEYR, KEY2);
  return rig;
}

function unlockOptions(rig: ReturnType<typeof makeRig>) {
  rig.write(OPTKEYR, 0x08192a3b);
  rig.write(OPTKEYR, 0x4c5d6e7f);
}

test('F411RE identifies and lays out 4x16, 1x64, 3x128 KiB sectors', (t) => {
  const rig = makeRig({ device: 'STM32F411RE' });
  t.is(rig.read(0xe0042000) & 0xfff, 0x431);
  // The size register sits in the upper half of the word at 0x1FFF7A20.
  t.is(rig.read(0x1fff7a22, 2), 512);
  t.is(rig.read(0x1fff7a20) >>> 16, 512);
  const sizes = rig.chip.controller.flash.units.map((u) => u.size / 1024);
  t.deepEqual(sizes, [16, 16, 16, 16, 64, 128, 128, 128]);
  t.is(rig.read(CR) >>> 0, CR_LOCK >>> 0);
  t.is(rig.read(OPTCR), 0x0fffaaed);
});

test('programs with the PSIZE width; other widths give PGPERR, x64 always does', (t) => {
  const rig = unlocked('STM32F411RE');
  rig.write(CR, CR_PG | PSIZE_X32 | CR_EOPIE);
  rig.write(0x08000000, 0x11223344);
  t.is(rig.read(SR) & SR_BSY, SR_BSY);
  t.is(rig.waitIdle(SR, SR_BSY) & SR_EOP, SR_EOP);
  t.is(rig.read(0x08000000), 0x11223344);
  rig.write(0x08000004, 0x55, 1);
  t.is(rig.read(SR) & SR_PGPERR, SR_PGPERR);
  t.is(rig.read(0x08000004), 0xffffffff);
  rig.write(SR, SR_PGPERR);
  rig.write(CR, CR_PG | PSIZE_X64);
  rig.write(0x08000008, 0x1);
  t.is(rig.read(SR) & SR_PGPERR, SR_PGPERR);
  rig.write(SR, SR_PGPERR);
  rig.write(CR, CR_PG | PSIZE_X8);
  rig.write(0x08000004, 0x55, 1);
  rig.waitIdle(SR, SR_BSY);
  t.is(rig.read(0x08000004, 1), 0x55);
});

test('programming without unlocking or without PG sets PGSERR', (t) => {
  const rig = makeRig({ device: 'STM32F411RE' });
  rig.write(0x08000000, 0x12345678);
  t.is(rig.read(SR) & SR_PGSERR, SR_PGSERR);
  t.is(rig.read(0x08000000), 0xffffffff);
});

test('re-programming only clears bits (RM0090: 1 to 0 without erase)', (t) => {
  const rig = unlocked('STM32F411RE');
  rig.write(CR, CR_PG | PSIZE_X32);
  rig.write(0x08004000, 0xf0f0ffff);
  rig.waitIdle(SR, SR_BSY);
  rig.write(0x08004000, 0xff00ff0f);
  rig.waitIdle(SR, SR_BSY);
  t.is(rig.read(0x08004000), 0xf000ff0f);
  t.is(rig.read(SR) & 0xf0, 0, 'no error flag');
});

test('sector erase takes the sector time; writes while BSY stall', (t) => {
  const rig = unlocked('STM32F411RE');
  rig.write(CR, CR_PG | PSIZE_X32);
  rig.write(0x08020000, 0x1);
  rig.waitIdle(SR, SR_BSY);
  const before = rig.clock.nowUs;
  rig.write(CR, CR_SER | snb(5) | PSIZE_X32 | CR_STRT);
  t.is(rig.read(CR) & CR_STRT, CR_STRT);
  rig.write(CR, CR_PG | PSIZE_X32); // stalls until the 128 KiB sector is erased
  t.true(rig.clock.nowUs - before >= 1_000_000, 'a 128 KiB sector takes 1 s (DS10314)');
  t.is(rig.read(0x08020000), 0xffffffff);
  t.is(rig.read(CR) & CR_STRT, 0);
});

test('a wrong key locks CR until reset with a bus error', (t) => {
  const rig = makeRig({ device: 'STM32F411RE' });
  rig.write(KEYR, KEY1);
  t.throws(() => rig.write(KEYR, KEY1), { instanceOf: BusError });
  t.throws(() => rig.write(KEYR, KEY1), { instanceOf: BusError });
  rig.chip.reset('system');
  rig.write(KEYR, KEY1);
  rig.write(KEYR, KEY2);
  t.is(rig.read(CR) & CR_LOCK, 0);
});

test('an invalid sector number and a write-protected sector give WRPERR', (t) => {
  const rig = unlocked('STM32F411RE');
  rig.write(CR, CR_SER | snb(9) | PSIZE_X32 | CR_STRT);
  t.is(rig.read(SR) & SR_WRPERR, SR_WRPERR);
  rig.write(SR, SR_WRPERR);
  unlockOptions(rig);
  // nWRP bit 1 = 0 protects sector 1.
  rig.write(OPTCR, (0x0fffaaec & ~(1 << 17)) | 0x2);
  rig.waitIdle(SR, SR_BSY);
  rig.chip.reset('system');
  rig.write(KEYR, KEY1);
  rig.write(KEYR, KEY2);
  rig.write(CR, CR_SER | snb(1) | PSIZE_X32 | CR_STRT);
  t.is(rig.read(SR) & SR_WRPERR, SR_WRPERR);
  rig.write(SR, SR_WRPERR);
  rig.write(CR, CR_MER | PSIZE_X32 | CR_STRT);
  t.is(rig.read(SR) & SR_WRPERR, SR_WRPERR, 'no mass erase with a protected sector');
});

test('RDP 1 blocks flash and OTP reads; OPTSTRT to level 0 mass-erases', (t) => {
  const rig = unlocked('STM32F411RE');
  rig.write(CR, CR_PG | PSIZE_X32);
  rig.write(0x08000000, 0xdeadbeef);
  rig.write(0x1fff7800, 0x12345678); // OTP block 0
  rig.waitIdle(SR, SR_BSY);
  unlockOptions(rig);
  rig.write(OPTCR, 0x0fff55ec | 0x2); // RDP 0x55 = level 1
  rig.waitIdle(SR, SR_BSY);
  t.is(rig.chip.controller.rdpLevel(), 0, 'applies at reset');
  rig.chip.reset('system');
  t.is(rig.chip.controller.rdpLevel(), 1);
  t.throws(() => rig.read(0x08000000), { instanceOf: BusError });
  t.throws(() => rig.read(0x1fff7800), { instanceOf: BusError });
  t.is((rig.read(OPTCR) >>> 8) & 0xff, 0x55, 'OPTCR stays readable');
  unlockOptions(rig);
  const before = rig.clock.nowUs;
  rig.write(OPTCR, 0x0fffaaec | 0x2);
  rig.waitIdle(SR, SR_BSY);
  t.true(rig.clock.nowUs - before >= 8_000_000, 'mass erase time (DS10314: 8 s)');
  rig.chip.reset('system');
  t.is(rig.chip.controller.rdpLevel(), 0);
  t.is(rig.read(0x08000000), 0xffffffff);
  t.is(rig.read(0x1fff7800), 0x12345678, 'OTP survives the regression');
});

test('a level 2 chip disables the debug port after reset', (t) => {
  const rig = makeRig({ device: 'STM32F411RE' });
  unlockOptions(rig);
  rig.write(OPTCR, 0x0fffccec | 0x2);
  rig.waitIdle(SR, SR_BSY);
  t.is(rig.chip.debugAccess(), 'open');
  rig.chip.reset('power');
  t.is(rig.chip.debugAccess(), 'disabled');
});

test('F767BI: single bank 4x32/1x128/7x256 KiB; nDBANK=0 gives two banks of 4x16/1x64/7x128', (t) => {
  const rig = makeRig({ device: 'STM32F767BI' });
  t.is(rig.read(0xe0042000) & 0xfff, 0x451);
  t.is(rig.read(0x1ff0f442, 2), 2048);
  t.is(rig.chip.dpidr, 0x5ba02477);
  t.throws(() => rig.read(0x00000000), { instanceOf: BusError }, 'no boot alias at 0 on F7');
  const single = rig.chip.controller.flash.units.map((u) => u.size / 1024);
  t.deepEqual(single, [32, 32, 32, 32, 128, 256, 256, 256, 256, 256, 256, 256]);
  const optcr = rig.read(OPTCR);
  t.is(optcr >>> 0, 0xffffaafd);
  unlockOptions(rig);
  rig.write(OPTCR, (optcr & ~(1 << 29) & ~1) | 0x2);
  rig.waitIdle(SR, SR_BSY);
  rig.chip.reset('system');
  const banks = rig.chip.controller.flash.units;
  t.is(banks.length, 24);
  t.is(banks[12]?.start, 0x08100000);
  t.deepEqual(
    banks.filter((u) => u.bank === 1).map((u) => u.size / 1024),
    [16, 16, 16, 16, 64, 128, 128, 128, 128, 128, 128, 128],
  );
  // Bank-2 sector 0 is SNB 0x10 (RM0090/RM0410 numbering); MER2 erases bank 2 only.
  rig.write(KEYR, KEY1);
  rig.write(KEYR, KEY2);
  rig.write(CR, CR_PG | PSIZE_X32);
  rig.write(0x08000000, 0x1);
  rig.write(0x08100000, 0x2);
  rig.write(0x08104000, 0x3);
  rig.waitIdle(SR, SR_BSY);
  rig.write(CR, CR_SER | snb(0x10) | PSIZE_X32 | CR_STRT);
  rig.waitIdle(SR, SR_BSY);
  t.is(rig.read(0x08100000), 0xffffffff);
  t.is(rig.read(0x08104000), 0x3);
  rig.write(CR, CR_MER2 | PSIZE_X32 | CR_STRT);
  rig.waitIdle(SR, SR_BSY);
  t.is(rig.read(0x08104000), 0xffffffff);
  t.is(rig.read(0x08000000), 0x1, 'bank 1 untouched');
});
