import { FlashwrightError, isFlashwrightError } from '@flashwright/core';
import type { MemoryPort } from '@flashwright/core/plugin';
import { stm32Devices } from '@flashwright/stm32-devices';

/**
 * DBGMCU_IDCODE addresses by core (OpenOCD src/flash/nor/stm32l4x.h DBGMCU_IDCODE_*, stm32h7x.c,
 * stm32f1x.c stm32x_get_property_addr; stlink-org common.c stlink_chip_id).
 */
export const IdcodeAddress = {
  /** Cortex-M3/M4/M7 (F1-F4, F7, L1, L4, G4, WB, WL). */
  armv7m: 0xe0042000,
  /** Cortex-M0/M0+ (F0, L0, G0, C0, U0). */
  armv6m: 0x40015800,
  /** Cortex-M33 (L5, U5, U3, WBA, H5). */
  armv8m: 0xe0044000,
  /** STM32H7 (Cortex-M7 with its DBGMCU on the D3 domain). */
  h7: 0x5c001000,
} as const;

const CORTEX_M0 = 0xc20;
const CORTEX_M0P = 0xc60;
const CORTEX_M7 = 0xc27;
const CORTEX_M33 = 0xd21;
const CORTEX_M4 = 0xc24;

/**
 * Where to look for DBGMCU_IDCODE, most likely first for the core, then the others: OpenOCD's
 * stm32l4_read_idcode probes several addresses and takes the first plausible answer.
 */
export function idcodeCandidates(cpuPartNo: number): number[] {
  const all = [IdcodeAddress.armv7m, IdcodeAddress.armv8m, IdcodeAddress.armv6m, IdcodeAddress.h7];
  let first: number[];
  switch (cpuPartNo) {
    case CORTEX_M0:
    case CORTEX_M0P:
      first = [IdcodeAddress.armv6m];
      break;
    case CORTEX_M33:
      first = [IdcodeAddress.armv8m];
      break;
    case CORTEX_M7:
      first = [IdcodeAddress.armv7m, IdcodeAddress.h7];
      break;
    default:
      first = [IdcodeAddress.armv7m];
  }
  return [...first, ...all.filter((a) => !first.includes(a))];
}

export interface Idcode {
  readonly raw: number;
  readonly address: number;
  readonly devId: number;
  readonly revId: number;
}

export function decodeIdcode(raw: number, address: number): Idcode {
  return { raw: raw >>> 0, address, devId: raw & 0xfff, revId: (raw >>> 16) & 0xffff };
}

/** DEV_ID 0x000 and 0xFFF are what unmapped or unpowered addresses read. */
export function isPlausibleDevId(devId: number): boolean {
  return devId !== 0x000 && devId !== 0xfff;
}

export interface DevIdCorrection {
  readonly devId: number;
  readonly note?: string;
}

/**
 * Known wrong answers: STM32F4 revision A reports the F2 id 0x411; a Cortex-M4 core tells it
 * apart (OpenOCD stm32f2x.c stm32x_get_device_id, stlink common.c).
 */
export function correctDevId(devId: number, cpuPartNo: number): DevIdCorrection {
  if (devId === 0x411 && cpuPartNo === CORTEX_M4) {
    return {
      devId: 0x413,
      note: 'DEV_ID reads 0x411 (STM32F2) on a Cortex-M4: an STM32F4 revision A, treated as 0x413',
    };
  }
  return { devId };
}

/** GigaDevice parts that answer with DEV_ID 0x410 and these REV_IDs (OpenOCD stm32f1x.c). */
const gd32RevIds: Readonly<Record<number, string>> = {
  0x1303: 'GD32F1x0',
  0x1704: 'GD32F3x0',
  0x1909: 'GD32E23x',
  0x1906: 'GD32VF103',
};

export function cloneNote(idcode: Idcode): string | undefined {
  const clone = idcode.devId === 0x410 ? gd32RevIds[idcode.revId] : undefined;
  return clone === undefined
    ? undefined
    : `REV_ID 0x${idcode.revId.toString(16)} with DEV_ID 0x410 is a GigaDevice ${clone}, not an ST part; its flash may differ from the STM32F1 it imitates`;
}

/** WL5x CPU2 (Cortex-M0+) cannot read DBGMCU_IDCODE; UID64 tells the part (OpenOCD stm32l4x.c). */
const UID64_DEVNUM = 0x1fff7584;
const WL5_UID64_DEVNUM = 0x0080e115;

/**
 * STM32WB0x and WL3x (the BlueNRG-LP line) have no DBGMCU: SYSCFG JTAG_ID at 0x40000004 names
 * the die (ST's manufacturer code 0x041 in bits 11:0, the part number in 27:12) and DIE_ID at
 * 0x40000000 the revision (OpenOCD src/flash/nor/bluenrg-x.c; the packs' SVD SYSCFG).
 */
export const BlueNrgIdAddress = { jtagId: 0x40000004, dieId: 0x40000000 } as const;
const ST_JEDEC = 0x041;
const blueNrgParts = new Set(
  stm32Devices.filter((d) => d.controller.kind === 'bluenrg-lp').map((d) => d.devId),
);

async function readBlueNrgId(
  memory: MemoryPort,
  signal?: AbortSignal,
): Promise<Idcode | undefined> {
  const raw = await readOrUndefined(memory, BlueNrgIdAddress.jtagId, signal);
  if (raw === undefined || (raw & 0xfff) !== ST_JEDEC) return undefined;
  const part = (raw >>> 12) & 0xffff;
  if (!blueNrgParts.has(part)) return undefined;
  const die = (await readOrUndefined(memory, BlueNrgIdAddress.dieId, signal)) ?? 0;
  return { raw: raw >>> 0, address: BlueNrgIdAddress.jtagId, devId: part, revId: die & 0xfff };
}

/**
 * Reads DBGMCU_IDCODE at the candidate addresses and returns the first plausible one. A read
 * that faults (the address is not mapped on this chip) moves on to the next candidate. A
 * Cortex-M0+ is first asked for the BlueNRG-LP JTAG_ID (on the STM32 M0+ lines that address
 * is TIM2, which reads 0 or faults, never ST's JEDEC code with a known part number).
 */
export async function readIdcode(
  memory: MemoryPort,
  cpuPartNo: number,
  signal?: AbortSignal,
): Promise<Idcode | undefined> {
  if (cpuPartNo === CORTEX_M0P) {
    const blueNrg = await readBlueNrgId(memory, signal);
    if (blueNrg !== undefined) return blueNrg;
  }
  for (const address of idcodeCandidates(cpuPartNo)) {
    const raw = await readOrUndefined(memory, address, signal);
    if (raw !== undefined && isPlausibleDevId(raw & 0xfff)) return decodeIdcode(raw, address);
  }
  if (cpuPartNo === CORTEX_M0P) {
    const uid = await readOrUndefined(memory, UID64_DEVNUM, signal);
    if (uid === WL5_UID64_DEVNUM) return decodeIdcode(0x497, UID64_DEVNUM);
  }
  return undefined;
}

async function readOrUndefined(
  memory: MemoryPort,
  address: number,
  signal?: AbortSignal,
): Promise<number | undefined> {
  try {
    return await memory.read32(address, signal);
  } catch (error) {
    if (isFlashwrightError(error) && error.code === 'TARGET_FAULT') return undefined;
    throw error;
  }
}

/** CPUID read failures and nonsense both mean nothing answers on the debug port. */
export function noResponse(cause: unknown, raw?: number): FlashwrightError {
  const what =
    raw === undefined
      ? 'reading CPUID (0xE000ED00) failed'
      : `CPUID (0xE000ED00) reads 0x${(raw >>> 0).toString(16).toUpperCase()}`;
  return new FlashwrightError('TARGET_NO_RESPONSE', `No Cortex-M core answers: ${what}`, {
    cause,
  });
}
