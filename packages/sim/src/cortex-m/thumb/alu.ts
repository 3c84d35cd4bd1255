/**
 * Thumb ALU pseudo-code functions of the ARMv7-M Architecture Reference Manual (ARM DDI
 * 0403E), section A2.2 "Integer arithmetic" and A5.3.2 "Modified immediate constants":
 * AddWithCarry, the shifts with carry out, ThumbExpandImm_C and DecodeImmShift. ARMv6-M
 * (ARM DDI 0419E, A2.2) defines the same functions.
 */

/** Result of an operation with a carry (and for additions an overflow) out. */
export interface AluResult {
  value: number;
  carry: number;
  overflow: number;
}

/** Shift types of DecodeImmShift / DecodeRegShift (A7.4.2). */
export const Shift = { LSL: 0, LSR: 1, ASR: 2, ROR: 3, RRX: 4 } as const;

/** AddWithCarry(x, y, carry_in) (A2.2.1): unsigned 32-bit result, carry and signed overflow. */
export function addWithCarry(x: number, y: number, carryIn: number): AluResult {
  const unsigned = (x >>> 0) + (y >>> 0) + carryIn;
  const value = unsigned >>> 0;
  const carry = unsigned > 0xffffffff ? 1 : 0;
  const overflow = ((x ^ value) & (y ^ value)) >>> 31;
  return { value, carry, overflow };
}

/**
 * Shift_C(value, type, amount, carry_in) (A7.4.2). `amount` may be anything from 0 up
 * (register-controlled shifts use the bottom byte of a register, so 0-255): LSL/LSR by 32
 * give 0 with the last bit shifted out as carry, beyond 32 give 0 and carry 0, ASR by 32
 * or more fills with the sign. An amount of 0 leaves value and carry alone.
 */
export function shiftC(value: number, type: number, amount: number, carryIn: number): AluResult {
  value >>>= 0;
  if (type === Shift.RRX) {
    return { value: ((carryIn << 31) | (value >>> 1)) >>> 0, carry: value & 1, overflow: 0 };
  }
  if (amount === 0) return { value, carry: carryIn, overflow: 0 };
  switch (type) {
    case Shift.LSL:
      if (amount < 32) {
        return {
          value: (value << amount) >>> 0,
          carry: (value >>> (32 - amount)) & 1,
          overflow: 0,
        };
      }
      return { value: 0, carry: amount === 32 ? value & 1 : 0, overflow: 0 };
    case Shift.LSR:
      if (amount < 32) {
        return { value: value >>> amount, carry: (value >>> (amount - 1)) & 1, overflow: 0 };
      }
      return { value: 0, carry: amount === 32 ? value >>> 31 : 0, overflow: 0 };
    case Shift.ASR: {
      if (amount < 32) {
        return { value: (value >> amount) >>> 0, carry: (value >> (amount - 1)) & 1, overflow: 0 };
      }
      const sign = value >>> 31;
      return { value: sign ? 0xffffffff : 0, carry: sign, overflow: 0 };
    }
    default: {
      // ROR: by a multiple of 32 the value is unchanged and carry is bit 31.
      const m = amount % 32;
      const rotated = m === 0 ? value : ((value >>> m) | (value << (32 - m))) >>> 0;
      return { value: rotated, carry: rotated >>> 31, overflow: 0 };
    }
  }
}

/** DecodeImmShift(type, imm5) (A7.4.2): [shift type, amount]. */
export function decodeImmShift(type: number, imm5: number): [number, number] {
  switch (type) {
    case 0:
      return [Shift.LSL, imm5];
    case 1:
      return [Shift.LSR, imm5 === 0 ? 32 : imm5];
    case 2:
      return [Shift.ASR, imm5 === 0 ? 32 : imm5];
    default:
      return imm5 === 0 ? [Shift.RRX, 1] : [Shift.ROR, imm5];
  }
}

/** ROR(x, n) for 0 <= n < 32. */
export function ror(value: number, n: number): number {
  n &= 31;
  return n === 0 ? value >>> 0 : ((value >>> n) | (value << (32 - n))) >>> 0;
}

/** ThumbExpandImm_C(imm12, carry_in) (A5.3.2). */
export function thumbExpandImmC(imm12: number, carryIn: number): AluResult {
  const imm8 = imm12 & 0xff;
  if ((imm12 & 0xc00) === 0) {
    let value: number;
    switch ((imm12 >>> 8) & 3) {
      case 0:
        value = imm8;
        break;
      case 1:
        value = (imm8 << 16) | imm8;
        break;
      case 2:
        value = (imm8 << 24) | (imm8 << 8);
        break;
      default:
        value = (imm8 << 24) | (imm8 << 16) | (imm8 << 8) | imm8;
    }
    return { value: value >>> 0, carry: carryIn, overflow: 0 };
  }
  const value = ror(0x80 | (imm12 & 0x7f), (imm12 >>> 7) & 0x1f);
  return { value, carry: value >>> 31, overflow: 0 };
}

/** ConditionPassed for a 4-bit condition against the APSR flags in `xpsr` (A7.3). */
export function conditionPassed(cond: number, xpsr: number): boolean {
  const n = (xpsr >>> 31) & 1;
  const z = (xpsr >>> 30) & 1;
  const c = (xpsr >>> 29) & 1;
  const v = (xpsr >>> 28) & 1;
  let result: boolean;
  switch (cond >>> 1) {
    case 0:
      result = z === 1;
      break;
    case 1:
      result = c === 1;
      break;
    case 2:
      result = n === 1;
      break;
    case 3:
      result = v === 1;
      break;
    case 4:
      result = c === 1 && z === 0;
      break;
    case 5:
      result = n === v;
      break;
    case 6:
      result = n === v && z === 0;
      break;
    default:
      return true;
  }
  return cond & 1 ? !result : result;
}

/** Signed saturation to `bits` (1-32) bits: [result, saturated]. */
export function signedSat(value: number, bits: number): [number, boolean] {
  const max = 2 ** (bits - 1) - 1;
  const min = -(2 ** (bits - 1));
  if (value > max) return [max >>> 0, true];
  if (value < min) return [min >>> 0, true];
  return [value >>> 0, false];
}

/** Unsigned saturation to `bits` (0-31) bits: [result, saturated]. */
export function unsignedSat(value: number, bits: number): [number, boolean] {
  const max = 2 ** bits - 1;
  if (value > max) return [max, true];
  if (value < 0) return [0, true];
  return [value, false];
}
