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
