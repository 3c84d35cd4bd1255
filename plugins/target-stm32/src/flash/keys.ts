import { FlashwrightError, isFlashwrightError } from '@flashwright/core';
import type { MemoryPort } from '@flashwright/core/plugin';
import { hex } from './wait.js';

/**
 * Flash key pairs, as each family's CMSIS device header and HAL flash driver define them (the
 * L0/L1 pairs: HAL-L1 stm32l1xx_hal_flash.h) and OpenOCD's src/flash/nor/stm32*x.c write them.
 */
export const Keys = {
  /** KEYR on F0/F1/F3, F2/F4/F7, L4 family, H7; also OPTKEYR on F0/F1/F3. */
  flash: [0x45670123, 0xcdef89ab],
  /** OPTKEYR on F2/F4/F7, L4 family and H7. */
  option: [0x08192a3b, 0x4c5d6e7f],
  /** L0/L1 PEKEYR (unlocks PECR and data EEPROM). */
  lxPecr: [0x89abcdef, 0x02030405],
  /** L0/L1 PRGKEYR (program memory). */
  lxProgram: [0x8c9daebf, 0x13141516],
  /** L0/L1 OPTKEYR (option bytes). */
  lxOption: [0xfbead9c8, 0x24252627],
} as const;

export interface UnlockStep {
  readonly memory: MemoryPort;
  /** Register holding the lock bit, and the bit. */
  readonly lockRegister: number;
  readonly lockMask: number;
  readonly keyRegister: number;
  readonly keys: readonly [number, number];
  readonly what: string;
}

/**
 * Writes the key pair when the lock bit is set, then checks it cleared. Only when locked: a
 * second key sequence on an unlocked controller locks it until reset on several families.
 */
export async function unlockWithKeys(step: UnlockStep): Promise<void> {
  const { memory, lockRegister, lockMask, keyRegister, keys, what } = step;
  if (((await memory.read32(lockRegister)) & lockMask) === 0) return;
  try {
    await memory.write32(keyRegister, keys[0]);
    await memory.write32(keyRegister, keys[1]);
  } catch (error) {
    // A controller locked until reset by an earlier wrong key answers its key register with
    // a bus error (RM0090 §3.5.1, RM0440 §3.3.5, RM0477 FLASH_KEYR): the fault means locked.
    if (!isFlashwrightError(error) || error.code !== 'TARGET_FAULT') throw error;
    throw new FlashwrightError(
      'FLASH_LOCKED',
      `${what} refused the key sequence with a bus error (0x${hex(keyRegister)}): locked until reset`,
      { cause: error },
    );
  }
  const after = await memory.read32(lockRegister);
  if ((after & lockMask) !== 0) {
    throw new FlashwrightError(
      'FLASH_LOCKED',
      `${what} stays locked after the key sequence (0x${hex(lockRegister)} = 0x${hex(after)})`,
    );
  }
}

/**
 * Opens the option control register of F2/F4/F7 and H7: OPTCR.OPTLOCK (bit 0 on both,
 * FLASH_OPTCR_OPTLOCK in CMSIS-F4 stm32f407xx.h and CMSIS-H7 stm32h743xx.h) with the OPTKEYR
 * key pair.
 */
export function unlockOptionControl(
  memory: MemoryPort,
  optcr: number,
  optkeyr: number,
): Promise<void> {
  return unlockWithKeys({
    memory,
    lockRegister: optcr,
    lockMask: 1 << 0,
    keyRegister: optkeyr,
    keys: Keys.option,
    what: 'Option control register',
  });
}
