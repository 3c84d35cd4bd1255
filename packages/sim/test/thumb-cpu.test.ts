/**
 * Unit tests of the Thumb interpreter through the simulated core: the instruction edge
 * cases of the ARMv7-M ARM (DDI 0403E) and ARMv6-M ARM (DDI 0419E), the debug behaviour
 * (BKPT, halt requests, single step, vector catch), faults and the bus stall. Programs are
 * hand-encoded halfwords (checked against arm-none-eabi-as) so these tests need no peers.
 */
import test from 'ava';
import { SimBoard } from '../src/board.js';
import { addWithCarry, shiftC, Shift, thumbExpandImmC } from '../src/cortex-m/thumb/alu.js';
import { createStm32Chip } from '../src/stm32/index.js';
import { createTestChip, TEST_CHIP } from './helpers/test-chip.js';
import { BareChip } from './helpers/thumb-sim.js';

const DHCSR = 0xe000edf0;
const DFSR = 0xe000ed30;
const DEMCR = 0xe000edfc;
const CFSR = 0xe000ed28;
const HFSR = 0xe000ed2c;
const CCR = 0xe000ed14;
const DBGKEY = 0xa05f0000;
const S_HALT = 1 << 17;
const C_HALT = 1 << 1;
const S_LOCKUP = 1 << 19;
const M0 = 0x410cc200;
const M3 = 0x412fc231;
const CODE = 0x100;
const BKPT = 0xbe00;
const N = 1 << 31;
const Z = 1 << 30;
const C = 1 << 29;
const V = 1 << 28;

interface Run {
  readonly board: SimBoard;
  reg(n: number): number;
  readonly flags: number;
}

/**
 * Places `code` (halfwords) at 0x100 with a vector table whose HardFault, BusFault and
 * UsageFault vectors point at `bkpt #1` at 0x80, sets registers and runs until halted.
 */
function run(
  code: readonly number[],
  registers: Readonly<Record<number, number>> = {},
  options: { cpuId?: number; debug?: boolean; setup?: (board: SimBoard) => void } = {},
): Run {
  const chip = new BareChip(options.cpuId ?? M3);
  const board = new SimBoard({ chip });
  const view = new DataView(chip.code.bytes.buffer);
  view.setUint32(0, 0x20004000, true);
  view.setUint32(4, CODE | 1, true);
  for (const vector of [3, 4, 5, 6, 11]) view.setUint32(4 * vector, 0x81, true);
  view.setUint16(0x80, 0xbe01, true);
  code.forEach((hw, i) => view.setUint16(CODE + 2 * i, hw, true));
  view.setUint16(CODE + 2 * code.length, BKPT, true);
  board.bus.write(DHCSR, 4, DBGKEY | 0x3);
  board.systemReset();
  for (const [reg, value] of Object.entries(registers))
    board.core.setCoreRegister(Number(reg), value);
  options.setup?.(board);
  if (options.debug === false) board.bus.write(DHCSR, 4, DBGKEY);
  else board.bus.write(DHCSR, 4, DBGKEY | 0x1);
  for (let i = 0; i < 100 && !board.core.halted && !board.core.lockedUp; i++)
    board.clock.advanceUs(100);
  return {
    board,
    reg: (n) => board.core.coreRegister(n),
    get flags() {
      return board.core.coreRegister(16) & 0xf8000000;
    },
  };
}

/** PC after the program: on the final BKPT, or on the fault handler's BKPT at 0x80. */
const END = (code: readonly number[]): number => CODE + 2 * code.length;
const FAULT_HANDLER = 0x80;

test('AddWithCarry: carry out, signed overflow and zero at the boundaries', (t) => {
  t.deepEqual(addWithCarry(0x7fffffff, 1, 0), { value: 0x80000000, carry: 0, overflow: 1 });
  t.deepEqual(addWithCarry(0xffffffff, 1, 0), { value: 0, carry: 1, overflow: 0 });
  t.deepEqual(addWithCarry(0x80000000, 0x80000000, 0), { value: 0, carry: 1, overflow: 1 });
  t.deepEqual(addWithCarry(0xffffffff, 0, 1), { value: 0, carry: 1, overflow: 0 });
  // SUBS 0 - 1 is 0 + NOT(1) + 1: a borrow clears C.
  t.deepEqual(addWithCarry(0, ~1, 1), { value: 0xffffffff, carry: 0, overflow: 0 });
  t.deepEqual(addWithCarry(0x80000000, ~1, 1), { value: 0x7fffffff, carry: 1, overflow: 1 });
});

test('ADDS, SUBS and ADCS set N, Z, C and V', (t) => {
  const adds = run([0x1842], { 0: 0x7fffffff, 1: 1 });
  t.is(adds.reg(2), 0x80000000);
  t.is(adds.flags >>> 0, (N | V) >>> 0);
  const wrap = run([0x1842], { 0: 0xffffffff, 1: 1 });
  t.is(wrap.flags, Z | C);
  const subs = run([0x1a42], { 0: 0, 1: 1 });
  t.is(subs.reg(2), 0xffffffff);
  t.is(subs.flags >>> 0, N >>> 0, 'a borrow clears C');
  const adcs = run([0x4148], { 0: 0xfffffffe, 1: 1, 16: 0x01000000 | C });
  t.is(adcs.reg(0), 0);
  t.is(adcs.flags, Z | C);
});

test('shifts by 0, 32 and more than 32, as Shift_C defines them', (t) => {
  const x = 0x80000003;
  t.deepEqual(shiftC(x, Shift.LSL, 0, 1), { value: x, carry: 1, overflow: 0 });
  t.deepEqual(shiftC(x, Shift.LSL, 32, 0), { value: 0, carry: 1, overflow: 0 });
  t.deepEqual(shiftC(x, Shift.LSL, 33, 1), { value: 0, carry: 0, overflow: 0 });
  t.deepEqual(shiftC(x, Shift.LSR, 32, 0), { value: 0, carry: 1, overflow: 0 });
  t.deepEqual(shiftC(x, Shift.LSR, 255, 1), { value: 0, carry: 0, overflow: 0 });
  t.deepEqual(shiftC(x, Shift.ASR, 40, 0), { value: 0xffffffff, carry: 1, overflow: 0 });
  t.deepEqual(shiftC(x, Shift.ROR, 32, 0), { value: x, carry: 1, overflow: 0 });
  t.deepEqual(shiftC(x, Shift.ROR, 33, 0), { value: 0xc0000001, carry: 1, overflow: 0 });
  t.deepEqual(shiftC(x, Shift.RRX, 1, 0), { value: 0x40000001, carry: 1, overflow: 0 });
  // Through the core: LSLS Rd, Rm by a register holding 32, then LSRS by 256 (bottom byte 0).
  const lsl = run([0x4088], { 0: 3, 1: 32 });
  t.is(lsl.reg(0), 0);
  t.is(lsl.flags, Z | C);
  const lsr = run([0x40c8], { 0: 3, 1: 256, 16: 0x01000000 | C });
  t.is(lsr.reg(0), 3, 'a shift by 0 leaves the value');
  t.is(lsr.flags, C, 'and the carry');
});

test('ThumbExpandImm: the replicated patterns keep C, rotated constants set it from bit 31', (t) => {
  t.deepEqual(thumbExpandImmC(0x1ab, 0), { value: 0x00ab00ab, carry: 0, overflow: 0 });
  t.deepEqual(thumbExpandImmC(0x3ab, 1), { value: 0xabababab, carry: 1, overflow: 0 });
  t.deepEqual(thumbExpandImmC(0x400, 0), { value: 0x80000000, carry: 1, overflow: 0 });
});

test('STMIA with writeback; LDMIA with the base in the list does not write back', (t) => {
  const r = run([0xc00e, 0xcc30], { 0: 0x20000100, 1: 11, 2: 22, 3: 33, 4: 0x20000104 });
  t.is(r.reg(0), 0x2000010c);
  t.is(r.board.bus.read(0x20000108, 4), 33);
  t.is(r.reg(4), 22, 'r4 loaded from memory, not the written-back address');
  t.is(r.reg(5), 33);
});

test('PUSH {r4, LR} and POP {r4, PC} return; POP of an even address faults INVSTATE', (t) => {
  // bl-less call: LR points at the final BKPT (Thumb bit set).
  const code = [0xb510, 0x2400, 0xbd10];
  const ok = run(code, { 4: 0x44, 14: (END(code) | 1) >>> 0 });
  t.is(ok.reg(15), END(code));
  t.is(ok.reg(4), 0x44, 'r4 restored');
  t.is(ok.reg(13), 0x20004000);
  const bad = run(code, { 14: END(code) });
  t.is(bad.reg(15), FAULT_HANDLER, 'HardFault');
  t.is(bad.board.bus.read(CFSR, 4), 1 << 17, 'CFSR.INVSTATE');
  t.is(bad.board.bus.read(HFSR, 4) >>> 0, (1 << 30) >>> 0, 'HFSR.FORCED');
});

test('CBZ and CBNZ branch forward on ARMv7-M and are UNDEFINED on ARMv6-M', (t) => {
  const code = [0xb100, 0x2101, 0xb900, 0x2202];
  const zero = run(code, { 0: 0 });
  t.is(zero.reg(1), 0, 'CBZ taken');
  t.is(zero.reg(2), 2, 'CBNZ not taken');
  const nonzero = run(code, { 0: 5 });
  t.is(nonzero.reg(1), 1);
  t.is(nonzero.reg(2), 0);
  const v6 = run(code, { 0: 0 }, { cpuId: M0 });
  t.is(v6.reg(15), FAULT_HANDLER, 'HardFault on Cortex-M0');
});

test('TBB and TBH branch by twice the table entry', (t) => {
  // tbb [r1, r0]; (skipped) movs r3, #1; movs r3, #2 (target); table at 0x20000000.
  const code = [0xe8d1, 0xf000, 0x2301, 0x2302];
  const tbb = run(
    code,
    { 0: 1, 1: 0x20000000 },
    {
      setup: (b) => b.bus.write(0x20000000, 4, 0x00000100),
    },
  );
  t.is(tbb.reg(3), 2, 'entry 1 = 1: skips one halfword');
  const tbh = run(
    [0xe8d1, 0xf010, 0x2301, 0x2302],
    { 0: 1, 1: 0x20000000 },
    {
      setup: (b) => b.bus.write(0x20000000, 4, 0x00010000),
    },
  );
  t.is(tbh.reg(3), 2);
});

test('UDIV and SDIV: division by zero gives 0, or a UsageFault with CCR.DIV_0_TRP', (t) => {
  t.is(run([0xfbb0, 0xf2f1], { 0: 100, 1: 0, 2: 7 }).reg(2), 0);
  t.is(run([0xfb90, 0xf2f1], { 0: 0x80000000, 1: 0xffffffff }).reg(2), 0x80000000);
  t.is(run([0xfb90, 0xf2f1], { 0: 0xfffffff9, 1: 2 }).reg(2), 0xfffffffd, 'rounds to zero');
  const trap = run(
    [0xfbb0, 0xf2f1],
    { 0: 1, 1: 0 },
    {
      setup: (b) => b.bus.write(CCR, 4, b.bus.read(CCR, 4) | 0x10),
    },
  );
  t.is(trap.reg(15), FAULT_HANDLER);
  t.is(trap.board.bus.read(CFSR, 4), 1 << 25, 'CFSR.DIVBYZERO');
  t.is(trap.board.bus.read(0x20004000 - 32 + 24, 4), CODE, 'stacked PC is the UDIV');
});

test('MRS/MSR PRIMASK and CONTROL; CPSID/CPSIE I and F', (t) => {
  const r = run([0xf381, 0x8810, 0xf3ef, 0x8010], { 1: 1 });
  t.is(r.reg(0), 1);
  t.is(r.reg(20) & 1, 1, 'PRIMASK in the special-register word');
  // MSR CONTROL, r1 (SPSEL) switches SP to PSP in thread mode.
  const psp = run([0xf381, 0x8814, 0xf3ef, 0x8014], { 1: 2, 18: 0x20001000 });
  t.is(psp.reg(0), 2);
  t.is(psp.reg(13), 0x20001000, 'SP is PSP');
  const masks = run([0xb672, 0xb671, 0xf3ef, 0x8013, 0xf3ef, 0x8110, 0xb662]);
  t.is(masks.reg(0), 1, 'FAULTMASK set');
  t.is(masks.reg(1), 1, 'PRIMASK was set');
  t.is(masks.reg(20) & 0x10001, 0x10000, 'CPSIE I cleared PRIMASK, FAULTMASK still set');
});

test('ARMv6-M rejects IT and 32-bit ARMv7-M encodings with a HardFault', (t) => {
  const it = run([0xbf08, 0x2001], { 0: 0 }, { cpuId: M0 });
  t.is(it.reg(15), FAULT_HANDLER);
  t.is(it.board.bus.read(0x20004000 - 32 + 24, 4), CODE, 'stacked PC is the IT');
  const movw = run([0xf241, 0x2034], {}, { cpuId: M0 });
  t.is(movw.reg(15), FAULT_HANDLER);
  t.is(movw.board.bus.read(CFSR, 4), 0, 'ARMv6-M has no CFSR');
  t.is(run([0xf241, 0x2034]).reg(0), 0x1234, 'MOVW runs on ARMv7-M');
  t.is(run([0xf3ef, 0x8010], { 0: 7 }, { cpuId: M0 }).reg(0), 0, 'MRS is in ARMv6-M');
});

test('BKPT halts with DFSR.BKPT and PC on the BKPT; without halting debug it is a HardFault', (t) => {
  const r = run([0x2005]);
  t.is(r.reg(15), END([0x2005]));
  // Debug state entry sets C_HALT too (ARMv7-M C1.6.3): st-flash polls it for its loader's BKPT.
  t.is(r.board.bus.read(DHCSR, 4) & (S_HALT | C_HALT), S_HALT | C_HALT);
  t.is(r.board.bus.read(DFSR, 4) & 0x2, 0x2, 'DFSR.BKPT');
  t.is(r.reg(0), 5);
  const chip = new BareChip(M3);
  const board = new SimBoard({ chip });
  const view = new DataView(chip.code.bytes.buffer);
  view.setUint32(0, 0x20004000, true);
  view.setUint32(4, CODE | 1, true);
  view.setUint32(12, 0x81, true);
  view.setUint16(0x80, 0xe7fe, true); // HardFault handler: b .
  view.setUint16(CODE, BKPT, true);
  board.systemReset();
  board.clock.advanceUs(100);
  t.is(board.core.coreRegister(16) & 0x1ff, 3, 'in the HardFault handler');
  t.is(board.bus.read(HFSR, 4) >>> 0, (1 << 31) >>> 0, 'HFSR.DEBUGEVT');
});

test('vector catch on HardFault halts at the handler with DFSR.VCATCH', (t) => {
  const r = run([0xde00], {}, { setup: (b) => b.bus.write(DEMCR, 4, 1 << 10) });
  t.is(r.reg(15), FAULT_HANDLER);
  t.is(r.board.bus.read(DHCSR, 4) & (S_HALT | C_HALT), S_HALT | C_HALT);
  t.is(r.board.bus.read(DFSR, 4) & 0x8, 0x8);
  t.is(r.reg(16) & 0x1ff, 3, 'IPSR = HardFault: the entry happened');
});

test('a halt request stops a running loop; C_STEP executes exactly one instruction', (t) => {
  // movs r1, #1; adds r0, #1; b .-4 (loops forever).
  const chip = new BareChip(M3);
  const board = new SimBoard({ chip });
  const view = new DataView(chip.code.bytes.buffer);
  view.setUint32(0, 0x20004000, true);
  view.setUint32(4, CODE | 1, true);
  [0x2101, 0x3001, 0xe7fc].forEach((hw, i) => view.setUint16(CODE + 2 * i, hw, true));
  board.bus.write(DHCSR, 4, DBGKEY | 0x1);
  board.systemReset();
  board.clock.advanceUs(10);
  board.bus.write(DHCSR, 4, DBGKEY | 0x3);
  t.true(board.core.halted);
  const count = board.core.coreRegister(0);
  t.true(count > 10, `the loop ran (${count} iterations in 10 µs at 8 MHz)`);
  board.clock.advanceUs(100);
  t.is(board.core.coreRegister(0), count, 'nothing runs while halted');
  board.core.setCoreRegister(15, CODE + 2);
  board.bus.write(DHCSR, 4, DBGKEY | 0x5);
  t.is(board.core.coreRegister(0), count + 1);
  t.is(board.core.coreRegister(15), CODE + 4);
  t.true(board.core.halted);
});

test('the core runs at the core clock: instructions take virtual time', (t) => {
  // 200 x "adds r0, #1" then BKPT: 200 cycles at 8 MHz = 25 µs.
  const code = new Array<number>(200).fill(0x3001);
  const chip = new BareChip(M3);
  const board = new SimBoard({ chip });
  const view = new DataView(chip.code.bytes.buffer);
  view.setUint32(0, 0x20004000, true);
  view.setUint32(4, CODE | 1, true);
  code.forEach((hw, i) => view.setUint16(CODE + 2 * i, hw, true));
  view.setUint16(CODE + 400, BKPT, true);
  board.bus.write(DHCSR, 4, DBGKEY | 0x1);
  board.systemReset();
  board.clock.advanceUs(20);
  t.false(board.core.halted);
  t.is(board.core.coreRegister(0), 160, '160 instructions in 20 µs');
  board.clock.advanceUs(10);
  t.true(board.core.halted);
  t.is(board.core.coreRegister(0), 200);
});

test('a store to non-volatile memory that is still programming stalls the core', (t) => {
  // str r1, [r0]; str r1, [r0, #4]; ldr r2, [r0]; bkpt, in RAM; the test chip's NVM takes
  // 1000 µs per write and stalls a write while busy.
  const board = new SimBoard({ chip: createTestChip({ programUs: 1000 }) });
  const code = [0x6001, 0x6041, 0x6802, BKPT];
  code.forEach((hw, i) => board.bus.write(TEST_CHIP.RAM_START + 2 * i, 2, hw));
  board.bus.write(DHCSR, 4, DBGKEY | 0x3);
  board.core.setCoreRegister(15, TEST_CHIP.RAM_START);
  board.core.setCoreRegister(0, TEST_CHIP.NVM_START + 0x200);
  board.core.setCoreRegister(1, 0x12345678);
  const start = board.clock.nowUs;
  board.bus.write(DHCSR, 4, DBGKEY | 0x1);
  board.clock.advanceUs(1);
  t.true(board.clock.nowUs - start >= 1000, 'the second store waited for the first');
  t.false(board.core.halted, 'the stall took the whole advance');
  board.clock.advanceUs(1);
  t.true(board.core.halted, 'the next advance reaches the BKPT');
  t.is(board.core.coreRegister(2), 0x12345678);
});

test('a blank chip locks up: erased vectors send the core to Execute Never space', (t) => {
  const chip = new BareChip(M3);
  chip.code.bytes.fill(0xff);
  const board = new SimBoard({ chip });
  board.clock.advanceUs(10);
  t.truthy(board.bus.read(DHCSR, 4) & S_LOCKUP);
  t.is(board.core.coreRegister(15), 0xfffffffe);
});

test('WFI sleeps until a debugger halts the core', (t) => {
  const r = run([0xbf30, 0x2007], {}, {});
  t.false(r.board.core.halted);
  t.true(r.board.core.sleeping);
  r.board.bus.write(DHCSR, 4, DBGKEY | 0x3);
  t.true(r.board.core.halted);
  t.is(r.reg(15), CODE + 2, 'PC after the WFI');
});

test('code in SRAM programs STM32F103 flash through the FPEC, polling BSY at the core clock', (t) => {
  // ldr r0, =FLASH; KEYR <- KEY1, KEY2; CR <- PG; strh 0xbeef to 0x08000400;
  // 1: ldr r1, [r0, #SR]; adds r5, #1; lsls r1, #31; bne 1b; ldrh r4, [r2]; bkpt (RM0008 3.3.3).
  const code = [
    0x4808, 0x4909, 0x6041, 0x4909, 0x6041, 0x2101, 0x6101, 0x4a08, 0xf64b, 0x63ef, 0x8013, 0x68c1,
    0x3501, 0x07c9, 0xd1fb, 0x8814, 0xbe00, 0x0000, 0x2000, 0x4002, 0x0123, 0x4567, 0x89ab, 0xcdef,
    0x0400, 0x0800,
  ];
  const chip = createStm32Chip({ device: 'STM32F103RB' });
  t.is(chip.coreClockHz(), 8_000_000);
  const board = new SimBoard({ chip });
  board.bus.write(DHCSR, 4, DBGKEY | 0x3);
  code.forEach((hw, i) => board.bus.write(0x20000000 + 2 * i, 2, hw));
  board.core.setCoreRegister(15, 0x20000000);
  board.bus.write(DHCSR, 4, DBGKEY | 0x1);
  for (let i = 0; i < 100 && !board.core.halted; i++) board.clock.advanceUs(10);
  t.true(board.core.halted);
  t.is(board.core.coreRegister(4), 0xbeef);
  t.is(board.bus.read(0x08000400, 2), 0xbeef);
  t.true(board.core.coreRegister(5) > 10, `BSY polled ${board.core.coreRegister(5)} times`);
});

test('an STM32L151 core runs at its reset clock, MSI 2.097 MHz', (t) => {
  t.is(createStm32Chip({ device: 'STM32L151CBxxA' }).coreClockHz(), 2_097_152);
});

test('a halt request takes a locked-up core out of lockup; it runs from the PC the debugger sets', (t) => {
  const chip = new BareChip(M3);
  chip.code.bytes.fill(0xff);
  const board = new SimBoard({ chip });
  board.clock.advanceUs(10);
  t.true(board.core.lockedUp);
  board.bus.write(DHCSR, 4, DBGKEY | 0x3);
  t.false(board.core.lockedUp);
  t.is(board.bus.read(DHCSR, 4) & S_LOCKUP, 0);
  board.bus.write(0x20000000, 2, 0x2007); // movs r0, #7
  board.bus.write(0x20000002, 2, BKPT);
  board.core.setCoreRegister(15, 0x20000000);
  board.core.setCoreRegister(16, 0x01000000);
  board.bus.write(DHCSR, 4, DBGKEY | 0x1);
  board.clock.advanceUs(10);
  t.true(board.core.halted);
  t.is(board.core.coreRegister(0), 7);
});
