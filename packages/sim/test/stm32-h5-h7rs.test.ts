import test from 'ava';
import { BusError } from '../src/bus.js';
import { makeRig, type Rig } from './stm32-rig.js';

// STM32H5 non-secure flash registers at 0x40022000 (Open-CMSIS-Pack/STM32H5xx_DFP
// CMSIS/Flash/STM32H5xx/FlashPrg.c) and STM32H7R/S at 0x52002000 (NuttX stm32h7rsxx_flash.h).
const H5 = {
  KEYR: 0x40022004,
  OPTKEYR: 0x4002200c,
  OPTCR: 0x4002201c,
  SR: 0x40022020,
  FLAGS: 0x40022020,
  CR: 0x40022028,
  CLEAR: 0x40022030,
  STATE: 0x40022050,
  ECCDETR: 0x40022104,
  INCERR: 1 << 20,
};
const H7RS = {
  KEYR: 0x52002004,
  CR: 0x52002010,
  SR: 0x52002014,
  FLAGS: 0x52002024,
  CLEAR: 0x52002028,
  STATE: 0x52002200,
  INCERR: 1 << 21,
};
const CR_LOCK = 1 << 0;
const CR_PG = 1 << 1;
const CR_SER = 1 << 2;
const CR_FW = 1 << 4;
const CR_START = 1 << 5;
const CR_BKSEL = 1 << 31;
const SR_WBNE = 1 << 1;
const EOP = 1 << 16;
const WRPERR = 1 << 17;
const PGSERR = 1 << 18;
const STRBERR = 1 << 19;

function unlock(rig: Rig, keyr: number) {
  rig.write(keyr, 0x45670123);
  rig.write(keyr, 0xcdef89ab);
}

function quad(rig: Rig, address: number, words: readonly number[]) {
  words.forEach((w, i) => rig.write(address + 4 * i, w));
}

test('H563: NSCR unlocks with the flash keys; a wrong key is a bus error and locks it until reset', (t) => {
  const rig = makeRig({ device: 'STM32H563ZI' });
  t.is(rig.read(H5.CR) & CR_LOCK, CR_LOCK);
  unlock(rig, H5.KEYR);
  t.is(rig.read(H5.CR) & CR_LOCK, 0);
  rig.write(H5.CR, CR_LOCK);
  t.throws(() => rig.write(H5.KEYR, 0x11111111), { instanceOf: BusError });
  t.throws(() => unlock(rig, H5.KEYR), { instanceOf: BusError }, 'locked until reset');
  t.is(rig.read(H5.CR) & CR_LOCK, CR_LOCK);
  rig.chip.reset('system');
  unlock(rig, H5.KEYR);
  t.is(rig.read(H5.CR) & CR_LOCK, 0, 'a reset ends it');
});

test('H563: writes to a locked controller or without PG are PGSERR and program nothing', (t) => {
  const rig = makeRig({ device: 'STM32H563ZI' });
  rig.write(0x08000000, 0x12345678);
  t.is(rig.read(H5.FLAGS) & PGSERR, PGSERR, 'locked');
  rig.write(H5.CLEAR, PGSERR);
  unlock(rig, H5.KEYR);
  rig.write(0x08000000, 0x12345678);
  t.is(rig.read(H5.FLAGS) & PGSERR, PGSERR, 'no PG');
  t.is(rig.read(0x08000000) >>> 0, 0xffffffff);
});

test('H563: a flash word programs on its 16th byte; WBNE until then; the product state is OPEN', (t) => {
  const rig = makeRig({ device: 'STM32H563ZI' });
  t.is((rig.read(H5.STATE) >>> 8) & 0xff, 0xed);
  t.is(rig.read(0x40022070) >>> 24, 0xc3, 'OPTSR2_CUR.TZEN: TrustZone disabled');
  unlock(rig, H5.KEYR);
  rig.write(H5.CR, CR_PG);
  quad(rig, 0x08000000, [1, 2, 3]);
  t.is(rig.read(H5.SR) & SR_WBNE, SR_WBNE, 'waits for the rest of the word');
  t.is(rig.read(0x08000000) >>> 0, 0xffffffff);
  rig.write(0x0800000c, 4);
  t.is(rig.waitIdle(H5.SR, 0b1011) & EOP, EOP);
  t.deepEqual(
    [0, 4, 8, 12].map((o) => rig.read(0x08000000 + o)),
    [1, 2, 3, 4],
  );
});

test('H563: a write into another flash word before the buffer is full is INCERR; the same byte twice is STRBERR', (t) => {
  const rig = makeRig({ device: 'STM32H563ZI' });
  unlock(rig, H5.KEYR);
  rig.write(H5.CR, CR_PG);
  rig.write(0x08000000, 1);
  rig.write(0x08000010, 2);
  t.is(rig.read(H5.FLAGS) & H5.INCERR, H5.INCERR);
  t.is(rig.read(H5.SR) & SR_WBNE, 0, 'the buffer is dropped');
  rig.write(0x08000020, 1);
  rig.write(0x08000020, 2);
  t.is(rig.read(H5.FLAGS) & STRBERR, STRBERR);
  t.deepEqual(rig.dump(0x08000000, 4), [0xff, 0xff, 0xff, 0xff]);
});

test('H563: FW programs a partial word with the rest left erased', (t) => {
  const rig = makeRig({ device: 'STM32H563ZI' });
  unlock(rig, H5.KEYR);
  rig.write(H5.CR, CR_PG);
  rig.write(0x08000004, 0x11223344);
  rig.write(H5.CR, CR_PG | CR_FW);
  rig.waitIdle(H5.SR, 0b1011);
  t.is(rig.read(0x08000004) >>> 0, 0x11223344);
  t.is(rig.read(0x08000000) >>> 0, 0xffffffff);
});

test('H563: SER with BKSEL erases the sector of bank 2 that SNB names, and only it', (t) => {
  const rig = makeRig({ device: 'STM32H563ZI' });
  unlock(rig, H5.KEYR);
  rig.write(H5.CR, CR_PG);
  for (const address of [0x08002000, 0x08102000, 0x08104000]) quad(rig, address, [0, 0, 0, 0]);
  rig.write(H5.CR, 0);
  const cr = (CR_SER | (1 << 6) | CR_BKSEL) >>> 0;
  rig.write(H5.CR, cr);
  rig.write(H5.CR, (cr | CR_START) >>> 0);
  t.is(rig.waitIdle(H5.SR) & (EOP | PGSERR | WRPERR), EOP);
  t.is(rig.read(0x08102000) >>> 0, 0xffffffff, 'bank 2 sector 1 erased');
  t.is(rig.read(0x08002000) >>> 0, 0, 'bank 1 sector 1 kept');
  t.is(rig.read(0x08104000) >>> 0, 0, 'bank 2 sector 2 kept');
});

test('H503: a sector number past the 8 sectors of a bank is PGSERR', (t) => {
  const rig = makeRig({ device: 'STM32H503RB' });
  unlock(rig, H5.KEYR);
  rig.write(H5.CR, CR_SER | (8 << 6) | CR_START);
  t.is(rig.read(H5.FLAGS) & PGSERR, PGSERR);
});

test('H563: a flash word programmed twice reads as a double ECC error (ECCDETR.ECCD) until erased', (t) => {
  const rig = makeRig({ device: 'STM32H563ZI' });
  unlock(rig, H5.KEYR);
  rig.write(H5.CR, CR_PG);
  quad(rig, 0x08000000, [0xf0f0f0f0, 0, 0, 0]);
  quad(rig, 0x08000000, [0x0f0f0f0f, 0, 0, 0]);
  t.is(rig.read(H5.FLAGS) & (PGSERR | WRPERR | STRBERR | H5.INCERR), 0, 'no flag says so');
  t.throws(() => rig.read(0x08000000), { instanceOf: BusError });
  t.is(rig.read(H5.ECCDETR) >>> 31, 1);
  t.is(rig.read(0x08000010) >>> 0, 0xffffffff, 'the next word reads');
  rig.write(H5.CR, 0);
  rig.write(H5.CR, CR_SER | CR_START);
  rig.waitIdle(H5.SR);
  t.is(rig.read(0x08000000) >>> 0, 0xffffffff);
});

test('H563 in product state CLOSED: flash reads fault, erase and program are WRPERR', (t) => {
  const rig = makeRig({ device: 'STM32H563ZI', rdp: 1 });
  t.is((rig.read(H5.STATE) >>> 8) & 0xff, 0x72);
  t.throws(() => rig.read(0x08000000), { instanceOf: BusError });
  unlock(rig, H5.KEYR);
  rig.write(H5.CR, CR_SER | CR_START);
  t.is(rig.read(H5.FLAGS) & WRPERR, WRPERR);
});

test('H563: an option change is not modelled: OPTSTRT ends in OPTCHANGEERR and the state stays', (t) => {
  const rig = makeRig({ device: 'STM32H563ZI' });
  unlock(rig, H5.KEYR);
  rig.write(H5.OPTKEYR, 0x08192a3b);
  rig.write(H5.OPTKEYR, 0x4c5d6e7f);
  t.is(rig.read(H5.OPTCR) & 1, 0, 'OPTLOCK cleared');
  rig.write(H5.OPTCR, 1 << 1);
  t.is(rig.read(H5.FLAGS) & (1 << 23), 1 << 23);
  rig.chip.reset('system');
  t.is((rig.read(H5.STATE) >>> 8) & 0xff, 0xed);
});

test('H7S3: one bank of eight 8 KiB sectors; flags in ISR, cleared through ICR; NVSTATE OPEN', (t) => {
  const rig = makeRig({ device: 'STM32H7S3L8' });
  t.is(rig.read(H7RS.STATE) & 0xff, 0xb4);
  t.is(rig.chip.controller.flash.units.length, 8);
  unlock(rig, H7RS.KEYR);
  rig.write(H7RS.CR, CR_PG);
  rig.write(0x08000000, 1);
  rig.write(0x08000010, 2);
  t.is(rig.read(H7RS.FLAGS) & H7RS.INCERR, H7RS.INCERR);
  t.is(rig.read(H7RS.SR) & H7RS.INCERR, 0, 'SR carries no error flags');
  rig.write(H7RS.CLEAR, H7RS.INCERR);
  t.is(rig.read(H7RS.FLAGS) & H7RS.INCERR, 0);
  quad(rig, 0x0800e000, [5, 6, 7, 8]);
  rig.waitIdle(H7RS.SR, 0b111);
  t.is(rig.read(H7RS.FLAGS) & EOP, EOP);
  t.is(rig.read(0x0800e00c) >>> 0, 8);
  rig.write(H7RS.CR, 0);
  rig.write(H7RS.CR, CR_SER | (7 << 6) | CR_START);
  rig.waitIdle(H7RS.SR, 0b111);
  t.is(rig.read(0x0800e00c) >>> 0, 0xffffffff);
});

test('H563: all zeros can be programmed over a programmed word (its check bits are zero too)', (t) => {
  const rig = makeRig({ device: 'STM32H563ZI' });
  unlock(rig, H5.KEYR);
  rig.write(H5.CR, CR_PG);
  quad(rig, 0x08000000, [0x12345678, 1, 2, 3]);
  quad(rig, 0x08000000, [0, 0, 0, 0]);
  t.is(rig.read(0x08000000) >>> 0, 0);
});

test('H563 with SWAP_BANK: BKSEL = 0 names the bank mapped second', (t) => {
  const rig = makeRig({ device: 'STM32H563ZI' });
  const saved = rig.chip.saveState();
  rig.chip.loadState({ ...saved, controller: { state: 0x8000ed00, wrp: [-1, -1] } });
  unlock(rig, H5.KEYR);
  rig.write(H5.CR, CR_PG);
  quad(rig, 0x08000000, [0, 0, 0, 0]);
  quad(rig, 0x08100000, [0, 0, 0, 0]);
  rig.write(H5.CR, 0);
  rig.write(H5.CR, CR_SER | CR_START);
  rig.waitIdle(H5.SR);
  t.is(rig.read(0x08100000) >>> 0, 0xffffffff, 'physical bank 1, mapped at 0x08100000');
  t.is(rig.read(0x08000000) >>> 0, 0);
});

test('H563: a sector group cleared in WRP1R is WRPERR for erase and program', (t) => {
  const rig = makeRig({ device: 'STM32H563ZI' });
  const saved = rig.chip.saveState();
  rig.chip.loadState({ ...saved, controller: { state: 0xed00, wrp: [0xfffffffe, -1] } });
  t.is(rig.read(0x400220e8) >>> 0, 0xfffffffe, 'WRP1R_CUR');
  unlock(rig, H5.KEYR);
  rig.write(H5.CR, CR_SER | (3 << 6) | CR_START);
  t.is(rig.read(H5.FLAGS) & WRPERR, WRPERR, 'sector 3 is in group 0');
  rig.write(H5.CLEAR, WRPERR);
  rig.write(H5.CR, CR_SER | (4 << 6) | CR_START);
  t.is(rig.waitIdle(H5.SR) & WRPERR, 0, 'sector 4 is not');
  rig.write(H5.CR, CR_PG);
  quad(rig, 0x08006000, [1, 2, 3, 4]);
  t.is(rig.read(H5.FLAGS) & WRPERR, WRPERR);
  t.is(rig.read(0x08006000) >>> 0, 0xffffffff);
});
