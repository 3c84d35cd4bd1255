import type { Stm32DeviceData } from '@flashwright/stm32-devices';

/**
 * Typical time to program one write unit, in microseconds, from the datasheets' "Flash memory
 * characteristics" tables (tprog, typical column), so that core's planner knows what writing
 * an erased gap through costs against starting another transfer. Where a line has no figure
 * of its own, the one of the line whose flash it shares stands in, as noted.
 */
const usPerOperation: Readonly<Record<string, number>> = {
  // DS5319 (STM32F103x8/xB) §5.3.9 Table 28: 16-bit programming time, 52.5 µs typical.
  STM32F1: 52.5,
  // DS9773 (STM32F030x4/x6/x8/xC) "Flash memory characteristics": 53.5 µs typical.
  STM32F0: 53.5,
  // No F3 figure collected: the F1 (DS5319) figure stands in.
  STM32F3: 52.5,
  // DS10314 (STM32F411xC/xE) "Flash memory programming": word programming, 16 µs typical,
  // whatever the parallelism. F2 and F7: no figure collected, the F4 one stands in.
  STM32F2: 16,
  STM32F4: 16,
  STM32F7: 16,
  // DS10198 (STM32L476xx) "Flash memory characteristics": 64-bit programming, 81.7 µs typ.
  // L4+, WB and WL (the same double-word controller): no figure collected, L4's stands in.
  STM32L4: 81.7,
  'STM32L4+': 81.7,
  STM32WB: 81.7,
  STM32WL: 81.7,
  // DS12232 (STM32G071x8/xB) "Flash memory characteristics": 64-bit programming, 85 µs typ.
  // G4, C0 and U0: no figure collected, G0's stands in.
  STM32G0: 85,
  STM32G4: 85,
  STM32C0: 85,
  STM32U0: 85,
  // L5, U3, U5 and WBA: no figure collected; one L4 double-word operation (DS10198) stands
  // in for each of their program units (double or quad word).
  STM32L5: 81.7,
  STM32U3: 81.7,
  STM32U5: 81.7,
  STM32WBA: 81.7,
};

/**
 * DS6876 (STM32L151x6/8/B) "Flash memory and data EEPROM characteristics": programming a
 * word or a half-page takes the same 3.28 ms typical; the L0 has no figure collected, the L1
 * one stands in (the same NVM design).
 */
const L0_L1_PROGRAM_US = 3280;

/**
 * DS12110 (STM32H742/743/750/753) Table 53: one 256-bit flash word, 100 µs typical at x64
 * parallelism, 130 µs at x32. H7A/B (128-bit words): no figure collected, H74x's stands in.
 */
function h7FlashWordUs(parallelismBytes: number): number {
  return parallelismBytes >= 8 ? 100 : 130;
}

/**
 * How the controller programs: its write unit's typical time, and the half-page where the
 * controller programs one in the time of one word (L0/L1: 16 or 32 words). Undefined
 * where no figure is known (H5, which has no algorithm yet).
 */
export function programTiming(
  data: Stm32DeviceData,
  writeUnitBytes: number,
  parallelismBytes: number,
): { usPerUnit: number | undefined; pageBytes?: number } {
  switch (data.controller.kind) {
    case 'l0-l1': {
      const half = data.halfPageBytes ?? 128;
      return { usPerUnit: L0_L1_PROGRAM_US / (half / writeUnitBytes), pageBytes: half };
    }
    case 'h7':
      return { usPerUnit: h7FlashWordUs(parallelismBytes) };
    default:
      return { usPerUnit: usPerOperation[data.line] };
  }
}
