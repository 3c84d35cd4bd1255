import {
  type OptionFieldData,
  optionLayouts,
  type Stm32DeviceData,
} from '@flashwright/stm32-devices';

/**
 * The option fields a device offers: its layout, without the bank-2 fields of a part that
 * runs single-bank (their registers are not there to read), and without L0/L1 write-protect
 * words beyond the flash (one 16-bit word per 16 sectors of 4 KiB: a 64 KiB L0 has WRP01
 * only, and reading the next option word faults).
 */
export function availableOptionFields(
  data: Stm32DeviceData,
  dualBank: boolean,
  flashKiB: number,
): OptionFieldData[] {
  const bank2Registers = new Set(['WRP2AR', 'WRP2BR', 'WPSN2', 'OPTCR1']);
  return optionLayouts[data.optionLayout].filter((field) => {
    if (field.register === 'WRP23') return flashKiB > 64;
    if (!bank2Registers.has(field.register) || dualBank) return true;
    // OPTCR1 also holds the F7 boot addresses, which exist whatever the bank mode.
    return field.register === 'OPTCR1' && data.optionLayout !== 'f4-dual';
  });
}
