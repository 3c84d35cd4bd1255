export { createStm32Chip, defaultFlashSizeRaw, type Stm32ChipOptions } from './create-chip.js';
export { Stm32Chip, SRAM_BASE, type Stm32ChipState } from './chip.js';
export type { FlashController, RdpLevel } from './controller.js';
export type { FactoryInfo } from './factory-info.js';
