import type { Stm32DeviceData } from '@flashwright/stm32-devices';

/** Register offsets of the L4-family flash controller in one register map. */
export interface L4RegisterMap {
  readonly ACR: number;
  readonly KEYR: number;
  readonly OPTKEYR: number;
  readonly SR: number;
  readonly CR: number;
  readonly OPTR: number;
  /** WRP1AR, WRP1BR (bank 1), WRP2AR, WRP2BR (bank 2): start page [7:0], end page [23:16]. */
  readonly WRP: readonly number[];
  /** PCROP1SR, PCROP1ER, PCROP2SR, PCROP2ER where they read fixed values (l4-options.ts). */
  readonly PCROP: readonly number[];
}

/** STM32L4/L4+, G0, G4, WB, WL, C0, U0: FLASH_TypeDef of CMSIS-L4 stm32l476xx.h and its kin. */
const l4Map: L4RegisterMap = {
  ACR: 0x00,
  KEYR: 0x08,
  OPTKEYR: 0x0c,
  SR: 0x10,
  CR: 0x14,
  OPTR: 0x20,
  WRP: [0x2c, 0x30, 0x4c, 0x50],
  PCROP: [0x24, 0x28, 0x44, 0x48],
};

/**
 * STM32L5 and U5 with TrustZone disabled (OPTR.TZEN = 0): the non-secure registers NSKEYR,
 * NSSR and NSCR, which carry the L4 bits (RM0438 and RM0456 "FLASH register map"; CMSIS-L5
 * stm32l552xx.h and CMSIS-U5 stm32u585xx.h FLASH_TypeDef; OpenOCD src/flash/nor/stm32l4x.c
 * uses the same offsets). The secure registers are not modelled.
 */
const l5u5NonSecureMap: L4RegisterMap = {
  ACR: 0x00,
  KEYR: 0x08,
  OPTKEYR: 0x10,
  SR: 0x20,
  CR: 0x28,
  OPTR: 0x40,
  WRP: [0x58, 0x5c, 0x68, 0x6c],
  PCROP: [],
};

export function l4RegisterMap(device: Stm32DeviceData): L4RegisterMap {
  return device.controller.kind === 'l5-u5' ? l5u5NonSecureMap : l4Map;
}

/**
 * The program unit: a double word on the L4 family and L5, a quad word on U5 (RM0456
 * "Flash memory programming": 128-bit, four 32-bit writes, programming starts on the fourth).
 */
export function l4ProgramUnitBytes(device: Stm32DeviceData): number {
  return device.controller.kind === 'l5-u5' && typeof device.writeUnitBytes === 'number'
    ? device.writeUnitBytes
    : 8;
}
