/**
 * 16-bit Thumb instructions (ARMv7-M ARM DDI 0403E A5.2, ARMv6-M ARM DDI 0419E A5.2).
 * ARMv6-M has all of them except CBZ/CBNZ and IT, which are UNDEFINED there.
 */
import { addWithCarry, conditionPassed, Shift, shiftC } from './alu.js';
import type { ThumbCpu } from './cpu.js';
import { loadMultiple, storeMultiple } from './load-store.js';
import { changeProcessorState } from './system.js';

export function execute16(cpu: ThumbCpu, hw: number): void {
  switch (hw >>> 12) {
    case 0x0:
    case 0x1:
    case 0x2:
    case 0x3:
      shiftAddSubtractMoveCompare(cpu, hw);
      return;
    case 0x4:
      if (hw & 0x0800) loadLiteral(cpu, hw);
      else if (hw & 0x0400) specialDataAndBranch(cpu, hw);
      else dataProcessing(cpu, hw);
      return;
    case 0x5:
    case 0x6:
    case 0x7:
    case 0x8:
    case 0x9:
      loadStoreSingle(cpu, hw);
      return;
    case 0xa: {
      // ADR (A6.7.7) and ADD (SP plus immediate) T1.
      const rd = (hw >>> 8) & 7;
      const imm = (hw & 0xff) << 2;
      const base = hw & 0x0800 ? cpu.r(13) : cpu.r(15) & ~3;
      cpu.w(rd, base + imm);
      return;
    }
    case 0xb:
      miscellaneous(cpu, hw);
      return;
    case 0xc: {
      const rn = (hw >>> 8) & 7;
      const list = hw & 0xff;
      if (list === 0) cpu.undefined();
      if (hw & 0x0800) {
        // LDM: writeback unless Rn is in the list.
        const address = cpu.r(rn);
        const wback = (list & (1 << rn)) === 0;
        const end = loadMultiple(cpu, address, list);
        if (wback) cpu.w(rn, end);
      } else {
        cpu.w(rn, storeMultiple(cpu, cpu.r(rn), list));
      }
      return;
    }
    case 0xd: {
      const cond = (hw >>> 8) & 0xf;
      if (cond === 0xe) cpu.undefined(); // UDF (A6.7.150)
      if (cond === 0xf) {
        cpu.svc();
        return;
      }
      // B T1 (A6.7.12): not allowed in an IT block.
      if (cpu.inIt) cpu.undefined();
      if (conditionPassed(cond, cpu.xpsr)) {
        cpu.jump(cpu.r(15) + (((hw & 0xff) << 24) >> 23));
        cpu.cycles += cpu.v7 ? 1 : 2;
      }
      return;
    }
    case 0xe: {
      if (hw & 0x0800) cpu.undefined(); // the first half of a 32-bit encoding never lands here
      if (!cpu.lastInItOrOutside) cpu.undefined();
      cpu.jump(cpu.r(15) + (((hw & 0x7ff) << 21) >> 20));
      cpu.cycles += cpu.v7 ? 1 : 2;
      return;
    }
    default:
      cpu.undefined();
  }
}

/** A5.2.1: LSL/LSR/ASR (immediate), ADD/SUB (register, 3-bit immediate), MOV/CMP/ADD/SUB (8-bit immediate). */
function shiftAddSubtractMoveCompare(cpu: ThumbCpu, hw: number): void {
  const setFlags = !cpu.inIt;
  const op = (hw >>> 11) & 0x1f;
  const rd = hw & 7;
  const rn = (hw >>> 3) & 7;
  if (op <= 2) {
    const imm5 = (hw >>> 6) & 0x1f;
    // LSL #0 is MOVS Rd, Rm (A6.7.76 T2), which sets N and Z (and in an IT block is UNPREDICTABLE on v6-M).
    const amount = op === 0 ? imm5 : imm5 === 0 ? 32 : imm5;
    const result = shiftC(cpu.r(rn), op, amount, cpu.carry);
    cpu.w(rd, result.value);
    if (setFlags) cpu.setNZC(result.value, result.carry);
    return;
  }
  if (op === 3) {
    const sub = (hw & 0x0200) !== 0;
    const operand = hw & 0x0400 ? (hw >>> 6) & 7 : cpu.r((hw >>> 6) & 7);
    const x = cpu.r(rn);
    const result = sub ? addWithCarry(x, ~operand, 1) : addWithCarry(x, operand, 0);
    cpu.w(rd, result.value);
    if (setFlags) cpu.setNZCV(result);
    return;
  }
  const rdn = (hw >>> 8) & 7;
  const imm8 = hw & 0xff;
  switch (op >>> 0) {
    case 4:
      cpu.w(rdn, imm8);
      if (setFlags) cpu.setNZ(imm8);
      return;
    case 5:
      cpu.setNZCV(addWithCarry(cpu.r(rdn), ~imm8, 1));
      return;
    case 6: {
      const result = addWithCarry(cpu.r(rdn), imm8, 0);
      cpu.w(rdn, result.value);
      if (setFlags) cpu.setNZCV(result);
      return;
    }
    default: {
      const result = addWithCarry(cpu.r(rdn), ~imm8, 1);
      cpu.w(rdn, result.value);
      if (setFlags) cpu.setNZCV(result);
    }
  }
}

/** A5.2.2: the 16 register-to-register data-processing instructions. */
function dataProcessing(cpu: ThumbCpu, hw: number): void {
  const setFlags = !cpu.inIt;
  const rdn = hw & 7;
  const rm = (hw >>> 3) & 7;
  const a = cpu.r(rdn);
  const b = cpu.r(rm);
  const logical = (value: number, carry = cpu.carry, write = true): void => {
    if (write) cpu.w(rdn, value);
    if (setFlags || !write) cpu.setNZC(value, carry);
  };
  const arithmetic = (result: ReturnType<typeof addWithCarry>, write = true): void => {
    if (write) cpu.w(rdn, result.value);
    if (setFlags || !write) cpu.setNZCV(result);
  };
  switch ((hw >>> 6) & 0xf) {
    case 0x0:
      return logical((a & b) >>> 0);
    case 0x1:
      return logical((a ^ b) >>> 0);
    case 0x2:
    case 0x3:
    case 0x4:
    case 0x7: {
      const op = (hw >>> 6) & 0xf;
      const type = op === 2 ? Shift.LSL : op === 3 ? Shift.LSR : op === 4 ? Shift.ASR : Shift.ROR;
      const result = shiftC(a, type, b & 0xff, cpu.carry);
      return logical(result.value, result.carry);
    }
    case 0x5:
      return arithmetic(cpu.adc(a, b));
    case 0x6:
      return arithmetic(cpu.adc(a, ~b));
    case 0x8:
      return logical((a & b) >>> 0, cpu.carry, false); // TST
    case 0x9:
      return arithmetic(addWithCarry(~b, 0, 1)); // RSB #0 (NEGS) writes Rd = 0 - Rm
    case 0xa:
      return arithmetic(addWithCarry(a, ~b, 1), false); // CMP
    case 0xb:
      return arithmetic(addWithCarry(a, b, 0), false); // CMN
    case 0xc:
      return logical((a | b) >>> 0);
    case 0xd: {
      // MULS: N and Z only; C and V unchanged (A6.7.83).
      const value = Math.imul(a, b) >>> 0;
      cpu.w(rdn, value);
      if (setFlags) cpu.setNZ(value);
      return;
    }
    case 0xe:
      return logical((a & ~b) >>> 0);
    default:
      return logical(~b >>> 0);
  }
}

/** A5.2.3: ADD/CMP/MOV with high registers, BX, BLX (register). */
function specialDataAndBranch(cpu: ThumbCpu, hw: number): void {
  const rm = (hw >>> 3) & 0xf;
  const rdn = ((hw >>> 4) & 8) | (hw & 7);
  switch ((hw >>> 8) & 3) {
    case 0: {
      const value = (cpu.r(rdn) + cpu.r(rm)) >>> 0;
      if (rdn === 15) {
        cpu.branch(value);
        cpu.cycles += 2;
      } else cpu.w(rdn, value);
      return;
    }
    case 1:
      cpu.setNZCV(addWithCarry(cpu.r(rdn), ~cpu.r(rm), 1));
      return;
    case 2:
      if (rdn === 15) {
        cpu.branch(cpu.r(rm));
        cpu.cycles += 2;
      } else cpu.w(rdn, cpu.r(rm));
      return;
    default: {
      if (!cpu.lastInItOrOutside) cpu.undefined();
      const target = cpu.r(rm);
      if (hw & 0x80) cpu.w(14, (cpu.next | 1) >>> 0); // BLX
      cpu.bxWritePc(target);
      cpu.cycles += 2;
    }
  }
}

/** LDR (literal) T1 (A6.7.43). */
function loadLiteral(cpu: ThumbCpu, hw: number): void {
  const address = ((cpu.r(15) & ~3) + ((hw & 0xff) << 2)) >>> 0;
  cpu.w((hw >>> 8) & 7, cpu.read(address, 4));
}

/** A5.2.4: load/store single data item. */
function loadStoreSingle(cpu: ThumbCpu, hw: number): void {
  const rt = hw & 7;
  const rn = (hw >>> 3) & 7;
  const op = hw >>> 12;
  if (op === 5) {
    const address = (cpu.r(rn) + cpu.r((hw >>> 6) & 7)) >>> 0;
    switch ((hw >>> 9) & 7) {
      case 0:
        return cpu.write(address, 4, cpu.r(rt));
      case 1:
        return cpu.write(address, 2, cpu.r(rt));
      case 2:
        return cpu.write(address, 1, cpu.r(rt));
      case 3:
        return cpu.w(rt, (cpu.read(address, 1) << 24) >> 24); // LDRSB
      case 4:
        return cpu.w(rt, cpu.read(address, 4));
      case 5:
        return cpu.w(rt, cpu.read(address, 2));
      case 6:
        return cpu.w(rt, cpu.read(address, 1));
      default:
        return cpu.w(rt, (cpu.read(address, 2) << 16) >> 16); // LDRSH
    }
  }
  const load = (hw & 0x0800) !== 0;
  const imm5 = (hw >>> 6) & 0x1f;
  if (op === 9) {
    // LDR/STR (SP plus immediate) T2.
    const rtSp = (hw >>> 8) & 7;
    const address = (cpu.r(13) + ((hw & 0xff) << 2)) >>> 0;
    if (load) cpu.w(rtSp, cpu.read(address, 4));
    else cpu.write(address, 4, cpu.r(rtSp));
    return;
  }
  const size = op === 6 ? 4 : op === 7 ? 1 : 2;
  const address = (cpu.r(rn) + imm5 * size) >>> 0;
  if (load) cpu.w(rt, cpu.read(address, size));
  else cpu.write(address, size, cpu.r(rt));
}

/** A5.2.5: miscellaneous 16-bit instructions. */
function miscellaneous(cpu: ThumbCpu, hw: number): void {
  const op = (hw >>> 5) & 0x7f;
  if ((op & 0x78) === 0x00) {
    // ADD/SUB (SP plus/minus immediate) T2.
    const imm = (hw & 0x7f) << 2;
    cpu.w(13, cpu.r(13) + (op & 0x4 ? -imm : imm));
    return;
  }
  if ((hw & 0x0500) === 0x0100) {
    // CBZ/CBNZ (A6.7.21): ARMv7-M only, not in an IT block.
    cpu.requireV7();
    if (cpu.inIt) cpu.undefined();
    const zero = cpu.r(hw & 7) === 0;
    if (zero !== ((hw & 0x0800) !== 0)) {
      const imm = ((hw >>> 3) & 0x40) | ((hw >>> 2) & 0x3e);
      cpu.branch(cpu.r(15) + imm);
      cpu.cycles += 1;
    }
    return;
  }
  switch (hw & 0x0f00) {
    case 0x0200: {
      // SXTH, SXTB, UXTH, UXTB (A5.2.5).
      const rd = hw & 7;
      const m = cpu.r((hw >>> 3) & 7);
      switch ((hw >>> 6) & 3) {
        case 0:
          return cpu.w(rd, (m << 16) >> 16);
        case 1:
          return cpu.w(rd, (m << 24) >> 24);
        case 2:
          return cpu.w(rd, m & 0xffff);
        default:
          return cpu.w(rd, m & 0xff);
      }
    }
    case 0x0400:
    case 0x0500: {
      // PUSH (A6.7.98): registers plus LR.
      const list = (hw & 0xff) | (hw & 0x0100 ? 0x4000 : 0);
      if (list === 0) cpu.undefined();
      const start = (cpu.r(13) - 4 * bitCount(list)) >>> 0;
      storeMultiple(cpu, start, list);
      cpu.w(13, start);
      return;
    }
    case 0x0600:
      if ((hw & 0xffe8) === 0xb660) {
        changeProcessorState(cpu, (hw & 0x10) !== 0, hw & 7);
        return;
      }
      return cpu.undefined();
    case 0x0a00: {
      const rd = hw & 7;
      const m = cpu.r((hw >>> 3) & 7);
      switch ((hw >>> 6) & 3) {
        case 0: // REV
          return cpu.w(rd, byteReverse(m));
        case 1: // REV16
          return cpu.w(rd, ((m & 0x00ff00ff) << 8) | ((m >>> 8) & 0x00ff00ff));
        case 3: // REVSH
          return cpu.w(rd, (((m & 0xff) << 24) >> 16) | ((m >>> 8) & 0xff));
        default:
          return cpu.undefined();
      }
    }
    case 0x0c00:
    case 0x0d00: {
      // POP (A6.7.97): registers plus PC.
      const list = (hw & 0xff) | (hw & 0x0100 ? 0x8000 : 0);
      if (list === 0) cpu.undefined();
      if (list & 0x8000 && !cpu.lastInItOrOutside) cpu.undefined();
      const sp = cpu.r(13);
      const end = loadMultiple(cpu, sp, list);
      cpu.w(13, end);
      return;
    }
    case 0x0e00:
      cpu.bkpt();
      return;
    case 0x0f00:
      ifThenAndHints(cpu, hw);
      return;
    default:
      cpu.undefined();
  }
}

/** IT (A6.7.37) and the hints NOP, YIELD, WFE, WFI, SEV (A5.2.5). */
function ifThenAndHints(cpu: ThumbCpu, hw: number): void {
  const mask = hw & 0xf;
  if (mask !== 0) {
    cpu.requireV7();
    const firstCond = (hw >>> 4) & 0xf;
    // IT inside an IT block, IT with firstcond 1111, or AL with a mask that has an else: UNPREDICTABLE.
    if (cpu.inIt || firstCond === 0xf) cpu.undefined();
    cpu.setItAfter(hw & 0xff);
    return;
  }
  switch ((hw >>> 4) & 0xf) {
    case 2: // WFE
    case 3: // WFI
      cpu.sleeping = true;
      return;
    default: // NOP, YIELD, SEV, and the other hints execute as NOPs
  }
}

export function bitCount(value: number): number {
  let count = 0;
  for (let v = value >>> 0; v !== 0; v &= v - 1) count++;
  return count;
}

export function byteReverse(value: number): number {
  return (
    (((value & 0xff) << 24) |
      ((value & 0xff00) << 8) |
      ((value >>> 8) & 0xff00) |
      (value >>> 24)) >>>
    0
  );
}
