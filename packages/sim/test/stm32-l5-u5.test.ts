import test from 'ava';
import { makeRig, type Rig } from './stm32-rig.js';

// STM32L5 (RM0438) and U5 (RM0456) with TrustZone disabled: the non-secure flash registers
// at 0x40022000 (CMSIS-L5 stm32l552xx.h, CMSIS-U5 stm32u585xx.h FLASH_TypeDef).
const NS = {
  KEYR: 0x40022008,
  OPTKEYR: 0x40022010,
  SR: 0x40022020,
  CR: 0x40022028,
  OPTR: 0x40022040,
};
const CR_PG = 1 << 0;
const CR_PER = 1 << 1;
const CR_BKER = 1 << 11;
const CR_STRT = 1 << 16;
const CR_EOPIE = 1 << 24;
const CR_LOCK = 1 << 31;
const SR_EOP = 1 << 0;
const SR_PGAERR = 1 << 5;
const SR_BSY = 1 << 16;

function unlock(rig: Rig) {
  rig.write(NS.KEYR, 0x45670123);
  rig.write(NS.KEYR, 0xcdef89ab);
}

test('U585AI: NSCR unlocks with the flash keys; OPTR has TrustZone off and two banks', (t) => {
  const rig = makeRig({ device: 'STM32U585AI' });
  t.is(rig.read(NS.CR) & CR_LOCK, CR_LOCK);
  unlock(rig);
  t.is(rig.read(NS.CR) & CR_LOCK, 0);
  const optr = rig.read(NS.OPTR) >>> 0;
  t.is(optr >>> 31, 0, 'TZEN = 0');
  t.is(optr & 0xff, 0xaa, 'RDP level 0');
  t.is(rig.chip.controller.flash.bankUnits(1)[0]?.start, 0x08100000);
});

test('U5 programs quad words: the fourth 32-bit write starts it', (t) => {
  const rig = makeRig({ device: 'STM32U585AI' });
  unlock(rig);
  rig.write(NS.CR, CR_PG | CR_EOPIE);
  for (const [i, word] of [0x11111111, 0x22222222, 0x33333333].entries()) {
    rig.write(0x08000000 + 4 * i, word);
  }
  t.is(rig.read(NS.SR) & SR_BSY, 0, 'waits for the fourth word');
  t.is(rig.read(0x08000000) >>> 0, 0xffffffff, 'nothing programmed yet');
  rig.write(0x0800000c, 0x44444444);
  t.is(rig.waitIdle(NS.SR, SR_BSY) & SR_EOP, SR_EOP);
  t.is(rig.read(0x0800000c) >>> 0, 0x44444444);
});

test('U5: a quad word that starts off a 16-byte boundary is PGAERR', (t) => {
  const rig = makeRig({ device: 'STM32U585AI' });
  unlock(rig);
  rig.write(NS.CR, CR_PG);
  rig.write(0x08000008, 0x1);
  t.is(rig.read(NS.SR) & SR_PGAERR, SR_PGAERR);
  t.is(rig.read(0x08000008) >>> 0, 0xffffffff);
});

test('L552ZE programs double words and erases a bank-2 page with BKER', (t) => {
  const rig = makeRig({ device: 'STM32L552ZE' });
  unlock(rig);
  rig.write(NS.CR, CR_PG);
  rig.write(0x08040000, 0x12345678);
  rig.write(0x08040004, 0x9abcdef0);
  rig.waitIdle(NS.SR, SR_BSY);
  t.is(rig.read(0x08040000) >>> 0, 0x12345678, 'dual-bank by default: bank 2 at 0x08040000');
  rig.write(NS.CR, 0);
  rig.write(NS.CR, CR_PER | CR_BKER | CR_STRT);
  rig.waitIdle(NS.SR, SR_BSY);
  t.is(rig.read(0x08040000) >>> 0, 0xffffffff);
});

// STM32U3 (RM0487) and WBA (RM0493 WBA5x, RM0515 WBA6x): the same non-secure registers
// (FLASH_CR/NSCR1 at +0x28; CMSIS-U3 stm32u385xx.h, CMSIS-WBA stm32wba55xx.h/stm32wba65xx.h).
const CR_FSTPG = 1 << 18;
const CR_MER2 = 1 << 15;
const SR_PGSERR = 1 << 7;
const SR_WRPERR = 1 << 4;
const SR_WDW = 1 << 17;

test('U385RG programs double words (HAL-U3 FLASH_TYPEPROGRAM_DOUBLEWORD); an 8-byte start is fine', (t) => {
  const rig = makeRig({ device: 'STM32U385RG' });
  unlock(rig);
  rig.write(NS.CR, CR_PG | CR_EOPIE);
  rig.write(0x08000008, 0x01234567);
  t.is(rig.read(NS.SR) & (SR_WDW | SR_BSY), SR_WDW, 'WDW: waits for the second word');
  rig.write(0x0800000c, 0x89abcdef);
  t.is(rig.waitIdle(NS.SR, SR_BSY) & (SR_EOP | SR_WDW), SR_EOP);
  t.is(rig.read(0x08000008) >>> 0, 0x01234567);
  t.is(rig.read(0x0800000c) >>> 0, 0x89abcdef);
});

test('U385RG: two banks of 4 KiB pages; BKER erases a bank-2 page, MER2 bank 2 only', (t) => {
  const rig = makeRig({ device: 'STM32U385RG' });
  const bank2 = rig.chip.controller.flash.bankUnits(1);
  t.is(bank2[0]?.start, 0x08080000);
  t.is(bank2[0]?.size, 4096);
  t.is(bank2.length, 128);
  unlock(rig);
  rig.write(NS.CR, CR_PG);
  for (const address of [0x08000000, 0x08000004, 0x08081000, 0x08081004]) rig.write(address, 0);
  rig.waitIdle(NS.SR, SR_BSY);
  rig.write(NS.CR, 0);
  rig.write(NS.CR, CR_PER | CR_BKER | (1 << 3) | CR_STRT);
  rig.waitIdle(NS.SR, SR_BSY);
  t.is(rig.read(0x08081000) >>> 0, 0xffffffff, 'bank 2 page 1 erased');
  rig.write(NS.CR, CR_PG);
  rig.write(0x08081000, 0);
  rig.write(0x08081004, 0);
  rig.waitIdle(NS.SR, SR_BSY);
  rig.write(NS.CR, CR_MER2);
  rig.write(NS.CR, CR_MER2 | CR_STRT);
  rig.waitIdle(NS.SR, SR_BSY);
  t.is(rig.read(0x08081000) >>> 0, 0xffffffff, 'bank 2 mass-erased');
  t.is(rig.read(0x08000000) >>> 0, 0, 'bank 1 kept');
});

test('U385RG: PNB is 7 bits (FLASH_CR_PNB_Msk 0x3F8): bit 10 is reserved and ignored', (t) => {
  const rig = makeRig({ device: 'STM32U385RG' });
  unlock(rig);
  rig.write(NS.CR, CR_PG);
  rig.write(0x08002000, 0);
  rig.write(0x08002004, 0);
  rig.waitIdle(NS.SR, SR_BSY);
  rig.write(NS.CR, 0);
  rig.write(NS.CR, CR_PER | (1 << 10) | (2 << 3) | CR_STRT);
  t.is(rig.waitIdle(NS.SR, SR_BSY) & SR_PGSERR, 0);
  t.is(rig.read(0x08002000) >>> 0, 0xffffffff, 'page 2 erased');
});

test('WBA55CG programs quad words into one bank of 8 KiB pages; NSCR1 has no BKER', (t) => {
  const rig = makeRig({ device: 'STM32WBA55CG' });
  t.is(rig.chip.controller.flash.bankUnits(0)[0]?.size, 8192);
  t.is(rig.chip.controller.flash.bankUnits(1).length, 0);
  unlock(rig);
  rig.write(NS.CR, CR_PG);
  rig.write(0x08000000, 0x11111111);
  rig.write(0x08000004, 0x22222222);
  t.is(rig.read(NS.SR) & SR_BSY, 0, 'a double word is not a unit here');
  t.is(rig.read(0x08000000) >>> 0, 0xffffffff);
  rig.write(0x08000008, 0x33333333);
  rig.write(0x0800000c, 0x44444444);
  rig.waitIdle(NS.SR, SR_BSY);
  t.is(rig.read(0x0800000c) >>> 0, 0x44444444);
  rig.write(NS.CR, 0);
  rig.write(NS.CR, CR_PER | CR_BKER | CR_STRT);
  t.is(rig.waitIdle(NS.SR, SR_BSY) & SR_PGSERR, 0);
  t.is(rig.read(0x0800000c) >>> 0, 0xffffffff, 'bit 11 is reserved on WBA5x: page 0 erased');
});

test('WBA65RI: two banks of 1 MiB; FSTPG (bit 18) is reserved, so PG programs as usual', (t) => {
  const rig = makeRig({ device: 'STM32WBA65RI' });
  t.is(rig.chip.controller.flash.bankUnits(1)[0]?.start, 0x08100000);
  unlock(rig);
  rig.write(NS.CR, CR_PG | CR_FSTPG);
  t.is(rig.read(NS.CR) & CR_FSTPG, 0, 'reads 0');
  for (let i = 0; i < 4; i++) rig.write(0x08100000 + 4 * i, 0xa5a5a5a5);
  t.is(rig.waitIdle(NS.SR, SR_BSY) & (SR_PGSERR | SR_WRPERR), 0);
  t.is(rig.read(0x08100004) >>> 0, 0xa5a5a5a5);
});

test('WBA: a wrong key locks NSCR1 until reset; writes while locked do nothing', (t) => {
  const rig = makeRig({ device: 'STM32WBA65RI' });
  rig.write(NS.KEYR, 0x45670123);
  t.throws(() => rig.write(NS.KEYR, 0x12345678), { message: /locked until reset/ });
  t.throws(() => unlock(rig), { message: /locked until reset/ });
  t.is(rig.read(NS.CR) & CR_LOCK, CR_LOCK, 'still locked');
  rig.write(NS.CR, CR_PG);
  t.is(rig.read(NS.CR) & CR_PG, 0);
});
