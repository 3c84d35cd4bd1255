import test from 'ava';
import { BusError } from '../src/bus.js';
import { makeRig } from './stm32-rig.js';

// STM32F103RB: FPEC at 0x40022000 (CMSIS-F1 stm32f103xb.h; OpenOCD stm32f1x.c).
const FLASH = 0x40022000;
const KEYR = FLASH + 0x04;
const OPTKEYR = FLASH + 0x08;
const SR = FLASH + 0x0c;
const CR = FLASH + 0x10;
const AR = FLASH + 0x14;
const OBR = FLASH + 0x1c;
const WRPR = FLASH + 0x20;
const KEY1 = 0x45670123;
const KEY2 = 0xcdef89ab;
const CR_PG = 1 << 0;
const CR_PER = 1 << 1;
const CR_MER = 1 << 2;
const CR_OPTPG = 1 << 4;
const CR_OPTER = 1 << 5;
const CR_STRT = 1 << 6;
const CR_LOCK = 1 << 7;
const CR_OPTWRE = 1 << 9;
const SR_BSY = 1 << 0;
const SR_PGERR = 1 << 2;
const SR_WRPRTERR = 1 << 4;
const SR_EOP = 1 << 5;
const OB = 0x1ffff800;

function unlocked(options = {}) {
  const rig = makeRig({ device: 'STM32F103RB', ...options });
  rig.write(KEYR, KEY1);
  rig.write(KEYR, KEY2);
  return rig;
}

test('F103RB identifies as DEV_ID 0x410 with 128 KiB of 1 KiB pages', (t) => {
  const rig = makeRig({ device: 'STM32F103RB', revId: 0x2003 });
  t.is(rig.read(0xe0042000), 0x20030410);
  t.is(rig.read(0x1ffff7e0, 2), 128);
  t.is(rig.chip.controller.flash.units.length, 128);
  t.is(rig.chip.cpuId, 0x411fc231);
  t.is(rig.read(0x08000000), 0xffffffff);
  t.is(rig.read(CR), CR_LOCK);
});

test('programs half-words after unlocking and reads them back, also through the boot alias', (t) => {
  const rig = unlocked();
  t.is(rig.read(CR) & CR_LOCK, 0);
  rig.write(CR, CR_PG);
  rig.write(0x08000000, 0x1234, 2);
  t.is(rig.read(SR) & SR_BSY, SR_BSY, 'busy while the half-word programs');
  const sr = rig.waitIdle(SR);
  t.is(sr & SR_EOP, SR_EOP);
  rig.write(0x08000002, 0xbeef, 2);
  rig.waitIdle(SR);
  t.is(rig.read(0x08000000), 0xbeef1234);
  t.is(rig.read(0x00000000), 0xbeef1234);
  // 52.5 µs per half-word (DS5319 Table 28) in virtual time.
  t.true(rig.clock.nowUs >= 105);
});

test('programming without unlocking does nothing: no PG, no write', (t) => {
  const rig = makeRig({ device: 'STM32F103RB' });
  rig.write(CR, CR_PG);
  t.is(rig.read(CR), CR_LOCK, 'CR stays locked');
  rig.write(0x08000000, 0x1234, 2);
  t.is(rig.read(0x08000000, 2), 0xffff);
  t.is(rig.read(SR), 0);
});

test('a non-erased half-word is skipped with PGERR, but 0x0000 can always be written', (t) => {
  const rig = unlocked();
  rig.write(CR, CR_PG);
  rig.write(0x08000010, 0x00ff, 2);
  rig.waitIdle(SR);
  rig.write(0x08000010, 0x000f, 2);
  t.is(rig.read(SR) & SR_PGERR, SR_PGERR);
  t.is(rig.read(0x08000010, 2), 0x00ff);
  rig.write(SR, SR_PGERR);
  rig.write(0x08000010, 0x0000, 2);
  rig.waitIdle(SR);
  t.is(rig.read(SR) & SR_PGERR, 0);
  t.is(rig.read(0x08000010, 2), 0);
});

test('word and byte writes with PG set get a bus error from the FPEC', (t) => {
  const rig = unlocked();
  rig.write(CR, CR_PG);
  t.throws(() => rig.write(0x08000000, 0x12345678, 4), { instanceOf: BusError });
  t.throws(() => rig.write(0x08000000, 0x12, 1), { instanceOf: BusError });
});

test('keys in the wrong order lock the FPEC until reset with a bus error', (t) => {
  const rig = makeRig({ device: 'STM32F103RB' });
  t.throws(() => rig.write(KEYR, KEY2), { instanceOf: BusError });
  // The right sequence no longer helps...
  t.throws(() => rig.write(KEYR, KEY1), { instanceOf: BusError });
  t.is(rig.read(CR) & CR_LOCK, CR_LOCK);
  // ...until a reset.
  rig.chip.reset('system');
  rig.write(KEYR, KEY1);
  rig.write(KEYR, KEY2);
  t.is(rig.read(CR) & CR_LOCK, 0);
  // A key written to an unlocked FPEC is a wrong sequence too.
  t.throws(() => rig.write(KEYR, KEY1), { instanceOf: BusError });
  t.is(rig.read(CR) & CR_LOCK, CR_LOCK);
});

test('page erase and mass erase take the datasheet time and erase', (t) => {
  const rig = unlocked();
  rig.write(CR, CR_PG);
  rig.write(0x08000400, 0x5555, 2);
  rig.write(0x08000800, 0x6666, 2);
  rig.waitIdle(SR);
  rig.write(CR, CR_PER);
  rig.write(AR, 0x08000400);
  const before = rig.clock.nowUs;
  rig.write(CR, CR_PER | CR_STRT);
  t.is(rig.read(CR) & CR_STRT, CR_STRT);
  rig.waitIdle(SR);
  t.true(rig.clock.nowUs - before >= 30_000);
  t.is(rig.read(CR) & CR_STRT, 0);
  t.is(rig.read(0x08000400, 2), 0xffff);
  t.is(rig.read(0x08000800, 2), 0x6666);
  rig.write(CR, CR_MER);
  rig.write(CR, CR_MER | CR_STRT);
  rig.waitIdle(SR);
  t.is(rig.read(0x08000800, 2), 0xffff);
});

test('writes while BSY stall the bus until the operation ends', (t) => {
  const rig = unlocked();
  rig.write(CR, CR_PER);
  rig.write(AR, 0x08000000);
  rig.write(CR, CR_PER | CR_STRT);
  const started = rig.clock.nowUs;
  rig.write(CR, CR_PG); // stalls ~30 ms
  t.true(rig.clock.nowUs - started >= 30_000);
  t.is(rig.read(SR) & SR_BSY, 0);
  t.is(rig.read(CR), CR_PG);
});

test('option bytes: write protection blocks program and erase with WRPRTERR', (t) => {
  const rig = unlocked();
  rig.write(OPTKEYR, KEY1);
  rig.write(OPTKEYR, KEY2);
  t.is(rig.read(CR) & CR_OPTWRE, CR_OPTWRE);
  rig.write(CR, CR_OPTER | CR_OPTWRE);
  rig.write(CR, CR_OPTER | CR_STRT | CR_OPTWRE);
  rig.waitIdle(SR);
  rig.write(CR, CR_OPTPG | CR_OPTWRE);
  rig.write(OB + 0, 0x00a5, 2); // RDP level 0: the FPEC writes the complement itself
  rig.waitIdle(SR);
  rig.write(OB + 8, 0x00fe, 2); // WRP0 bit 0 = 0: pages 0-3 protected
  rig.waitIdle(SR);
  t.is(rig.read(OB, 2), 0x5aa5);
  t.is(rig.read(OB + 8, 2), 0x01fe);
  // Options apply at the next system reset (F1 has no OBL_LAUNCH).
  t.is(rig.read(WRPR), 0xffffffff);
  rig.chip.reset('system');
  t.is(rig.read(WRPR), 0xfffffffe);
  rig.write(KEYR, KEY1);
  rig.write(KEYR, KEY2);
  rig.write(CR, CR_PG);
  rig.write(0x08000c00, 0x1111, 2);
  t.is(rig.read(SR) & SR_WRPRTERR, SR_WRPRTERR);
  t.is(rig.read(0x08000c00, 2), 0xffff);
  rig.write(0x08001000, 0x2222, 2); // page 4 is not protected
  rig.waitIdle(SR);
  t.is(rig.read(0x08001000, 2), 0x2222);
});

test('RDP level 1 faults flash reads; regression to level 0 mass-erases', (t) => {
  const rig = makeRig({ device: 'STM32F103RB', rdp: 1 });
  t.is(rig.read(OBR) & 0x2, 0x2, 'OBR.RDPRT');
  t.throws(() => rig.read(0x08000000), { instanceOf: BusError });
  t.throws(() => rig.read(0x00000000), { instanceOf: BusError });
  t.is(rig.chip.debugAccess(), 'open');
  // SRAM, DBGMCU and the option bytes stay readable.
  rig.write(0x20000000, 0xcafef00d);
  t.is(rig.read(0x20000000), 0xcafef00d);
  t.is(rig.read(OB, 2) & 0xff, 0x00);
});

test('RDP regression: programming RDP 0xA5 under protection mass-erases, reset unprotects', (t) => {
  const rig = makeRig({ device: 'STM32F103RB' });
  // Put some code in, then protect the chip (level 1 = any RDP byte but 0xA5).
  rig.write(KEYR, KEY1);
  rig.write(KEYR, KEY2);
  rig.write(CR, CR_PG);
  rig.write(0x08000000, 0x4321, 2);
  rig.waitIdle(SR);
  rig.write(OPTKEYR, KEY1);
  rig.write(OPTKEYR, KEY2);
  rig.write(CR, CR_OPTER | CR_OPTWRE);
  rig.write(CR, CR_OPTER | CR_STRT | CR_OPTWRE);
  rig.waitIdle(SR);
  rig.chip.reset('system');
  t.is(rig.chip.controller.rdpLevel(), 1, 'erased options (RDP 0xFF) protect');
  t.throws(() => rig.read(0x08000000), { instanceOf: BusError });
  // Program and page erase are refused under protection.
  rig.write(KEYR, KEY1);
  rig.write(KEYR, KEY2);
  rig.write(CR, CR_PG);
  rig.write(0x08000100, 0x1111, 2);
  t.is(rig.read(SR) & SR_PGERR, SR_PGERR);
  rig.write(SR, SR_PGERR);
  // Regression.
  rig.write(OPTKEYR, KEY1);
  rig.write(OPTKEYR, KEY2);
  rig.write(CR, CR_OPTPG | CR_OPTWRE);
  const before = rig.clock.nowUs;
  rig.write(OB, 0x00a5, 2);
  rig.waitIdle(SR);
  t.true(rig.clock.nowUs - before >= 30_000, 'includes the mass erase');
  t.is(rig.chip.controller.rdpLevel(), 1, 'still protected until reset');
  rig.chip.reset('system');
  t.is(rig.chip.controller.rdpLevel(), 0);
  t.is(rig.read(0x08000000), 0xffffffff, 'flash was mass-erased');
  t.is(rig.read(OBR) & 0x3, 0);
});

test('a complement mismatch in the option bytes reads as level 1 with OPTERR', (t) => {
  const rig = makeRig({ device: 'STM32F103RB' });
  const state = rig.chip.saveState();
  const broken = { ...state, controller: { optionBytes: 'a500' + 'ff'.repeat(14) } };
  rig.chip.loadState(broken);
  t.is(rig.read(OBR) & 0x3, 0x3, 'OPTERR and RDPRT');
  t.is(rig.chip.controller.rdpLevel(), 1);
});

test('F0 OBL_LAUNCH asks the board for a system reset that reloads the options', (t) => {
  const rig = makeRig({ device: 'STM32F030R8' });
  t.is(rig.read(0x40015800) & 0xfff, 0x440);
  t.is(rig.read(0x1ffff7cc, 2), 64);
  rig.write(KEYR, KEY1);
  rig.write(KEYR, KEY2);
  rig.write(OPTKEYR, KEY1);
  rig.write(OPTKEYR, KEY2);
  rig.write(CR, CR_OPTER | CR_OPTWRE);
  rig.write(CR, CR_OPTER | CR_STRT | CR_OPTWRE);
  rig.waitIdle(SR);
  rig.write(CR, CR_OPTPG | CR_OPTWRE);
  rig.write(OB, 0x00bb, 2); // level 1
  rig.waitIdle(SR);
  t.is(rig.chip.controller.rdpLevel(), 0);
  rig.write(CR, (1 << 13) | CR_OPTWRE);
  t.is(rig.resetRequests(), 1);
  t.is(rig.chip.controller.rdpLevel(), 1);
  t.is(rig.read(OBR) & 0x6, 0x2, 'F0 OBR.RDPRT[2:1] = 01');
});
