/**
 * 32-bit data processing (ARMv7-M ARM DDI 0403E): modified immediate (A5.3.1), plain
 * binary immediate (A5.3.3), shifted register (A5.3.11), register (A5.3.12), multiply
 * (A5.3.13) and long multiply and divide (A5.3.14). The DSP extension (Cortex-M4 parallel
 * arithmetic, saturating and halfword multiplies) is not modelled and is UNDEFINED here.
 */
import {
  addWithCarry,
  decodeImmShift,
  ror,
  shiftC,
  signedSat,
  thumbExpandImmC,
  unsignedSat,
  type AluResult,
} from './alu.js';
import { CpuFault, type ThumbCpu } from './cpu.js';
import { Ccr, Cfsr } from './system-control.js';
import { byteReverse } from './thumb16.js';

/**
 * The shared opcode table of A5.3.1 and A5.3.11: AND/TST, BIC, ORR/MOV, ORN/MVN,
 * EOR/TEQ, ADD/CMN, ADC, SBC, SUB/CMP, RSB. Rd = 15 with S set makes the compare forms.
 */
function dataOperation(
  cpu: ThumbCpu,
  op: number,
  setFlags: boolean,
  rn: number,
  rd: number,
  operand: number,
  carry: number,
): void {
  const compare = rd === 15 && setFlags;
  const logical = (value: number): void => {
    if (!compare) cpu.w(rd, value);
    if (setFlags) cpu.setNZC(value, carry);
  };
  const arithmetic = (result: AluResult): void => {
    if (!compare) cpu.w(rd, result.value);
    if (setFlags) cpu.setNZCV(result);
  };
  if (rd === 15 && !compare) cpu.undefined();
  const n = (): number => cpu.r(rn);
  switch (op) {
    case 0x0:
      return logical((n() & operand) >>> 0);
    case 0x1:
      return logical((n() & ~operand) >>> 0);
    case 0x2:
      return logical(rn === 15 ? operand : (n() | operand) >>> 0);
    case 0x3:
      return logical(rn === 15 ? ~operand >>> 0 : (n() | ~operand) >>> 0);
    case 0x4:
      return logical((n() ^ operand) >>> 0);
    case 0x8:
      return arithmetic(addWithCarry(n(), operand, 0));
    case 0xa:
      return arithmetic(cpu.adc(n(), operand));
    case 0xb:
      return arithmetic(cpu.adc(n(), ~operand));
    case 0xd:
      return arithmetic(addWithCarry(n(), ~operand, 1));
    case 0xe:
      return arithmetic(addWithCarry(~n(), operand, 1));
    default:
      cpu.undefined();
  }
}

/** A5.3.1: ThumbExpandImm constants. */
export function modifiedImmediate(cpu: ThumbCpu, hw1: number, hw2: number): void {
  const imm12 = ((hw1 & 0x0400) << 1) | ((hw2 >>> 4) & 0x700) | (hw2 & 0xff);
  const expanded = thumbExpandImmC(imm12, cpu.carry);
  dataOperation(
    cpu,
    (hw1 >>> 5) & 0xf,
    (hw1 & 0x10) !== 0,
    hw1 & 0xf,
    (hw2 >>> 8) & 0xf,
    expanded.value,
    expanded.carry,
  );
}

/** A5.3.11: operand 2 is a register shifted by an immediate. */
export function dataShiftedRegister(cpu: ThumbCpu, hw1: number, hw2: number): void {
  const [type, amount] = decodeImmShift((hw2 >>> 4) & 3, ((hw2 >>> 10) & 0x1c) | ((hw2 >>> 6) & 3));
  const shifted = shiftC(cpu.r(hw2 & 0xf), type, amount, cpu.carry);
  dataOperation(
    cpu,
    (hw1 >>> 5) & 0xf,
    (hw1 & 0x10) !== 0,
    hw1 & 0xf,
    (hw2 >>> 8) & 0xf,
    shifted.value,
    shifted.carry,
  );
}

/** A5.3.3: ADDW, SUBW, ADR, MOVW, MOVT, SSAT, USAT, SBFX, UBFX, BFI, BFC. */
export function plainImmediate(cpu: ThumbCpu, hw1: number, hw2: number): void {
  const rn = hw1 & 0xf;
  const rd = (hw2 >>> 8) & 0xf;
  const imm8 = hw2 & 0xff;
  const imm3 = (hw2 >>> 12) & 7;
  const imm12 = ((hw1 & 0x0400) << 1) | (imm3 << 8) | imm8;
  const lsb = (imm3 << 2) | ((hw2 >>> 6) & 3);
  const low5 = hw2 & 0x1f;
  switch ((hw1 >>> 4) & 0x1f) {
    case 0x00:
      // ADDW; with Rn = PC it is ADR (Align(PC, 4) + imm).
      return cpu.w(rd, (rn === 15 ? cpu.r(15) & ~3 : cpu.r(rn)) + imm12);
    case 0x0a:
      return cpu.w(rd, (rn === 15 ? cpu.r(15) & ~3 : cpu.r(rn)) - imm12);
    case 0x04:
      return cpu.w(rd, (rn << 12) | imm12);
    case 0x0c:
      return cpu.w(rd, ((((rn << 12) | imm12) << 16) | (cpu.r(rd) & 0xffff)) >>> 0);
    case 0x10:
    case 0x12: {
      // SSAT (A6.7.126); sh = 1 with a zero shift would be SSAT16 (DSP).
      const asr = (hw1 & 0x20) !== 0;
      if (asr && lsb === 0) cpu.undefined();
      const operand = asr ? cpu.r(rn) >> lsb : cpu.r(rn) << lsb;
      const [value, saturated] = signedSat(operand | 0, low5 + 1);
      cpu.w(rd, value);
      if (saturated) cpu.setQ();
      return;
    }
    case 0x18:
    case 0x1a: {
      const asr = (hw1 & 0x20) !== 0;
      if (asr && lsb === 0) cpu.undefined();
      const operand = asr ? cpu.r(rn) >> lsb : cpu.r(rn) << lsb;
      const [value, saturated] = unsignedSat(operand | 0, low5);
      cpu.w(rd, value);
      if (saturated) cpu.setQ();
      return;
    }
    case 0x14:
    case 0x1c: {
      // SBFX / UBFX: width = widthm1 + 1 bits from lsb.
      const width = low5 + 1;
      if (lsb + width > 32) cpu.undefined();
      const field = (cpu.r(rn) << (32 - lsb - width)) >>> 0;
      const signed = ((hw1 >>> 4) & 0x1f) === 0x14;
      return cpu.w(rd, signed ? (field | 0) >> (32 - width) : field >>> (32 - width));
    }
    case 0x16: {
      // BFI, or BFC with Rn = PC: bits [msb:lsb] of Rd.
      const msb = low5;
      if (msb < lsb) cpu.undefined();
      const mask = msb - lsb === 31 ? 0xffffffff : ((1 << (msb - lsb + 1)) - 1) << lsb;
      const source = rn === 15 ? 0 : cpu.r(rn) << lsb;
      return cpu.w(rd, ((cpu.r(rd) & ~mask) | (source & mask)) >>> 0);
    }
    default:
      cpu.undefined();
  }
}

/** A5.3.12: register-controlled shifts, extends, REV/RBIT/CLZ. */
export function dataProcessingRegister(cpu: ThumbCpu, hw1: number, hw2: number): void {
  if ((hw2 & 0xf000) !== 0xf000) cpu.undefined();
  const op1 = (hw1 >>> 4) & 0xf;
  const op2 = (hw2 >>> 4) & 0xf;
  const rn = hw1 & 0xf;
  const rd = (hw2 >>> 8) & 0xf;
  const rm = hw2 & 0xf;
  if ((op1 & 0x8) === 0 && op2 === 0) {
    // LSL, LSR, ASR, ROR (register): amount is the bottom byte of Rm.
    const result = shiftC(cpu.r(rn), (op1 >>> 1) & 3, cpu.r(rm) & 0xff, cpu.carry);
    cpu.w(rd, result.value);
    if (op1 & 1) cpu.setNZC(result.value, result.carry);
    return;
  }
  if ((op1 & 0x8) === 0 && op2 & 0x8) {
    // SXTAH/SXTH, UXTAH/UXTH, SXTAB/SXTB, UXTAB/UXTB (the *16 forms are DSP).
    const rotated = ror(cpu.r(rm), 8 * ((hw2 >>> 4) & 3));
    let value: number;
    switch (op1) {
      case 0:
        value = (rotated << 16) >> 16;
        break;
      case 1:
        value = rotated & 0xffff;
        break;
      case 4:
        value = (rotated << 24) >> 24;
        break;
      case 5:
        value = rotated & 0xff;
        break;
      default:
        return cpu.undefined();
    }
    return cpu.w(rd, rn === 15 ? value : cpu.r(rn) + value);
  }
  if ((op1 & 0xc) === 0x8 && (op2 & 0xc) === 0x8) {
    const m = cpu.r(rm);
    switch (((op1 & 3) << 2) | (op2 & 3)) {
      case 0x4:
        return cpu.w(rd, byteReverse(m));
      case 0x5:
        return cpu.w(rd, ((m & 0x00ff00ff) << 8) | ((m >>> 8) & 0x00ff00ff));
      case 0x6: {
        let value = 0;
        for (let i = 0; i < 32; i++) value |= ((m >>> i) & 1) << (31 - i);
        return cpu.w(rd, value);
      }
      case 0x7:
        return cpu.w(rd, (((m & 0xff) << 24) >> 16) | ((m >>> 8) & 0xff));
      case 0xc:
        return cpu.w(rd, Math.clz32(m));
      default:
        return cpu.undefined();
    }
  }
  cpu.undefined();
}

/** A5.3.13: MUL, MLA, MLS (the DSP halfword multiplies are not modelled). */
export function multiply(cpu: ThumbCpu, hw1: number, hw2: number): void {
  const op1 = (hw1 >>> 4) & 7;
  const op2 = (hw2 >>> 4) & 3;
  const rn = hw1 & 0xf;
  const ra = (hw2 >>> 12) & 0xf;
  const rd = (hw2 >>> 8) & 0xf;
  const rm = hw2 & 0xf;
  if (op1 !== 0 || op2 > 1) cpu.undefined();
  const product = Math.imul(cpu.r(rn), cpu.r(rm));
  if (op2 === 1) cpu.w(rd, cpu.r(ra) - product);
  else cpu.w(rd, ra === 15 ? product : cpu.r(ra) + product);
  if (ra !== 15) cpu.cycles += 1;
}

/** A5.3.14: SMULL, UMULL, SMLAL, UMLAL, SDIV, UDIV. */
export function longMultiplyDivide(cpu: ThumbCpu, hw1: number, hw2: number): void {
  const op1 = (hw1 >>> 4) & 7;
  const op2 = (hw2 >>> 4) & 0xf;
  const rn = hw1 & 0xf;
  const rdLo = (hw2 >>> 12) & 0xf;
  const rdHi = (hw2 >>> 8) & 0xf;
  const rm = hw2 & 0xf;
  if ((op1 === 1 || op1 === 3) && op2 === 0xf) {
    divide(cpu, op1 === 1, rn, rdHi, rm);
    return;
  }
  if (op2 !== 0 || (op1 !== 0 && op1 !== 2 && op1 !== 4 && op1 !== 6)) cpu.undefined();
  const signed = (op1 & 2) === 0;
  const toBig = (value: number): bigint => (signed ? BigInt(value | 0) : BigInt(value >>> 0));
  let result = toBig(cpu.r(rn)) * toBig(cpu.r(rm));
  if (op1 & 4) {
    const accumulator = (BigInt(cpu.r(rdHi) >>> 0) << 32n) | BigInt(cpu.r(rdLo) >>> 0);
    result += accumulator;
  }
  result = BigInt.asUintN(64, result);
  cpu.w(rdLo, Number(result & 0xffffffffn));
  cpu.w(rdHi, Number(result >> 32n));
  cpu.cycles += op1 & 4 ? 4 : 2;
}

/**
 * SDIV/UDIV (A6.7.111, A6.7.145): rounds towards zero; division by zero gives 0, or a
 * UsageFault DIVBYZERO when CCR.DIV_0_TRP is set. Cortex-M3/M4 take 2-12 cycles depending
 * on the operands; this model charges the worst case.
 */
function divide(cpu: ThumbCpu, signed: boolean, rn: number, rd: number, rm: number): void {
  const divisor = signed ? cpu.r(rm) | 0 : cpu.r(rm) >>> 0;
  if (divisor === 0) {
    if (cpu.scb.ccr & Ccr.DIV_0_TRP) throw new CpuFault('usage', Cfsr.DIVBYZERO);
    cpu.w(rd, 0);
  } else {
    const dividend = signed ? cpu.r(rn) | 0 : cpu.r(rn) >>> 0;
    cpu.w(rd, Math.trunc(dividend / divisor) >>> 0);
  }
  cpu.cycles += 11;
}
