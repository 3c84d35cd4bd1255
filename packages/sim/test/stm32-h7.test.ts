import test from 'ava';
import { BusError } from '../src/bus.js';
import { makeRig, type Rig } from './stm32-rig.js';

// STM32H743ZI flash interface: bank 1 registers at 0x52002000, bank 2 at 0x52002100
// (RM0433 §4.9; CMSIS-H7 stm32h743xx.h).
const B1 = 0x52002000;
const B2 = 0x52002100;
const KEYR = 0x04;
const CR = 0x0c;
const SR = 0x10;
const CCR = 0x14;
const OPTKEYR = B1 + 0x08;
const OPTCR = B1 + 0x18;
const OPTSR_CUR = B1 + 0x1c;
const OPTSR_PRG = B1 + 0x20;
const WPSN_PRG = 0x3c;
const CR_PG = 1 << 1;
const CR_SER = 1 << 2;
const PSIZE_X64 = 3 << 4;
const CR_FW = 1 << 6;
const CR_START = 1 << 7;
const snb = (n: number) => n << 8;
const SR_BSY = 1 << 0;
const SR_WBNE = 1 << 1;
const SR_QW = 1 << 2;
const SR_EOP = 1 << 16;
const SR_WRPERR = 1 << 17;
const SR_PGSERR = 1 << 18;
const SR_STRBERR = 1 << 19;
const SR_INCERR = 1 << 21;
const OPTSTART = 1 << 1;

function unlock(rig: Rig, bank = B1) {
  rig.write(bank + KEYR, 0x45670123);
  rig.write(bank + KEYR, 0xcdef89ab);
}
function unlockOptions(rig: Rig) {
  rig.write(OPTKEYR, 0x08192a3b);
  rig.write(OPTKEYR, 0x4c5d6e7f);
}
function writeFlashWord(rig: Rig, address: number, first: number) {
  for (let i = 0; i < 8; i++) rig.write(address + 4 * i, first + i);
}
function h743() {
  return makeRig({ device: 'STM32H743ZI' });
}

test('H743ZI: IDCODE at 0x5C001000, 2 MiB in two banks of 8 x 128 KiB sectors', (t) => {
  const rig = h743();
  t.is(rig.read(0x5c001000) & 0xfff, 0x450);
  t.is(rig.read(0x1ff1e880, 2), 2048);
  t.is(rig.chip.dpidr, 0x6ba02477);
  t.is(rig.chip.bootAddress(), 0x08000000);
  const flash = rig.chip.controller.flash;
  t.is(flash.units.length, 16);
  t.is(flash.bankUnits(1)[0]?.start, 0x08100000);
  t.is(rig.read(B1 + CR), 0x31, 'LOCK and PSIZE x64 at reset');
  t.is((rig.read(OPTSR_CUR) >>> 8) & 0xff, 0xaa);
});

test('a 256-bit flash word programs when its last byte arrives (QW, 100 µs)', (t) => {
  const rig = h743();
  unlock(rig);
  rig.write(B1 + CR, CR_PG | PSIZE_X64);
  for (let i = 0; i < 7; i++) rig.write(0x08000000 + 4 * i, 0x100 + i);
  t.is(rig.read(B1 + SR) & (SR_WBNE | SR_QW), SR_WBNE, 'buffer filling, nothing queued');
  rig.write(0x0800001c, 0x107);
  t.is(rig.read(B1 + SR) & (SR_QW | SR_BSY), SR_QW | SR_BSY);
  const sr = rig.waitIdle(B1 + SR, SR_QW);
  t.is(sr & SR_EOP, SR_EOP);
  t.true(rig.clock.nowUs >= 100);
  t.is(rig.read(0x08000000), 0x100);
  t.is(rig.read(0x0800001c), 0x107);
});

test('PGSERR without unlock, INCERR across flash words, STRBERR on a byte written twice', (t) => {
  const rig = h743();
  rig.write(0x08000000, 1);
  t.is(rig.read(B1 + SR) & SR_PGSERR, SR_PGSERR);
  unlock(rig);
  rig.write(B1 + CR, CR_PG | PSIZE_X64);
  rig.write(0x08000000, 1);
  rig.write(0x08000020, 2);
  t.is(rig.read(B1 + SR) & SR_INCERR, SR_INCERR);
  t.is(rig.read(0x08000000), 0xffffffff, 'the incomplete word was dropped');
  rig.write(B1 + CCR, 0x0fef0000);
  rig.write(0x08000040, 1);
  rig.write(0x08000040, 2);
  t.is(rig.read(B1 + SR) & SR_STRBERR, SR_STRBERR);
});

test('CR.FW forces a partial flash word; the rest stays erased', (t) => {
  const rig = h743();
  unlock(rig);
  rig.write(B1 + CR, CR_PG | PSIZE_X64);
  rig.write(0x08000100, 0xabcd);
  rig.write(B1 + CR, CR_PG | PSIZE_X64 | CR_FW);
  rig.waitIdle(B1 + SR, SR_QW);
  t.is(rig.read(0x08000100), 0xabcd);
  t.is(rig.read(0x08000104), 0xffffffff);
});

test('sector erase in bank 2 through CR2; writes while busy stall', (t) => {
  const rig = h743();
  unlock(rig, B2);
  rig.write(B2 + CR, CR_PG | PSIZE_X64);
  writeFlashWord(rig, 0x08120000, 0x10);
  rig.waitIdle(B2 + SR, SR_QW);
  rig.write(B2 + CR, CR_SER | PSIZE_X64 | snb(1));
  rig.write(B2 + CR, CR_SER | PSIZE_X64 | snb(1) | CR_START);
  const before = rig.clock.nowUs;
  rig.write(B2 + CR, PSIZE_X64); // waits for the erase (1 s for a 128 KiB sector at x64)
  t.true(rig.clock.nowUs - before >= 1_000_000);
  t.is(rig.read(0x08120000), 0xffffffff);
});

test('a wrong key locks the bank registers until reset', (t) => {
  const rig = h743();
  t.throws(() => rig.write(B1 + KEYR, 0xcdef89ab), { instanceOf: BusError });
  t.throws(() => unlock(rig), { instanceOf: BusError });
  rig.chip.reset('system');
  unlock(rig);
  t.is(rig.read(B1 + CR) & 1, 0);
});

test('options apply at OPTSTART: WPSN, RDP 1, regression, and level 2', (t) => {
  const rig = h743();
  unlock(rig);
  rig.write(B1 + CR, CR_PG | PSIZE_X64);
  writeFlashWord(rig, 0x08000000, 0x20);
  rig.waitIdle(B1 + SR, SR_QW);
  unlockOptions(rig);
  rig.write(B1 + WPSN_PRG, 0xfd); // sector 1 of bank 1 protected
  rig.write(OPTCR, OPTSTART);
  rig.waitIdle(OPTSR_CUR, 1);
  rig.write(B1 + CR, CR_SER | PSIZE_X64 | snb(1) | CR_START);
  t.is(rig.read(B1 + SR) & SR_WRPERR, SR_WRPERR, 'WPSN applies without a reset');
  rig.write(OPTSR_PRG, (rig.read(OPTSR_PRG) & ~0xff00) | 0x5500);
  rig.write(OPTCR, OPTSTART);
  rig.waitIdle(OPTSR_CUR, 1);
  t.is(rig.chip.controller.rdpLevel(), 1);
  t.throws(() => rig.read(0x08000000), { instanceOf: BusError });
  t.is(rig.read(B1 + SR) & (1 << 23), 1 << 23, 'RDPERR');
  rig.write(OPTSR_PRG, (rig.read(OPTSR_PRG) & ~0xff00) | 0xaa00);
  rig.write(OPTCR, OPTSTART);
  const sr = rig.waitIdle(OPTSR_CUR, 1);
  t.is(sr & (1 << 30), 0, 'no OPTCHANGEERR');
  t.is(rig.chip.controller.rdpLevel(), 0);
  t.is(rig.read(0x08000000), 0xffffffff, 'both banks were erased');
  rig.write(OPTSR_PRG, (rig.read(OPTSR_PRG) & ~0xff00) | 0xcc00);
  rig.write(OPTCR, OPTSTART);
  rig.waitIdle(OPTSR_CUR, 1);
  t.is(rig.chip.debugAccess(), 'disabled');
});
