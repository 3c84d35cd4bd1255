export { ExitCode } from './errors/exit-codes.js';
export { catalogue, type CatalogueEntry, type ErrorCode } from './errors/catalogue.js';
export {
  FlashwrightError,
  exitCodeOf,
  isFlashwrightError,
  type FlashwrightErrorOptions,
  type RecipeSource,
} from './errors/flashwright-error.js';
export {
  type AddressRange,
  formatAddress,
  formatRange,
  mergeRanges,
  rangeContains,
  rangeLength,
  rangesOverlap,
  subtractRanges,
} from './image/address-range.js';
export { FlashImage, bytesEqual, concatBytes, type NamedImage } from './image/flash-image.js';
export type { AccessWidth, MemoryAccessOptions, MemoryPort } from './ports/memory-port.js';
export * from './plugin/types.js';
export {
  Aircr,
  CoreRegister,
  CortexM,
  Demcr,
  Dhcsr,
  Scs,
  decodeCpuId,
  type CpuId,
} from './arm/cortex-m.js';
export {
  FlashJournal,
  type FlashJournalReport,
  type FlashRangeState,
} from './pipeline/flash-journal.js';
export { sleep, throwIfAborted, withTimeout } from './util/abort.js';
