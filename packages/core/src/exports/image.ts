// `@flashwright/core/image`: the image model, address ranges and how core words them.
export {
  type AddressRange,
  formatAddress,
  formatRange,
  mergeRanges,
  rangeContains,
  rangeLength,
  rangesOverlap,
  subtractRanges,
} from '../image/address-range.js';
export { FlashImage, bytesEqual, concatBytes, type NamedImage } from '../image/flash-image.js';
export { formatBytes, formatRanges } from '../image/units-text.js';
// Widens blocks to whole write units (the example plugin's stamp step uses it).
