/**
 * The parts of core the commands use: errors, the runner (recipes, plugins, pipeline),
 * images and doctor. Only imported with import() (see runCommand): one module, so that a
 * bundle loads it as few files. Named one by one, so that a bundle leaves out what no
 * command runs (e.g. the JSON Schema generator behind recipeJsonSchema).
 */
export { FlashwrightError, isFlashwrightError } from '@flashwright/core';
export {
  diagnosisError,
  doctorCheckIds,
  doctorCheckTitles,
  runDoctor,
} from '@flashwright/core/diagnose';
export { formatAddress, formatBytes, formatRange, formatRanges } from '@flashwright/core/image';
export {
  Pipeline,
  PluginLoader,
  PluginSet,
  builtinFamilies,
  builtinTransports,
  describeSource,
  loadImage,
  loadRecipe,
  outputFormatFor,
  parseProbeSpec,
  parseRangeSpec,
  parseSectorList,
  resolverFrom,
  sourcesByKeyPath,
  writeImageFile,
} from '@flashwright/core/runner';
