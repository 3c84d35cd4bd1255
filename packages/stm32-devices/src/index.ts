export { stm32Devices } from './generated/devices.js';
export { parsePartNumber, type PartNumber } from './part-numbers.js';
export { ramRegionsOf, type RamRegion } from './part-ram.js';
export { resetCoreClockHz } from './reset-clock.js';
export {
  decodeFlashSizeKiB,
  bankLayout,
  flashBanks,
  isDualBank,
  type FlashBankLayout,
  type LayoutOptions,
} from './layout.js';
export {
  optionLayouts,
  type OptionFieldData,
  type OptionRegisterName,
  type OptionRoleData,
} from './option-layouts.js';
export type {
  BankSelect,
  DualBankModeBit,
  DualBankSpec,
  OptionLayoutId,
  ControllerKind,
  CoreKind,
  FlashLayout,
  FlashSizeDecode,
  Stm32DeviceData,
} from './types.js';
import { stm32Devices } from './generated/devices.js';
import type { Stm32DeviceData } from './types.js';

/** The entry for a DBGMCU DEV_ID, or undefined when the id is unknown. */
export function findStm32Device(devId: number): Stm32DeviceData | undefined {
  return stm32Devices.find((d) => d.devId === devId);
}
