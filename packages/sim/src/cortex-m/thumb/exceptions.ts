/**
 * Exception entry and return (ARMv7-M ARM DDI 0403E B1.5.6-B1.5.8, ARMv6-M ARM DDI 0419E
 * B1.5.6-B1.5.8), fault escalation (B1.5.14) and lockup (B1.5.15). Only synchronous
 * exceptions occur: faults raised by instructions and SVCall; there is no NVIC interrupt
 * source in the simulator.
 */
import { BusError } from '../../bus.js';
import { CpuFault, Psr, Reg, StepEnd, type ThumbCpu } from './cpu.js';
import { Ccr, Cfsr, Exception, Hfsr, Shcsr } from './system-control.js';

/** Cycles of exception entry and of return (Cortex-M3 TRM DDI 0337 5.5.1: 12; Cortex-M0: 16). */
function exceptionCycles(cpu: ThumbCpu): number {
  return cpu.v7 ? 12 : 16;
}

/** Priority of exception `n` (B1.5.4): Reset -3, NMI -2, HardFault -1, others configurable. */
function priorityOf(cpu: ThumbCpu, n: number): number {
  if (n === Exception.RESET) return -3;
  if (n === Exception.NMI) return -2;
  if (n === Exception.HARD_FAULT) return -1;
  return cpu.scb.priority[n] ?? 0;
}

/** ExecutionPriority() (B1.5.4): the active exceptions, PRIMASK, FAULTMASK and BASEPRI. */
export function executionPriority(cpu: ThumbCpu): number {
  let priority = 256;
  for (let n = 1; n < cpu.active.length; n++) {
    if (cpu.active[n]) priority = Math.min(priority, priorityOf(cpu, n));
  }
  if (cpu.v7 && cpu.basepri !== 0) priority = Math.min(priority, cpu.basepri);
  if (cpu.primask) priority = Math.min(priority, 0);
  if (cpu.v7 && cpu.faultmask) priority = Math.min(priority, -1);
  return priority;
}

/**
 * Takes the fault an instruction raised. The configurable faults (MemManage, BusFault,
 * UsageFault) escalate to HardFault (HFSR.FORCED) when disabled in SHCSR or when they
 * cannot preempt the current execution priority; a HardFault that cannot preempt (one in
 * the HardFault handler, or with FAULTMASK set) locks the processor up. ARMv6-M has only
 * HardFault.
 */
export function enterFault(cpu: ThumbCpu, fault: CpuFault, returnAddress: number): number {
  const scb = cpu.scb;
  let target: number = Exception.HARD_FAULT;
  if (cpu.v7) {
    scb.cfsr = (scb.cfsr | fault.cfsrBit) >>> 0;
    if (fault.cfsrBit & Cfsr.BFARVALID) scb.bfar = fault.address ?? 0;
    if (fault.cfsrBit & Cfsr.MMARVALID) scb.mmfar = fault.address ?? 0;
    const wanted = configurableTarget(fault.kind);
    if (wanted !== undefined) {
      const enabled = (scb.shcsr & enableBit(wanted)) !== 0;
      if (enabled && priorityOf(cpu, wanted) < executionPriority(cpu)) target = wanted;
      else scb.hfsr = (scb.hfsr | Hfsr.FORCED) >>> 0;
    } else if (fault.kind === 'hard' && fault.cfsrBit === 0) {
      // BKPT with halting debug disabled and no DebugMonitor: HardFault, DEBUGEVT (C1.5.1).
      scb.hfsr = (scb.hfsr | Hfsr.DEBUGEVT) >>> 0;
    }
  }
  if (target === Exception.HARD_FAULT && executionPriority(cpu) <= -1) {
    enterLockup(cpu);
    return StepEnd.DONE;
  }
  return enterException(cpu, target, returnAddress, fault.cfsrBit);
}

function configurableTarget(kind: CpuFault['kind']): number | undefined {
  switch (kind) {
    case 'usage':
      return Exception.USAGE_FAULT;
    case 'bus':
      return Exception.BUS_FAULT;
    case 'memmanage':
      return Exception.MEM_MANAGE;
    default:
      return undefined;
  }
}

function enableBit(exception: number): number {
  if (exception === Exception.USAGE_FAULT) return Shcsr.USGFAULTENA;
  if (exception === Exception.BUS_FAULT) return Shcsr.BUSFAULTENA;
  return Shcsr.MEMFAULTENA;
}

/** SVCall after SVC retired (B1.5.6): escalates to HardFault when it cannot preempt. */
export function takeSvc(cpu: ThumbCpu): number {
  const returnAddress = cpu.regs[Reg.PC]!;
  if (priorityOf(cpu, Exception.SVCALL) >= executionPriority(cpu)) {
    // The SVC escalates; its return address is the next instruction all the same.
    if (cpu.v7) cpu.scb.hfsr = (cpu.scb.hfsr | Hfsr.FORCED) >>> 0;
    if (executionPriority(cpu) <= -1) {
      enterLockup(cpu);
      return StepEnd.DONE;
    }
    return enterException(cpu, Exception.HARD_FAULT, returnAddress, 0);
  }
  return enterException(cpu, Exception.SVCALL, returnAddress, 0);
}

/** Lockup (B1.5.15): PC reads 0xFFFFFFFE and nothing executes until reset or a debug halt. */
export function enterLockup(cpu: ThumbCpu): void {
  cpu.lockup = true;
  cpu.regs[Reg.PC] = 0xfffffffe;
}

/**
 * PushStack and ExceptionTaken (B1.5.6): an eight-word frame on the current stack,
 * aligned to 8 bytes when CCR.STKALIGN (always on ARMv6-M) with the realignment recorded
 * in bit 9 of the stacked xPSR; LR gets EXC_RETURN; handler mode on MSP; the vector from
 * VTOR (0 on ARMv6-M). A bus error while stacking (STKERR) or fetching the vector
 * (HFSR.VECTTBL) locks up when it cannot escalate.
 */
export function enterException(
  cpu: ThumbCpu,
  n: number,
  returnAddress: number,
  cfsrBit: number,
): number {
  const regs = cpu.regs;
  cpu.cycles += exceptionCycles(cpu);
  const forceAlign = !cpu.v7 || (cpu.scb.ccr & Ccr.STKALIGN) !== 0;
  const spIndex = cpu.activeSp();
  const sp = regs[spIndex]!;
  const realign = forceAlign && (sp & 4) !== 0 ? 1 : 0;
  const frame = ((sp - 0x20) & ~(forceAlign ? 4 : 0)) >>> 0;
  const xpsr = (cpu.xpsr & ~(1 << 9)) | (realign << 9);
  const words = [
    regs[0]!,
    regs[1]!,
    regs[2]!,
    regs[3]!,
    regs[12]!,
    regs[14]!,
    returnAddress & ~1,
    xpsr,
  ];
  try {
    words.forEach((word, i) => cpu.host.write(frame + 4 * i, 4, word));
  } catch (error) {
    if (!(error instanceof BusError)) throw error;
    if (cpu.v7) cpu.scb.cfsr = (cpu.scb.cfsr | Cfsr.STKERR) >>> 0;
    if (n === Exception.HARD_FAULT || executionPriority(cpu) <= -1) {
      enterLockup(cpu);
      return StepEnd.DONE;
    }
    if (cpu.v7) cpu.scb.hfsr = (cpu.scb.hfsr | Hfsr.FORCED) >>> 0;
    return enterException(cpu, Exception.HARD_FAULT, returnAddress, Cfsr.STKERR);
  }
  regs[spIndex] = frame;
  const handlerBefore = cpu.handlerMode;
  const spsel = (cpu.control >>> 1) & 1;
  regs[Reg.LR] = handlerBefore ? 0xfffffff1 : spsel ? 0xfffffffd : 0xfffffff9;
  let vector: number;
  try {
    vector = cpu.host.read(((cpu.v7 ? cpu.scb.vtor : 0) + 4 * n) >>> 0, 4);
  } catch (error) {
    if (!(error instanceof BusError)) throw error;
    if (cpu.v7) cpu.scb.hfsr = (cpu.scb.hfsr | Hfsr.VECTTBL) >>> 0;
    enterLockup(cpu);
    return StepEnd.DONE;
  }
  regs[Reg.PC] = vector & ~1;
  // Flags survive; IT is cleared; T comes from the vector; IPSR is the exception number.
  cpu.xpsr = (cpu.xpsr & 0xf80f0000 & ~0x06000000) | (vector & 1 ? Psr.T : 0) | n;
  cpu.setSpecial(cpu.control & ~2, cpu.faultmask, cpu.basepri, cpu.primask);
  cpu.active[n] = 1;
  cpu.exclusive = undefined;
  return cpu.host.vectorCatch(n, cfsrBit) ? StepEnd.VECTOR_CATCH : StepEnd.DONE;
}

/**
 * ExceptionReturn (B1.5.8): EXC_RETURN 0xFFFFFFF1 returns to handler mode on MSP,
 * 0xFFFFFFF9 to thread mode on MSP, 0xFFFFFFFD to thread mode on PSP; anything else, or a
 * return from an exception that is not active, is a UsageFault INVPC on ARMv7-M (taken
 * with the return still to do) and UNPREDICTABLE on ARMv6-M (lockup here).
 */
export function exceptionReturn(cpu: ThumbCpu, excReturn: number): void {
  const regs = cpu.regs;
  const n = cpu.ipsr;
  const kind = excReturn & 0xf;
  const valid =
    (excReturn & 0x0ffffff0) === 0x0ffffff0 &&
    (kind === 1 || kind === 9 || kind === 0xd) &&
    n < cpu.active.length &&
    cpu.active[n] === 1;
  if (!valid) {
    if (!cpu.v7) {
      enterLockup(cpu);
      return;
    }
    enterFault(cpu, new CpuFault('usage', Cfsr.INVPC), excReturn);
    return;
  }
  cpu.cycles += exceptionCycles(cpu);
  cpu.active[n] = 0;
  const spIndex = kind === 0xd ? Reg.PSP : Reg.MSP;
  const frame = regs[spIndex]!;
  const words: number[] = [];
  try {
    for (let i = 0; i < 8; i++) words.push(cpu.host.read((frame + 4 * i) >>> 0, 4));
  } catch (error) {
    if (!(error instanceof BusError)) throw error;
    if (cpu.v7) cpu.scb.cfsr = (cpu.scb.cfsr | Cfsr.UNSTKERR) >>> 0;
    enterLockup(cpu);
    return;
  }
  const psr = words[7]!;
  const forceAlign = !cpu.v7 || (cpu.scb.ccr & Ccr.STKALIGN) !== 0;
  regs[spIndex] = (frame + 0x20 + (forceAlign && psr & (1 << 9) ? 4 : 0)) >>> 0;
  for (let i = 0; i < 4; i++) regs[i] = words[i]!;
  regs[12] = words[4]!;
  regs[Reg.LR] = words[5]!;
  regs[Reg.PC] = words[6]! & ~1;
  cpu.xpsr = psr & (cpu.v7 ? 0xff0ffdff : 0xf100003f);
  cpu.setSpecial(
    (cpu.control & ~2) | (kind === 0xd ? 2 : 0),
    cpu.faultmask,
    cpu.basepri,
    cpu.primask,
  );
  // Returning from a fault handler clears FAULTMASK (B1.5.8, DeActivate).
  if (cpu.v7 && n !== Exception.NMI) cpu.setSpecial(cpu.control, 0, cpu.basepri, cpu.primask);
  cpu.exclusive = undefined;
}
