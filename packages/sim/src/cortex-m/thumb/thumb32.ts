/**
 * 32-bit Thumb-2 instructions (ARMv7-M ARM DDI 0403E A5.3): the top-level decode and the
 * branches and miscellaneous control group (A5.3.4). ARMv6-M has only BL, MSR, MRS,
 * DMB, DSB, ISB and UDF.W of these (ARMv6-M ARM DDI 0419E A5.3); everything else is
 * UNDEFINED there. Coprocessor space gives a UsageFault NOCP: no FPU instructions are
 * modelled.
 */
import { conditionPassed } from './alu.js';
import { CpuFault, type ThumbCpu } from './cpu.js';
import { Cfsr } from './system-control.js';
import { readSpecial, writeSpecial } from './system.js';
import {
  dataProcessingRegister,
  dataShiftedRegister,
  longMultiplyDivide,
  modifiedImmediate,
  multiply,
  plainImmediate,
} from './thumb32-data.js';
import { dualExclusiveTable, loadStoreMultiple, loadStoreSingle } from './thumb32-memory.js';

export function execute32(cpu: ThumbCpu, hw1: number, hw2: number): void {
  const op1 = (hw1 >>> 11) & 3;
  if (op1 === 2 && hw2 & 0x8000) {
    branchesAndMiscellaneous(cpu, hw1, hw2);
    return;
  }
  cpu.requireV7();
  if (op1 === 1) {
    switch (hw1 & 0x0600) {
      case 0x0000:
        if (hw1 & 0x0040) dualExclusiveTable(cpu, hw1, hw2);
        else loadStoreMultiple(cpu, hw1, hw2);
        return;
      case 0x0200:
        dataShiftedRegister(cpu, hw1, hw2);
        return;
      default:
        throw new CpuFault('usage', Cfsr.NOCP);
    }
  }
  if (op1 === 2) {
    if (hw1 & 0x0200) plainImmediate(cpu, hw1, hw2);
    else modifiedImmediate(cpu, hw1, hw2);
    return;
  }
  const op2 = (hw1 >>> 4) & 0x7f;
  if ((op2 & 0x71) === 0x00 || (op2 & 0x61) === 0x01) {
    if ((op2 & 0x67) === 0x07) cpu.undefined();
    loadStoreSingle(cpu, hw1, hw2);
  } else if ((op2 & 0x70) === 0x20) dataProcessingRegister(cpu, hw1, hw2);
  else if ((op2 & 0x78) === 0x30) multiply(cpu, hw1, hw2);
  else if ((op2 & 0x78) === 0x38) longMultiplyDivide(cpu, hw1, hw2);
  else if (op2 & 0x40) throw new CpuFault('usage', Cfsr.NOCP);
  else cpu.undefined();
}

/** A5.3.4: B, BL, MSR, MRS, hints, barriers, CLREX, UDF. */
function branchesAndMiscellaneous(cpu: ThumbCpu, hw1: number, hw2: number): void {
  const op1 = (hw2 >>> 12) & 7;
  const s = (hw1 >>> 10) & 1;
  const j1 = (hw2 >>> 13) & 1;
  const j2 = (hw2 >>> 11) & 1;
  if (op1 & 4 && op1 & 1) {
    // BL (A6.7.18).
    if (!cpu.lastInItOrOutside) cpu.undefined();
    cpu.w(14, (cpu.next | 1) >>> 0);
    cpu.branch(cpu.r(15) + branchOffset24(s, j1, j2, hw1, hw2));
    cpu.cycles += cpu.v7 ? 2 : 3;
    return;
  }
  if (op1 & 4) cpu.undefined(); // BLX (immediate) does not exist on M profile
  if (op1 & 1) {
    // B T4.
    cpu.requireV7();
    if (!cpu.lastInItOrOutside) cpu.undefined();
    cpu.jump(cpu.r(15) + branchOffset24(s, j1, j2, hw1, hw2));
    cpu.cycles += 1;
    return;
  }
  if (op1 === 2) {
    // UDF.W (permanently UNDEFINED) and the rest of this space.
    cpu.undefined();
  }
  const op = (hw1 >>> 4) & 0x7f;
  if ((op & 0x38) !== 0x38) {
    // B T3 (conditional), not in an IT block.
    cpu.requireV7();
    if (cpu.inIt) cpu.undefined();
    if (conditionPassed((hw1 >>> 6) & 0xf, cpu.xpsr)) {
      const imm = (s << 20) | (j2 << 19) | (j1 << 18) | ((hw1 & 0x3f) << 12) | ((hw2 & 0x7ff) << 1);
      cpu.jump(cpu.r(15) + ((imm << 11) >> 11));
      cpu.cycles += 1;
    }
    return;
  }
  switch (op) {
    case 0x38:
    case 0x39:
      // MSR (register) T1.
      writeSpecial(cpu, hw2 & 0xff, cpu.r(hw1 & 0xf), cpu.v7 ? (hw2 >>> 10) & 3 : 2);
      return;
    case 0x3a:
      // Hints: NOP.W, YIELD.W, WFE.W, WFI.W, SEV.W.
      cpu.requireV7();
      if ((hw2 & 0xff) === 2 || (hw2 & 0xff) === 3) cpu.sleeping = true;
      return;
    case 0x3b:
      // CLREX, DSB, DMB, ISB: barriers complete at once in this model.
      switch ((hw2 >>> 4) & 0xf) {
        case 2:
          cpu.requireV7();
          cpu.exclusive = undefined;
          return;
        case 4:
        case 5:
        case 6:
          cpu.cycles += cpu.v7 ? 0 : 2;
          return;
        default:
          cpu.undefined();
      }
      return;
    case 0x3e:
    case 0x3f:
      // MRS T1.
      cpu.w((hw2 >>> 8) & 0xf, readSpecial(cpu, hw2 & 0xff));
      cpu.cycles += cpu.v7 ? 0 : 2;
      return;
    default:
      cpu.undefined();
  }
}

/** SignExtend(S:I1:I2:imm10:imm11:'0') with I1 = NOT(J1 XOR S), I2 = NOT(J2 XOR S). */
function branchOffset24(s: number, j1: number, j2: number, hw1: number, hw2: number): number {
  const i1 = j1 ^ s ^ 1;
  const i2 = j2 ^ s ^ 1;
  const imm = (s << 24) | (i1 << 23) | (i2 << 22) | ((hw1 & 0x3ff) << 12) | ((hw2 & 0x7ff) << 1);
  return (imm << 7) >> 7;
}
