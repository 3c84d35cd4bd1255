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
 * STM32L5, U5, U3 and WBA with TrustZone disabled (OPTR.TZEN = 0): the non-secure registers
 * NSKEYR, NSSR and NSCR (NSCR1 on WBA, CR on U3), which carry the L4 bits (RM0438, RM0456,
 * RM0487, RM0493 and RM0515 "FLASH register map"; FLASH_TypeDef of CMSIS-L5 stm32l552xx.h,
 * CMSIS-U5 stm32u585xx.h, CMSIS-U3 stm32u385xx.h, CMSIS-WBA stm32wba55xx.h and
 * stm32wba65xx.h; OpenOCD src/flash/nor/stm32l4x.c uses the same offsets). Single-bank WBA5x
 * and WBA2x have WRPAR/WRPBR at the WRP1 offsets and nothing at the WRP2 ones. The secure
 * registers are not modelled.
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
 * The program unit: a double word on the L4 family, L5, U3 and WBA2x, a quad word on U5,
 * WBA5x and WBA6x (RM0456 "Flash memory programming": 128-bit, four 32-bit writes,
 * programming starts on the fourth; HAL-U3 FLASH_TYPEPROGRAM_DOUBLEWORD, HAL-WBA
 * FLASH_TYPEPROGRAM_QUADWORD unless FLASH_DOUBLEWORD_SUPPORT): the device data's unit.
 */
export function l4ProgramUnitBytes(device: Stm32DeviceData): number {
  return device.controller.kind === 'l5-u5' && typeof device.writeUnitBytes === 'number'
    ? device.writeUnitBytes
    : 8;
}

/**
 * Width of CR.PNB (page number within the bank, from bit 3). L4 family: up to BKER (or bit
 * 13 where there is none). TrustZone-era parts, from their CMSIS headers' FLASH_NSCR_PNB_Msk
 * / FLASH_CR_PNB_Msk / FLASH_NSCR1_PNB_Msk: 7 bits on L5, U3 0x454 and WBA, 8 bits on U5
 * and U3 0x42A; the bits above are reserved and ignored.
 */
export function l4PageNumberBits(device: Stm32DeviceData, bkerBit: number | undefined): number {
  if (device.controller.kind !== 'l5-u5') return (bkerBit ?? 13) - 3;
  return device.line === 'STM32U5' || device.devId === 0x42a ? 8 : 7;
}

/**
 * Fast programming (CR.FSTPG, SR.MISSERR/FASTERR) belongs to the L4 family only: on L5, U5,
 * U3 and WBA bit 18 of NSCR and bits 8-9 of NSSR are reserved (CMSIS headers above).
 */
export function l4HasFastProgramming(device: Stm32DeviceData): boolean {
  return device.controller.kind !== 'l5-u5';
}

/**
 * NSSR.WDW (bit 17), "wait data to write": set while a program unit has been started and
 * waits for its remaining words (U5, U3, WBA: FLASH_NSSR_WDW in their CMSIS headers; L5 has
 * no such bit).
 */
export function l4HasWaitDataFlag(device: Stm32DeviceData): boolean {
  return device.controller.kind === 'l5-u5' && device.line !== 'STM32L5';
}
