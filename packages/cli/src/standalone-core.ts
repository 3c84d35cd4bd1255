/**
 * The parts of core that convert, devices and probes use (see runStandaloneCommand). Only
 * imported with import(); core/loader holds no recipe loader (zod, yaml) and no pipeline,
 * so a bundle keeps those out of the chunks these commands load.
 */
export { FlashwrightError, isFlashwrightError } from '@flashwright/core';
export { formatAddress, formatBytes, formatRange, formatRanges } from '@flashwright/core/image';
export {
  PluginLoader,
  PluginSet,
  builtinFamilies,
  builtinTransports,
  loadImage,
  outputFormatFor,
  parseProbeSpec,
  resolverFrom,
  writeImageFile,
} from '@flashwright/core/loader';
