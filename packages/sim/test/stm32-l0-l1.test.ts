import test from 'ava';
import { BusError } from '../src/bus.js';
import { makeRig, type Rig } from './stm32-rig.js';

// STM32L1 NVM interface at 0x40023C00 (RM0038 §3.9; CMSIS-L1 stm32l151xb.h).
const NVM = 0x40023c00;
const PECR = NVM + 0x04;
const PEKEYR = NVM + 0x0c;
const PRGKEYR = NVM + 0x10;
const OPTKEYR = NVM + 0x14;
const SR = NVM + 0x18;
const OBR = NVM + 0x1c;
const WRPR = NVM + 0x20;
const PECR_PROG = 1 << 3;
const PECR_ERASE = 1 << 9;
const PECR_FPRG = 1 << 10;
const PECR_OBL_LAUNCH = 1 << 18;
const SR_BSY = 1 << 0;
const SR_EOP = 1 << 1;
const SR_WRPERR = 1 << 8;
const SR_PGAERR = 1 << 9;
const SR_SIZERR = 1 << 10;
const SR_OPTVERR = 1 << 11;
const OB = 0x1ff80000;
const EEPROM = 0x08080000;

/** PEKEYR, unless PECR is unlocked already (keys on an unlocked PECR are a wrong sequence). */
function unlockPecr(rig: Rig) {
  if ((rig.read(PECR) & 1) === 0) return;
  rig.write(PEKEYR, 0x89abcdef);
  rig.write(PEKEYR, 0x02030405);
}
function unlockProgram(rig: Rig) {
  unlockPecr(rig);
  rig.write(PRGKEYR, 0x8c9daebf);
  rig.write(PRGKEYR, 0x13141516);
}
function unlockOptions(rig: Rig) {
  unlockPecr(rig);
  rig.write(OPTKEYR, 0xfbead9c8);
  rig.write(OPTKEYR, 0x24252627);
}
function l151(options = {}) {
  return makeRig({ device: 'STM32L151CBxxA', ...options });
}

test('L151CBxxA: DEV_ID 0x429, flash size register 0x6B80, split UID, 512 pages erased to 0', (t) => {
  const rig = l151({ uid: '0102030405060708090a0b0c' });
  t.is(rig.read(0xe0042000) & 0xfff, 0x429);
  t.is((rig.chip.cpuId >>> 4) & 0xfff, 0xc23);
  t.is(rig.read(0x1ff8004c, 2), 0x6b80, 'reserved upper byte is garbage');
  t.is(rig.read(0x1ff8004c, 2) & 0xff, 128);
  t.is(rig.read(0x1ff80050), 0x04030201);
  t.is(rig.read(0x1ff80054), 0x08070605);
  t.is(rig.read(0x1ff80064), 0x0c0b0a09);
  const units = rig.chip.controller.flash.units;
  t.is(units.length, 512);
  t.true(units.every((u) => u.size === 256));
  t.is(rig.read(0x08000000), 0);
  t.is(rig.read(0x0801fffc), 0);
  t.throws(() => rig.read(0x08020000), { instanceOf: BusError });
  t.is(rig.read(EEPROM + 0xffc), 0, '4 KiB data EEPROM');
  rig.write(0x20007ffc, 0x1234);
  t.is(rig.read(0x20007ffc), 0x1234, '32 KiB SRAM');
  t.is(rig.read(SR), 0x0c, 'idle: ENDHV and READY');
  t.is(rig.read(PECR), 0x7);
  t.is(rig.read(OBR), 0x007800aa);
});

test('the raw flash-size value is settable', (t) => {
  const rig = l151({ flashSizeRaw: 0x0080 });
  t.is(rig.read(0x1ff8004c, 2), 0x0080);
});

test('word programming after PEKEYR+PRGKEYR, 3.28 ms busy', (t) => {
  const rig = l151();
  unlockProgram(rig);
  t.is(rig.read(PECR) & 0x3, 0);
  rig.write(0x08000100, 0xa5a5a5a5);
  t.is(rig.read(SR) & SR_BSY, SR_BSY);
  const sr = rig.waitIdle(SR);
  t.is(sr & SR_EOP, SR_EOP);
  t.true(rig.clock.nowUs >= 3280);
  t.is(rig.read(0x08000100), 0xa5a5a5a5);
});

test('programming without unlocking sets WRPERR; byte writes set SIZERR', (t) => {
  const rig = l151();
  rig.write(0x08000000, 0x12345678);
  t.is(rig.read(SR) & SR_WRPERR, SR_WRPERR);
  t.is(rig.read(0x08000000), 0);
  unlockPecr(rig);
  rig.write(0x08000000, 0x12345678);
  t.is(rig.read(SR) & SR_WRPERR, SR_WRPERR, 'PECR alone does not unlock program memory');
  rig.write(SR, SR_WRPERR);
  rig.write(PRGKEYR, 0x8c9daebf);
  rig.write(PRGKEYR, 0x13141516);
  rig.write(0x08000000, 0x12, 1);
  t.is(rig.read(SR) & SR_SIZERR, SR_SIZERR);
});

test('keys in the wrong order lock PECR until reset with a bus error', (t) => {
  const rig = l151();
  // PRGKEYR before PEKEYR.
  t.throws(() => rig.write(PRGKEYR, 0x8c9daebf), { instanceOf: BusError });
  t.throws(() => rig.write(PEKEYR, 0x89abcdef), { instanceOf: BusError }, 'locked until reset');
  t.is(rig.read(PECR) & 0x7, 0x7);
  rig.chip.reset('system');
  unlockProgram(rig);
  t.is(rig.read(PECR) & 0x7, 0x4);
  const rig2 = l151();
  rig2.write(PEKEYR, 0x89abcdef);
  t.throws(() => rig2.write(PEKEYR, 0x89abcdef), { instanceOf: BusError }, 'KEY1 twice');
});

function halfPage(rig: Rig, base: number, words: number, first = 0x1000) {
  for (let i = 0; i < words; i++) rig.write(base + 4 * i, first + i);
}

test('half-page programming: 32 words in one 3.28 ms operation', (t) => {
  const rig = l151();
  unlockProgram(rig);
  rig.write(PECR, PECR_FPRG);
  rig.write(PECR, PECR_FPRG | PECR_PROG);
  halfPage(rig, 0x08000080, 31);
  t.is(rig.read(SR) & SR_BSY, 0, 'nothing starts before the last word');
  rig.write(0x08000080 + 31 * 4, 0x1000 + 31);
  t.is(rig.read(SR) & SR_BSY, SR_BSY);
  const sr = rig.waitIdle(SR);
  t.is(sr & (SR_EOP | SR_PGAERR), SR_EOP);
  t.true(rig.clock.nowUs >= 3280 && rig.clock.nowUs < 2 * 3280 + 2000);
  t.is(rig.read(0x08000080), 0x1000);
  t.is(rig.read(0x080000fc), 0x101f);
});

test('a half-page write interrupted by another flash access is abandoned with PGAERR', (t) => {
  const rig = l151();
  unlockProgram(rig);
  rig.write(PECR, PECR_FPRG | PECR_PROG);
  halfPage(rig, 0x08000000, 10);
  rig.read(0x08001000); // a flash read in the middle
  t.is(rig.read(SR) & SR_PGAERR, SR_PGAERR);
  rig.write(SR, SR_PGAERR);
  halfPage(rig, 0x08000000 + 40, 22, 0x2000);
  t.is(rig.read(SR) & SR_BSY, 0, 'the sequence restarted and is incomplete');
  t.is(rig.read(0x08000000), 0);
  // A write outside the half-page breaks the sequence too.
  const rig2 = l151();
  unlockProgram(rig2);
  rig2.write(PECR, PECR_FPRG | PECR_PROG);
  halfPage(rig2, 0x08000000, 4);
  rig2.write(0x08000100, 1);
  t.is(rig2.read(SR) & SR_PGAERR, SR_PGAERR);
  // Sub-word writes in a half-page give SIZERR.
  const rig3 = l151();
  unlockProgram(rig3);
  rig3.write(PECR, PECR_FPRG | PECR_PROG);
  rig3.write(0x08000000, 0x1234, 2);
  t.is(rig3.read(SR) & SR_SIZERR, SR_SIZERR);
});

test('page erase: ERASE|PROG and a zero word; writes while BSY stall', (t) => {
  const rig = l151();
  unlockProgram(rig);
  rig.write(0x08000200, 0xffffffff);
  rig.waitIdle(SR);
  rig.write(0x08000300, 0x11111111);
  rig.waitIdle(SR);
  rig.write(PECR, PECR_ERASE | PECR_PROG);
  const before = rig.clock.nowUs;
  rig.write(0x08000200, 0);
  rig.write(0x08000300, 0); // the second erase waits for the first (the AHB stalls)
  t.true(rig.clock.nowUs - before >= 3280);
  rig.waitIdle(SR);
  t.is(rig.read(0x08000200), 0);
  t.is(rig.read(0x08000300), 0);
});

test('setting PELOCK clears ERASE|PROG|FPRG|DATA|FTDW (RM0038): OpenOCD erase, relock, word writes', (t) => {
  const rig = l151();
  unlockProgram(rig);
  rig.write(0x08000500, 0x12345678);
  rig.waitIdle(SR);
  // OpenOCD stm32lx.c: PECR = ERASE|PROG, erase, then PECR |= PRGLOCK; PECR |= PELOCK.
  rig.write(PECR, PECR_ERASE | PECR_PROG | (1 << 16));
  rig.write(0x08000500, 0);
  rig.waitIdle(SR);
  rig.write(PECR, rig.read(PECR) | 0x2);
  t.is(rig.read(PECR), PECR_ERASE | PECR_PROG | (1 << 16) | 0x6, 'PRGLOCK alone keeps the modes');
  rig.write(PECR, rig.read(PECR) | 0x1);
  t.is(rig.read(PECR), 0x7 | (1 << 16), 'PELOCK: all locks, no modes; EOPIE kept');
  unlockPecr(rig);
  t.is(rig.read(PECR) & 0xffff, 0x6, 'after the PEKEYR unlock: PRGLOCK|OPTLOCK');
  unlockProgram(rig);
  // The next word write programs (with ERASE|PROG still set it would erase the page).
  rig.write(0x08000500, 0xcafef00d);
  rig.write(0x08000504, 0x0badc0de);
  rig.waitIdle(SR);
  t.deepEqual([rig.read(0x08000500), rig.read(0x08000504)], [0xcafef00d, 0x0badc0de]);
  // FPRG and DATA go the same way; a write without PELOCK changes nothing else.
  rig.write(PECR, PECR_FPRG | PECR_PROG | (1 << 4) | (1 << 8));
  t.is(rig.read(PECR) & 0x718, PECR_FPRG | PECR_PROG | (1 << 4) | (1 << 8));
  rig.write(PECR, rig.read(PECR) | 0x1);
  t.is(rig.read(PECR) & 0x718, 0);
});

test('L0 relock clears the operation bits too (same PECR rule)', (t) => {
  const rig = makeRig({ device: 'STM32L053R8' });
  const nvm = 0x40022000;
  rig.write(nvm + 0x0c, 0x89abcdef);
  rig.write(nvm + 0x0c, 0x02030405);
  rig.write(nvm + 0x04, PECR_ERASE | PECR_PROG);
  rig.write(nvm + 0x04, PECR_ERASE | PECR_PROG | 0x1);
  t.is(rig.read(nvm + 0x04), 0x7);
});

test('writing a word that is not erased: no flag on L1, the cells OR (verify catches it)', (t) => {
  const rig = l151();
  unlockProgram(rig);
  rig.write(0x08000400, 0x0000ff00);
  rig.waitIdle(SR);
  rig.write(0x08000400, 0x000000ff);
  const sr = rig.waitIdle(SR);
  t.is(sr & 0x3f00, 0);
  t.is(rig.read(0x08000400), 0x0000ffff);
});

test('option bytes: RDP 1 via OBL_LAUNCH, reads fault, regression erases flash and EEPROM', (t) => {
  const rig = l151();
  unlockProgram(rig);
  rig.write(0x08000000, 0x20005000);
  rig.waitIdle(SR);
  rig.write(EEPROM, 0xabcd1234);
  rig.waitIdle(SR);
  unlockOptions(rig);
  rig.write(OB, 0xffff0000); // RDP 0x00: level 1 (OO stm32lx_mass_erase)
  rig.waitIdle(SR);
  t.is(rig.chip.controller.rdpLevel(), 0, 'not before the option reload');
  rig.write(PECR, PECR_OBL_LAUNCH);
  t.is(rig.resetRequests(), 1);
  t.is(rig.chip.controller.rdpLevel(), 1);
  t.throws(() => rig.read(0x08000000), { instanceOf: BusError });
  t.throws(() => rig.read(EEPROM), { instanceOf: BusError });
  t.is(rig.read(OB), 0xffff0000, 'option bytes stay readable');
  t.is(rig.read(OBR) & 0xff, 0x00);
  unlockProgram(rig);
  rig.write(0x08000800, 1);
  t.is(rig.read(SR) & SR_WRPERR, SR_WRPERR, 'no programming under protection');
  unlockOptions(rig);
  const before = rig.clock.nowUs;
  rig.write(OB, 0xff5500aa);
  rig.waitIdle(SR);
  t.true(rig.clock.nowUs - before > 512 * 3280, 'every page erased');
  rig.write(PECR, PECR_OBL_LAUNCH);
  t.is(rig.chip.controller.rdpLevel(), 0);
  t.is(rig.read(0x08000000), 0);
  t.is(rig.read(EEPROM), 0, 'data EEPROM erased too');
});

test('WRP: a set WRP bit protects its 4 KiB sector', (t) => {
  const rig = l151();
  unlockOptions(rig);
  rig.write(OB + 8, 0xfffd0002); // WRP01: sector 1 (0x08001000-0x08001FFF)
  rig.waitIdle(SR);
  rig.write(PECR, PECR_OBL_LAUNCH);
  t.is(rig.read(WRPR), 0x2);
  unlockProgram(rig);
  rig.write(0x08001000, 5);
  t.is(rig.read(SR) & SR_WRPERR, SR_WRPERR);
  rig.write(SR, SR_WRPERR);
  rig.write(0x08000ffc, 5);
  rig.waitIdle(SR);
  t.is(rig.read(0x08000ffc), 5);
});

test('an option word whose halves are not complements loads with OPTVERR', (t) => {
  const rig = l151();
  unlockOptions(rig);
  rig.write(OB + 4, 0x00000000); // USER word as found on a shipped L151CBxxA module
  rig.waitIdle(SR);
  rig.write(PECR, PECR_OBL_LAUNCH);
  t.is(rig.read(SR), SR_OPTVERR | 0x0c, 'SR 0x80C, as reported for that module');
  t.is(rig.read(OBR), 0x007800aa);
  unlockOptions(rig);
  rig.write(OB, 0x000000aa); // RDP word with a broken complement
  rig.waitIdle(SR);
  rig.write(PECR, PECR_OBL_LAUNCH);
  t.is(rig.chip.controller.rdpLevel(), 1, 'a corrupt RDP word protects');
});

test('data EEPROM: byte writes with PECR unlocked, WRPERR when locked', (t) => {
  const rig = l151();
  rig.write(EEPROM + 1, 0x5a, 1);
  t.is(rig.read(SR) & SR_WRPERR, SR_WRPERR);
  rig.write(SR, SR_WRPERR);
  unlockPecr(rig);
  rig.write(EEPROM + 1, 0x5a, 1);
  rig.waitIdle(SR);
  rig.write(EEPROM + 1, 0x0f, 1); // rewrites erase first: no OR
  rig.waitIdle(SR);
  t.is(rig.read(EEPROM), 0x00000f00);
});

test('L0: NOTZEROERR when the target word is not zero', (t) => {
  const rig = makeRig({ device: 'STM32L053R8' });
  const nvm = 0x40022000;
  t.is(rig.read(0x40015800) & 0xfff, 0x417);
  rig.write(nvm + 0x0c, 0x89abcdef);
  rig.write(nvm + 0x0c, 0x02030405);
  rig.write(nvm + 0x10, 0x8c9daebf);
  rig.write(nvm + 0x10, 0x13141516);
  rig.write(0x08000000, 0x1);
  rig.waitIdle(nvm + 0x18);
  rig.write(0x08000000, 0x2);
  t.is(rig.read(nvm + 0x18) & (1 << 16), 1 << 16);
  t.is(rig.read(0x08000000), 1);
});
