import {
  type OptionFieldData,
  optionLayouts,
  type Stm32DeviceData,
} from '@flashwright/stm32-devices';

/**
 * The option fields a device offers: its layout, without the bank-2 fields of a part that
 * runs single-bank (their registers are not there to read).
 */
export function availableOptionFields(data: Stm32DeviceData, dualBank: boolean): OptionFieldData[] {
  const bank2Registers = new Set(['WRP2AR', 'WRP2BR', 'WPSN2', 'OPTCR1']);
  return optionLayouts[data.optionLayout].filter((field) => {
    if (!bank2Registers.has(field.register) || dualBank) return true;
    // OPTCR1 also holds the F7 boot addresses, which exist whatever the bank mode.
    return field.register === 'OPTCR1' && data.optionLayout !== 'f4-dual';
  });
}
