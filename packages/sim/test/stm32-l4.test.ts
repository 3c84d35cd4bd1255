import test from 'ava';
import { BusError } from '../src/bus.js';
import { makeRig, type Rig } from './stm32-rig.js';

// STM32L4-family flash controller (CMSIS-L4 stm32l476xx.h; OpenOCD stm32l4x.c): L476RG at
// 0x40022000.
const FLASH = 0x40022000;
const reg = (base: number) => ({
  KEYR: base + 0x08,
  OPTKEYR: base + 0x0c,
  SR: base + 0x10,
  CR: base + 0x14,
  OPTR: base + 0x20,
  WRP1AR: base + 0x2c,
});
const R = reg(FLASH);
const CR_PG = 1 << 0;
const CR_PER = 1 << 1;
const CR_MER1 = 1 << 2;
const CR_BKER = 1 << 11;
const CR_MER2 = 1 << 15;
const CR_STRT = 1 << 16;
const CR_OPTSTRT = 1 << 17;
const CR_EOPIE = 1 << 24;
const CR_OBL_LAUNCH = 1 << 27;
const CR_OPTLOCK = 1 << 30;
const CR_LOCK = 1 << 31;
const SR_EOP = 1 << 0;
const SR_PROGERR = 1 << 3;
const SR_WRPERR = 1 << 4;
const SR_PGAERR = 1 << 5;
const SR_SIZERR = 1 << 6;
const SR_PGSERR = 1 << 7;
const SR_BSY = 1 << 16;
const pnb = (page: number) => page << 3;

function unlock(rig: Rig, r = R) {
  rig.write(r.KEYR, 0x45670123);
  rig.write(r.KEYR, 0xcdef89ab);
}
function unlockOptions(rig: Rig, r = R) {
  rig.write(r.OPTKEYR, 0x08192a3b);
  rig.write(r.OPTKEYR, 0x4c5d6e7f);
}
function l476() {
  return makeRig({ device: 'STM32L476RG' });
}

test('L476RG: DEV_ID 0x415, 1 MiB in two banks of 256 pages of 2 KiB', (t) => {
  const rig = l476();
  t.is(rig.read(0xe0042000) & 0xfff, 0x415);
  t.is(rig.read(0x1fff75e0, 2), 1024);
  const flash = rig.chip.controller.flash;
  t.is(flash.units.length, 512);
  t.is(flash.bankUnits(1)[0]?.start, 0x08080000);
  t.is(rig.read(R.CR) >>> 0, (CR_LOCK | CR_OPTLOCK) >>> 0);
  t.is(rig.read(R.OPTR), 0xffeff8aa);
});

test('double-word programming: two words, the second starts it', (t) => {
  const rig = l476();
  unlock(rig);
  rig.write(R.CR, CR_PG | CR_EOPIE);
  rig.write(0x08000000, 0x11111111);
  t.is(rig.read(R.SR) & SR_BSY, 0, 'waits for the second word');
  rig.write(0x08000004, 0x22222222);
  t.is(rig.read(R.SR) & SR_BSY, SR_BSY);
  t.is(rig.waitIdle(R.SR, SR_BSY) & SR_EOP, SR_EOP);
  t.true(rig.clock.nowUs >= 81.7, 'DS10198: 81.7 µs per double word');
  t.is(rig.read(0x08000000), 0x11111111);
  t.is(rig.read(0x08000004), 0x22222222);
});

test('programming without unlocking sets PGSERR', (t) => {
  const rig = l476();
  rig.write(0x08000000, 0x1);
  t.is(rig.read(R.SR) & SR_PGSERR, SR_PGSERR);
  t.is(rig.read(0x08000000), 0xffffffff);
});

test('SIZERR, PGAERR, and PGSERR while an error is left set', (t) => {
  const rig = l476();
  unlock(rig);
  rig.write(R.CR, CR_PG);
  rig.write(0x08000000, 0x1, 2);
  t.is(rig.read(R.SR) & SR_SIZERR, SR_SIZERR);
  rig.write(0x08000010, 0x1);
  t.is(rig.read(R.SR) & SR_PGSERR, SR_PGSERR, 'previous error not cleared');
  rig.write(R.SR, 0xffff);
  rig.write(0x08000014, 0x1);
  t.is(rig.read(R.SR) & SR_PGAERR, SR_PGAERR, 'first word not 8-byte aligned');
  rig.write(R.SR, 0xffff);
  rig.write(0x08000020, 0x1);
  rig.write(0x08000030, 0x1);
  t.is(rig.read(R.SR) & SR_PGAERR, SR_PGAERR, 'second word outside the double word');
  t.is(rig.read(0x08000020), 0xffffffff);
});

test('PROGERR when the double word is not erased, unless the data is all zero', (t) => {
  const rig = l476();
  unlock(rig);
  rig.write(R.CR, CR_PG);
  rig.write(0x08000100, 0x0000ffff);
  rig.write(0x08000104, 0xffffffff);
  rig.waitIdle(R.SR, SR_BSY);
  rig.write(0x08000100, 0x00000fff);
  rig.write(0x08000104, 0xffffffff);
  t.is(rig.read(R.SR) & SR_PROGERR, SR_PROGERR);
  t.is(rig.read(0x08000100), 0x0000ffff);
  rig.write(R.SR, 0xffff);
  rig.write(0x08000100, 0);
  rig.write(0x08000104, 0);
  rig.waitIdle(R.SR, SR_BSY);
  t.is(rig.read(R.SR) & 0xff, 0);
  t.is(rig.read(0x08000100), 0);
});

test('page erase in bank 2 with BKER; mass erase per bank; CR writes while BSY stall', (t) => {
  const rig = l476();
  unlock(rig);
  rig.write(R.CR, CR_PG);
  for (const address of [0x08000000, 0x08080800, 0x08081000]) {
    rig.write(address, 0xa);
    rig.write(address + 4, 0xb);
    rig.waitIdle(R.SR, SR_BSY);
  }
  rig.write(R.CR, CR_PER | CR_BKER | pnb(1) | CR_STRT);
  const before = rig.clock.nowUs;
  rig.write(R.CR, 0); // stalls until the 22 ms erase is over
  t.true(rig.clock.nowUs - before >= 22_000);
  t.is(rig.read(0x08080800), 0xffffffff);
  t.is(rig.read(0x08081000), 0xa);
  rig.write(R.CR, CR_MER2 | CR_STRT);
  rig.waitIdle(R.SR, SR_BSY);
  t.is(rig.read(0x08081000), 0xffffffff);
  t.is(rig.read(0x08000000), 0xa, 'bank 1 kept');
  rig.write(R.CR, CR_MER1 | CR_MER2 | CR_STRT);
  rig.waitIdle(R.SR, SR_BSY);
  t.is(rig.read(0x08000000), 0xffffffff);
  rig.write(R.CR, CR_PER | CR_PG | CR_STRT);
  t.is(rig.read(R.SR) & SR_PGSERR, SR_PGSERR, 'PER together with PG');
});

test('a wrong key locks CR until reset; OPTKEYR needs CR unlocked', (t) => {
  const rig = l476();
  t.throws(() => unlockOptions(rig), { instanceOf: BusError });
  t.throws(() => unlock(rig), { instanceOf: BusError });
  rig.chip.reset('system');
  unlock(rig);
  unlockOptions(rig);
  t.is(rig.read(R.CR) & (CR_LOCK | CR_OPTLOCK), 0);
});

test('options: WRP area, RDP 1 through OPTSTRT + OBL_LAUNCH, regression mass-erases', (t) => {
  const rig = l476();
  unlock(rig);
  rig.write(R.CR, CR_PG);
  rig.write(0x08000000, 0x20018000);
  rig.write(0x08000004, 0x08000101);
  rig.waitIdle(R.SR, SR_BSY);
  rig.write(R.CR, 0);
  unlockOptions(rig);
  rig.write(R.WRP1AR, 0xff020002); // page 2 of bank 1
  rig.write(R.CR, CR_OPTSTRT);
  rig.waitIdle(R.SR, SR_BSY);
  t.is(rig.read(R.WRP1AR), 0xff00ffff, 'the registers show the loaded values until reload');
  rig.write(R.CR, CR_OBL_LAUNCH);
  t.is(rig.resetRequests(), 1);
  t.is(rig.read(R.WRP1AR), 0xff020002);
  unlock(rig);
  rig.write(R.CR, CR_PER | pnb(2) | CR_STRT);
  t.is(rig.read(R.SR) & SR_WRPERR, SR_WRPERR);
  rig.write(R.SR, 0xffff);
  unlockOptions(rig);
  rig.write(R.OPTR, 0xffeff8bb);
  rig.write(R.CR, CR_OPTSTRT);
  rig.waitIdle(R.SR, SR_BSY);
  rig.write(R.CR, CR_OBL_LAUNCH);
  t.is(rig.chip.controller.rdpLevel(), 1);
  t.throws(() => rig.read(0x08000000), { instanceOf: BusError });
  unlock(rig);
  rig.write(R.CR, CR_PER | pnb(5) | CR_STRT);
  t.is(rig.read(R.SR) & SR_WRPERR, SR_WRPERR, 'no erase with the debugger at level 1');
  rig.write(R.SR, 0xffff);
  unlockOptions(rig);
  rig.write(R.OPTR, 0xffeff8aa);
  rig.write(R.CR, CR_OPTSTRT);
  rig.waitIdle(R.SR, SR_BSY);
  rig.write(R.CR, CR_OBL_LAUNCH);
  t.is(rig.chip.controller.rdpLevel(), 0);
  t.is(rig.read(0x08000000), 0xffffffff);
});

test('an OPTR complement mismatch loads as level 1 with OPTVERR', (t) => {
  const rig = l476();
  const state = rig.chip.saveState();
  rig.chip.loadState({ ...state, controller: { ...state.controller, optr: [0xffeff8aa, 0] } });
  t.is(rig.chip.controller.rdpLevel(), 1);
  t.is(rig.read(R.SR) & (1 << 15), 1 << 15);
});

test('G071RB shares the logic: IDCODE at 0x40015800, 2 KiB pages, double words', (t) => {
  const rig = makeRig({ device: 'STM32G071RB' });
  t.is(rig.read(0x40015800) & 0xfff, 0x460);
  t.is(rig.read(0x1fff75e0, 2), 128);
  unlock(rig);
  rig.write(R.CR, CR_PG);
  rig.write(0x0801f800, 0x1234);
  rig.write(0x0801f804, 0x5678);
  rig.waitIdle(R.SR, SR_BSY);
  t.is(rig.read(0x0801f800), 0x1234);
  t.true(rig.clock.nowUs >= 85, 'G0 figure: 85 µs');
});

test('WB55 and WL: the same controller at 0x58004000', (t) => {
  for (const device of ['STM32WB55RG', 'STM32WLE5JC']) {
    const rig = makeRig({ device });
    const r = reg(0x58004000);
    unlock(rig, r);
    rig.write(r.CR, CR_PG);
    rig.write(0x08000000, 0xdead);
    rig.write(0x08000004, 0xbeef);
    rig.waitIdle(r.SR, SR_BSY);
    t.is(rig.read(0x08000000), 0xdead, device);
  }
});
