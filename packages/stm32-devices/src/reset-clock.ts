/**
 * The system clock each STM32 line runs from after reset: the simulated core runs at it
 * until the RCC selects another clock (packages/sim, src/stm32/sysclk.ts), and the target
 * family estimates what code it runs on the core costs with it (the slowest clock the core
 * runs at when flashwright halts it under reset).
 */
const RESET_SYSCLK_HZ: Readonly<Record<string, number>> = {
  // HSI 8 MHz (RM0360, RM0008, RM0316: RCC chapter, "after reset the HSI is the system clock").
  STM32F0: 8_000_000,
  STM32F1: 8_000_000,
  STM32F3: 8_000_000,
  // HSI 16 MHz (RM0033, RM0090, RM0383, RM0385: RCC chapter).
  STM32F2: 16_000_000,
  STM32F4: 16_000_000,
  STM32F7: 16_000_000,
  // MSI range 5, 65.536 kHz x 32 = 2.097 MHz (RM0367, RM0038: RCC chapter, MSI clock).
  STM32L0: 2_097_152,
  STM32L1: 2_097_152,
  // MSI range 6, 4 MHz (RM0351, RM0432, RM0503, RM0434, RM0461, RM0438: RCC chapter).
  STM32L4: 4_000_000,
  STM32L5: 4_000_000,
  // MSIS range 4, 4 MHz (RM0456, RCC chapter).
  STM32U5: 4_000_000,
  'STM32L4+': 4_000_000,
  STM32U0: 4_000_000,
  STM32WB: 4_000_000,
  STM32WL: 4_000_000,
  // HSI16 (RM0444, RM0440: RCC chapter).
  STM32G0: 16_000_000,
  STM32G4: 16_000_000,
  // HSISYS = HSI48 / 4 at reset (RM0490, RCC chapter).
  STM32C0: 12_000_000,
  // HSI 64 MHz (RM0433, RCC chapter).
  STM32H7: 64_000_000,
};

/** The core clock after reset of a product line, or undefined if not listed. */
export function resetCoreClockHz(line: string): number | undefined {
  return RESET_SYSCLK_HZ[line];
}
