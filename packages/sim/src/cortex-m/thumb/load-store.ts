/**
 * Multiple-register transfers shared by the 16- and 32-bit encodings: LDM/POP and
 * STM/PUSH (ARMv7-M ARM DDI 0403E A6.7.40-41, A6.7.97-98, A6.7.119-120). Every access
 * must be word aligned (A3.2.1). A load of PC is LoadWritePC (interworking, exception
 * return).
 */
import type { ThumbCpu } from './cpu.js';

/** Loads the registers in `list` (ascending) from `address` up; returns the end address. */
export function loadMultiple(cpu: ThumbCpu, address: number, list: number): number {
  let a = address >>> 0;
  let pc: number | undefined;
  for (let reg = 0; reg < 16; reg++) {
    if (!(list & (1 << reg))) continue;
    const value = cpu.read(a, 4, true);
    if (reg === 15) pc = value;
    else cpu.w(reg, value);
    a = (a + 4) >>> 0;
  }
  if (pc !== undefined) {
    cpu.bxWritePc(pc);
    cpu.cycles += cpu.v7 ? 2 : 3;
  }
  return a;
}

/** Stores the registers in `list` (ascending) from `address` up; returns the end address. */
export function storeMultiple(cpu: ThumbCpu, address: number, list: number): number {
  let a = address >>> 0;
  for (let reg = 0; reg < 16; reg++) {
    if (!(list & (1 << reg))) continue;
    cpu.write(a, 4, cpu.r(reg), true);
    a = (a + 4) >>> 0;
  }
  return a;
}
