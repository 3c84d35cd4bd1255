/**
 * 32-bit loads and stores (ARMv7-M ARM DDI 0403E): single data items (A5.3.7-A5.3.10),
 * multiple (A5.3.5), dual, exclusive and table branch (A5.3.6).
 */
import type { BusSize } from '../../bus.js';
import type { ThumbCpu } from './cpu.js';
import { loadMultiple, storeMultiple } from './load-store.js';
import { bitCount } from './thumb16.js';

/**
 * LDR/STR with byte, halfword and word sizes, signed loads, immediate offsets (12-bit
 * positive, 8-bit with pre/post-index and writeback), register offsets shifted by 0-3
 * and literal (PC-relative) loads. Byte and halfword loads to PC are the PLD/PLI hints.
 */
export function loadStoreSingle(cpu: ThumbCpu, hw1: number, hw2: number): void {
  const load = (hw1 & 0x10) !== 0;
  const signed = (hw1 & 0x100) !== 0;
  const sizeCode = (hw1 >>> 5) & 3;
  if (sizeCode === 3 || (signed && (!load || sizeCode === 2))) cpu.undefined();
  const size: BusSize = sizeCode === 0 ? 1 : sizeCode === 1 ? 2 : 4;
  const rn = hw1 & 0xf;
  const rt = (hw2 >>> 12) & 0xf;
  let address: number;
  let writeback: number | undefined;
  if (rn === 15) {
    // Literal: Align(PC, 4) +/- imm12 (loads only).
    if (!load) cpu.undefined();
    const imm12 = hw2 & 0xfff;
    address = (cpu.r(15) & ~3) + (hw1 & 0x80 ? imm12 : -imm12);
  } else if (hw1 & 0x80) {
    address = cpu.r(rn) + (hw2 & 0xfff);
  } else if (hw2 & 0x800) {
    const puw = (hw2 >>> 8) & 7;
    const imm8 = hw2 & 0xff;
    // PUW = 110 is LDRT/STRT: unprivileged access, modelled as a plain offset access.
    if ((puw & 5) === 0) cpu.undefined();
    const offsetAddress = cpu.r(rn) + (puw & 2 ? imm8 : -imm8);
    address = puw & 4 ? offsetAddress : cpu.r(rn);
    if (puw & 1) writeback = offsetAddress >>> 0;
  } else {
    if (hw2 & 0x7c0) cpu.undefined();
    address = cpu.r(rn) + (cpu.r(hw2 & 0xf) << ((hw2 >>> 4) & 3));
  }
  address >>>= 0;
  if (load && rt === 15 && size !== 4) {
    // PLD / PLI: hints, no access.
    return;
  }
  if (load) {
    let value = cpu.read(address, size);
    if (signed) value = size === 1 ? (value << 24) >> 24 : (value << 16) >> 16;
    if (writeback !== undefined) cpu.w(rn, writeback);
    if (rt === 15) {
      if (!cpu.lastInItOrOutside) cpu.undefined();
      cpu.bxWritePc(value);
      cpu.cycles += 2;
    } else cpu.w(rt, value);
  } else {
    cpu.write(address, size, cpu.r(rt));
    if (writeback !== undefined) cpu.w(rn, writeback);
  }
}

/** LDM/LDMDB/POP.W and STM/STMDB/PUSH.W (A6.7.40-41, A6.7.119-120). */
export function loadStoreMultiple(cpu: ThumbCpu, hw1: number, hw2: number): void {
  const op = (hw1 >>> 7) & 3;
  if (op === 0 || op === 3) cpu.undefined(); // SRS/RFE are not in ARMv7-M
  const load = (hw1 & 0x10) !== 0;
  const wback = (hw1 & 0x20) !== 0;
  const rn = hw1 & 0xf;
  const list = load ? hw2 & 0xdfff : hw2 & 0x5fff;
  if (list === 0) cpu.undefined();
  if (load && (list & 0xc000) === 0xc000) cpu.undefined();
  if (load && list & 0x8000 && !cpu.lastInItOrOutside) cpu.undefined();
  const base = cpu.r(rn);
  const bytes = 4 * bitCount(list);
  const start = op === 1 ? base : (base - bytes) >>> 0;
  const after = op === 1 ? (base + bytes) >>> 0 : start;
  if (load) {
    loadMultiple(cpu, start, list);
    if (wback && !(list & (1 << rn))) cpu.w(rn, after);
  } else {
    storeMultiple(cpu, start, list);
    if (wback) cpu.w(rn, after);
  }
}

/** LDRD/STRD, LDREX/STREX (word, byte, halfword), TBB/TBH. */
export function dualExclusiveTable(cpu: ThumbCpu, hw1: number, hw2: number): void {
  const op1 = (hw1 >>> 7) & 3;
  const op2 = (hw1 >>> 4) & 3;
  const rn = hw1 & 0xf;
  const rt = (hw2 >>> 12) & 0xf;
  if (op1 === 0 && op2 < 2) {
    const address = (cpu.r(rn) + ((hw2 & 0xff) << 2)) >>> 0;
    if (op2 === 1) loadExclusive(cpu, address, 4, rt);
    else storeExclusive(cpu, address, 4, rt, (hw2 >>> 8) & 0xf);
    return;
  }
  if (op1 === 1 && op2 < 2) {
    const op3 = (hw2 >>> 4) & 0xf;
    if (op2 === 1 && op3 < 2) {
      tableBranch(cpu, rn, hw2 & 0xf, op3 === 1);
      return;
    }
    if (op3 !== 4 && op3 !== 5) cpu.undefined();
    const size = op3 === 4 ? 1 : 2;
    const address = cpu.r(rn);
    if (op2 === 1) loadExclusive(cpu, address, size, rt);
    else storeExclusive(cpu, address, size, rt, hw2 & 0xf);
    return;
  }
  // LDRD/STRD (immediate): P = hw1[8], U = hw1[7], W = hw1[5].
  const index = (hw1 & 0x100) !== 0;
  const add = (hw1 & 0x80) !== 0;
  const wback = (hw1 & 0x20) !== 0;
  const load = (hw1 & 0x10) !== 0;
  const rt2 = (hw2 >>> 8) & 0xf;
  const imm = (hw2 & 0xff) << 2;
  const base = rn === 15 ? cpu.r(15) & ~3 : cpu.r(rn);
  const offsetAddress = (add ? base + imm : base - imm) >>> 0;
  const address = index ? offsetAddress : base >>> 0;
  if (load) {
    const first = cpu.read(address, 4, true);
    const second = cpu.read(address + 4, 4, true);
    if (wback) cpu.w(rn, offsetAddress);
    cpu.w(rt, first);
    cpu.w(rt2, second);
  } else {
    cpu.write(address, 4, cpu.r(rt), true);
    cpu.write(address + 4, 4, cpu.r(rt2), true);
    if (wback) cpu.w(rn, offsetAddress);
  }
}

function loadExclusive(cpu: ThumbCpu, address: number, size: BusSize, rt: number): void {
  cpu.w(rt, cpu.read(address, size, true));
  cpu.exclusive = address >>> 0;
}

/** STREX stores only while the local monitor holds the address LDREX marked (A3.4.2). */
function storeExclusive(
  cpu: ThumbCpu,
  address: number,
  size: BusSize,
  rt: number,
  rd: number,
): void {
  if (address & (size - 1)) cpu.read(address, size, true); // raises the alignment fault
  if (cpu.exclusive === address >>> 0) {
    cpu.write(address, size, cpu.r(rt), true);
    cpu.w(rd, 0);
  } else {
    cpu.w(rd, 1);
  }
  cpu.exclusive = undefined;
}

/** TBB/TBH (A6.7.142): PC + 2 * table entry, not in an IT block except last. */
function tableBranch(cpu: ThumbCpu, rn: number, rm: number, half: boolean): void {
  if (!cpu.lastInItOrOutside) cpu.undefined();
  const entry = half
    ? cpu.read((cpu.r(rn) + (cpu.r(rm) << 1)) >>> 0, 2)
    : cpu.read((cpu.r(rn) + cpu.r(rm)) >>> 0, 1);
  cpu.branch(cpu.r(15) + 2 * entry);
  cpu.cycles += 2;
}
