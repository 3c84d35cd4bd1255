import type { Stm32DeviceData } from '@flashwright/stm32-devices';

/**
 * Addresses of the three 32-bit words of the 96-bit unique device ID (U_ID[31:0] first).
 * Contiguous on most lines (e.g. RM0383 STM32F411 section 24.2 "Unique device ID register
 * (96 bits)", base 0x1FFF7A10); STM32L0/L1 leave a gap before the last word: 0x1FF80050,
 * 0x1FF80054 and 0x1FF80064 on L1 (RM0038 section 31.2), offsets 0x00, 0x04 and 0x14 on L0
 * (RM0377 section 28.2). Undefined when the device data has no UID address.
 */
export function uniqueIdWordAddresses(data: Stm32DeviceData): readonly number[] | undefined {
  const base = data.uidAddress;
  if (base === undefined) return undefined;
  if (data.controller.kind === 'l0-l1') return [base, base + 4, base + 0x14];
  return [base, base + 4, base + 8];
}
