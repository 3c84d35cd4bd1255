/**
 * Special-register access: MRS, MSR and CPS (ARMv7-M ARM DDI 0403E B5.2.1-B5.2.3; ARMv6-M
 * ARM DDI 0419E B4.2). SYSm numbers: 0-7 the xPSR views, 8 MSP, 9 PSP, 16 PRIMASK,
 * 17 BASEPRI, 18 BASEPRI_MAX, 19 FAULTMASK, 20 CONTROL. Unprivileged code reads and
 * writes only the APSR; its other writes are ignored.
 */
import { Reg, type ThumbCpu } from './cpu.js';
import { executionPriority } from './exceptions.js';

export function readSpecial(cpu: ThumbCpu, sysm: number): number {
  if (sysm < 8) {
    let value = 0;
    if (sysm & 1) value |= cpu.ipsr;
    if ((sysm & 4) === 0) value |= cpu.xpsr & (cpu.v7 ? 0xf80f0000 : 0xf0000000);
    return value >>> 0;
  }
  if (!validSysm(cpu, sysm)) cpu.undefined();
  if (!cpu.privileged && sysm !== 20) return 0;
  switch (sysm) {
    case 8:
      return cpu.regs[Reg.MSP]!;
    case 9:
      return cpu.regs[Reg.PSP]!;
    case 16:
      return cpu.primask;
    case 17:
    case 18:
      return cpu.basepri;
    case 19:
      return cpu.faultmask;
    default:
      return cpu.control & (cpu.v7 ? 3 : 2);
  }
}

/** MSR; `mask` is the v7-M mask field (bit 1: NZCVQ, bit 0: GE), 0b10 on ARMv6-M. */
export function writeSpecial(cpu: ThumbCpu, sysm: number, value: number, mask: number): void {
  if (sysm < 8) {
    if ((sysm & 4) === 0) {
      let bits = 0;
      if (mask & 2) bits |= cpu.v7 ? 0xf8000000 : 0xf0000000;
      if (mask & 1 && cpu.v7) bits |= 0x000f0000;
      cpu.xpsr = ((cpu.xpsr & ~bits) | (value & bits)) >>> 0;
    }
    return;
  }
  if (!validSysm(cpu, sysm)) cpu.undefined();
  if (!cpu.privileged) return;
  const prioMask = (0xff << (8 - cpu.scb.priorityBits)) & 0xff;
  switch (sysm) {
    case 8:
      cpu.regs[Reg.MSP] = value & ~3;
      return;
    case 9:
      cpu.regs[Reg.PSP] = value & ~3;
      return;
    case 16:
      cpu.setSpecial(cpu.control, cpu.faultmask, cpu.basepri, value & 1);
      return;
    case 17:
      cpu.setSpecial(cpu.control, cpu.faultmask, value & prioMask, cpu.primask);
      return;
    case 18: {
      const wanted = value & prioMask;
      if (wanted !== 0 && (wanted < cpu.basepri || cpu.basepri === 0)) {
        cpu.setSpecial(cpu.control, cpu.faultmask, wanted, cpu.primask);
      }
      return;
    }
    case 19:
      // FAULTMASK cannot be set from the HardFault or NMI handler.
      if ((value & 1) === 0 || executionPriority(cpu) > -1) {
        cpu.setSpecial(cpu.control, value & 1, cpu.basepri, cpu.primask);
      }
      return;
    default: {
      // SPSEL changes only in thread mode; nPRIV exists on ARMv7-M only.
      let control = cpu.control;
      if (!cpu.handlerMode) control = (control & ~2) | (value & 2);
      if (cpu.v7) control = (control & ~1) | (value & 1);
      cpu.setSpecial(control, cpu.faultmask, cpu.basepri, cpu.primask);
    }
  }
}

function validSysm(cpu: ThumbCpu, sysm: number): boolean {
  if (sysm === 8 || sysm === 9 || sysm === 16 || sysm === 20) return true;
  return cpu.v7 && sysm >= 17 && sysm <= 19;
}

/** CPSIE/CPSID (B5.2.1): `flags` bit 1 is I (PRIMASK), bit 0 F (FAULTMASK, v7-M only). */
export function changeProcessorState(cpu: ThumbCpu, disable: boolean, flags: number): void {
  if (!cpu.privileged) return;
  const set = disable ? 1 : 0;
  let primask = cpu.primask;
  let faultmask = cpu.faultmask;
  if (flags & 2) primask = set;
  if (flags & 1 && cpu.v7 && (!disable || executionPriority(cpu) > -1)) faultmask = set;
  cpu.setSpecial(cpu.control, faultmask, cpu.basepri, primask);
}
