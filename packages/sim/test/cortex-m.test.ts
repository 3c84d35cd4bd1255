import test from 'ava';
import { BusError } from '../src/bus.js';
import { SimBoard } from '../src/board.js';
import { createTestChip, TEST_CHIP } from './helpers/test-chip.js';

const DHCSR = 0xe000edf0;
const DCRSR = 0xe000edf4;
const DCRDR = 0xe000edf8;
const DEMCR = 0xe000edfc;
const AIRCR = 0xe000ed0c;
const DFSR = 0xe000ed30;
const CPUID = 0xe000ed00;
const S_REGRDY = 1 << 16;
const S_HALT = 1 << 17;
const S_RETIRE_ST = 1 << 24;
const S_RESET_ST = 1 << 25;

function board(cpuId?: number): SimBoard {
  return new SimBoard({ chip: createTestChip(cpuId === undefined ? {} : { cpuId }) });
}

function readReg(b: SimBoard, regSel: number): number {
  b.bus.write(DCRSR, 4, regSel);
  if (!(b.bus.read(DHCSR, 4) & S_REGRDY)) throw new Error('S_REGRDY low');
  return b.bus.read(DCRDR, 4);
}

test('reset loads MSP and PC from the boot vector table', (t) => {
  const b = board();
  b.bus.write(DHCSR, 4, 0xa05f0003);
  t.is(readReg(b, 17), TEST_CHIP.INITIAL_SP);
  t.is(readReg(b, 13), TEST_CHIP.INITIAL_SP, 'SP is MSP in thread mode with SPSEL=0');
  t.is(readReg(b, 15), TEST_CHIP.INITIAL_PC & ~1);
  t.is(readReg(b, 16), 0x01000000);
  t.is(b.bus.read(CPUID, 4), 0x410fc241);
});

test('DHCSR writes without DBGKEY are ignored', (t) => {
  const b = board();
  b.bus.write(DHCSR, 4, 0x00000003);
  t.is(b.bus.read(DHCSR, 4) & S_HALT, 0);
  b.bus.write(DHCSR, 1, 0x03);
  t.false(b.core.halted, 'a byte write cannot carry the key');
  b.bus.write(DHCSR, 4, 0xa05f0003);
  t.true(b.core.halted);
  t.is(b.bus.read(DFSR, 4) & 1, 1, 'DFSR.HALTED');
  b.bus.write(DFSR, 4, 1);
  t.is(b.bus.read(DFSR, 4) & 1, 0, 'DFSR is write-one-to-clear');
});

test('register transfers work only while halted; S_REGRDY says so', (t) => {
  const b = board();
  b.bus.write(DHCSR, 4, 0xa05f0001);
  b.bus.write(DCRSR, 4, 15);
  t.is(b.bus.read(DHCSR, 4) & S_REGRDY, 0, 'running core: transfer never completes');
  b.bus.write(DHCSR, 4, 0xa05f0003);
  b.bus.write(DCRDR, 4, 0x12345678);
  b.bus.write(DCRSR, 4, 0x10000 | 3);
  t.truthy(b.bus.read(DHCSR, 4) & S_REGRDY);
  t.is(readReg(b, 3), 0x12345678);
  b.bus.write(DCRDR, 4, 0x08000201);
  b.bus.write(DCRSR, 4, 0x10000 | 15);
  t.is(readReg(b, 15), 0x08000200, 'PC bit 0 is not stored');
});

test('step keeps the core halted and sets S_RETIRE_ST; run resumes', (t) => {
  const b = board();
  b.bus.write(DHCSR, 4, 0xa05f0003);
  b.bus.read(DHCSR, 4);
  b.bus.write(DHCSR, 4, 0xa05f000d);
  const after = b.bus.read(DHCSR, 4);
  t.truthy(after & S_HALT);
  t.truthy(after & S_RETIRE_ST);
  t.is(b.bus.read(DHCSR, 4) & S_RETIRE_ST, 0, 'sticky bit clears on read');
  b.bus.write(DHCSR, 4, 0xa05f0001);
  t.false(b.core.halted);
});

test('S_RESET_ST is sticky after reset and clears when read', (t) => {
  const b = board();
  t.truthy(b.bus.read(DHCSR, 4) & S_RESET_ST);
  t.is(b.bus.read(DHCSR, 4) & S_RESET_ST, 0);
});

test('SYSRESETREQ with VECTKEY resets the system; vector catch halts at the reset vector', (t) => {
  const chip = createTestChip();
  const b = new SimBoard({ chip });
  b.bus.write(DHCSR, 4, 0xa05f0001);
  b.bus.write(DEMCR, 4, 0x01000001);
  b.bus.write(AIRCR, 4, 0x00000004);
  t.deepEqual(chip.resets, ['power'], 'no VECTKEY, no reset');
  b.bus.write(AIRCR, 4, 0x05fa0004);
  t.deepEqual(chip.resets, ['power', 'system']);
  const dhcsr = b.bus.read(DHCSR, 4);
  t.truthy(dhcsr & S_HALT);
  t.truthy(dhcsr & S_RESET_ST);
  t.is(b.bus.read(DFSR, 4) & 0x8, 0x8, 'DFSR.VCATCH');
  t.is(readReg(b, 15), TEST_CHIP.INITIAL_PC & ~1);
  t.is(b.bus.read(AIRCR, 4) >>> 16, 0xfa05);
});

test('reset without vector catch leaves the core running', (t) => {
  const b = board();
  b.bus.write(DHCSR, 4, 0xa05f0001);
  b.bus.write(AIRCR, 4, 0x05fa0004);
  t.false(b.core.halted);
});

test('v6-M: DEMCR keeps only its bits and VECTRESET is not there', (t) => {
  const b = board(0x410cc601); // Cortex-M0+
  t.is(b.core.architecture, 'v6-m');
  b.bus.write(DEMCR, 4, 0xffffffff);
  t.is(b.bus.read(DEMCR, 4), 0x01000401);
  b.bus.write(DHCSR, 4, 0xa05f0003);
  b.bus.write(DCRDR, 4, 7);
  b.bus.write(DCRSR, 4, 0x10000);
  b.bus.write(AIRCR, 4, 0x05fa0001);
  t.is(readReg(b, 0), 7, 'VECTRESET ignored on v6-M');
  t.is(b.bus.read(0xe0002000, 4), 0x40, 'FPB: 4 code comparators');
  t.is(b.bus.read(0xe0001000, 4) >>> 28, 2, 'DWT: 2 comparators');
});

test('NRST held low: PPB reachable, system bus faults, release runs the reset', (t) => {
  const chip = createTestChip();
  const b = new SimBoard({ chip });
  b.setNrst(true);
  b.bus.write(DHCSR, 4, 0xa05f0003);
  b.bus.write(DEMCR, 4, 1);
  t.false(b.core.halted, 'held in reset');
  t.truthy(b.bus.read(DHCSR, 4) & S_RESET_ST);
  t.truthy(b.bus.read(DHCSR, 4) & S_RESET_ST, 'stays set while held');
  t.throws(() => b.ap.bus.read(TEST_CHIP.RAM_START, 4), { instanceOf: BusError });
  t.is(b.ap.bus.read(CPUID, 4), 0x410fc241);
  b.setNrst(false);
  t.true(b.core.halted, 'vector catch at release');
  t.deepEqual(chip.resets, ['power', 'system']);
  t.is(b.ap.bus.read(TEST_CHIP.RAM_START, 4), 0);
});

test('ROM table lists SCS, DWT, FPB and ITM with CoreSight IDs', (t) => {
  const b = board();
  const entry0 = b.bus.read(0xe00ff000, 4);
  t.is((0xe00ff000 + (entry0 & ~0xfff)) >>> 0, 0xe000e000);
  t.is(entry0 & 3, 3);
  t.is(b.bus.read(0xe00ff010, 4), 0, 'end marker');
  t.is(b.bus.read(0xe00ffff4, 4), 0x10, 'CIDR1: ROM table class');
  t.is(b.bus.read(0xe000eff0, 4), 0x0d, 'SCS CIDR0');
  t.is(b.bus.read(0xe0002000, 4) & 0xff0, 0x260, 'M4 FPB: 6 code, 2 literal');
});

test('DWT_PCSR samples the PC while running and reads all ones while halted', (t) => {
  const b = board();
  t.is(b.bus.read(0xe000101c, 4), TEST_CHIP.INITIAL_PC & ~1);
  b.bus.write(DHCSR, 4, 0xa05f0003);
  t.is(b.bus.read(0xe000101c, 4), 0xffffffff);
});
