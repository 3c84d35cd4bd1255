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
export {
  partialWriteOf,
  withPartialWrite,
  type AccessWidth,
  type MemoryAccessOptions,
  type MemoryPort,
  type PartialWrite,
} from './ports/memory-port.js';
export * from './plugin/types.js';
export {
  fieldsWithRole,
  unprotectedValues,
  writeProtectedRanges,
  type FieldWithRole,
} from './plugin/option-roles.js';
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
export { FlashJournal, type FlashJournalReport, type FlashRangeState } from './flash/journal.js';
export { sleep, throwIfAborted, withTimeout } from './util/abort.js';
export { MAX_FILE_BYTES, readInputFile, type InputFileOptions } from './util/bounded-file.js';
export {
  loadRecipe,
  recipeDefaults,
  describeSource,
  type LoadRecipeOptions,
  type ResolvedRecipe,
} from './config/load-recipe.js';
export type {
  Recipe,
  RecipeImage,
  RecipePlugin,
  RecipeProbe,
  RecipeStep,
  RecipeTarget,
} from './config/recipe.js';
export type { ValueSource, ValueSourceKind } from './config/provenance.js';
export { formatIssue, describeOrigin, type RecipeIssue } from './config/issues.js';
export {
  parseProbeSpec,
  recipeEnvironmentVariables,
  type ProbeSpec,
  type RecipeFlags,
} from './config/overrides.js';
export { recipeJsonSchema, connectModes } from './config/schema.js';
export {
  builtinStepIds,
  MASS_ERASE_CONFIRMATION,
  OPTION_BYTES_CONFIRMATION,
  PERMANENT_CONFIRMATION,
  confirmationPhrases,
  type EraseMode,
  type VerifyMode,
} from './config/steps-schema.js';
export { boardNames, isPathLike } from './config/extends.js';
export { recipeSearchPlaces } from './config/search.js';
export { parseAddress, parseSizeBytes } from './config/units.js';
export { didYouMean } from './util/did-you-mean.js';
export {
  PluginLoader,
  parsePluginSpec,
  pluginShortNames,
  resolverFrom,
  type LoadedPlugin,
  type ModuleResolver,
  type PluginLoaderOptions,
  type PluginReference,
} from './plugin/loader.js';
export {
  Pipeline,
  runPipeline,
  type PipelineOptions,
  type PipelineResult,
  type PipelineStep,
} from './pipeline/runner.js';
export type {
  DeviceEvent,
  EventSink,
  ImageSummary,
  JournalSummary,
  MessageEvent,
  PipelineEvent,
  PlanEvent,
  PlannedStep,
  ProbeEvent,
  ProgressEvent,
  StepEndEvent,
  StepStartEvent,
} from './events/events.js';
export {
  PluginSet,
  builtinFamilies,
  builtinFormats,
  formatByExtension,
} from './plugin/plugin-set.js';
export {
  alignToUnits,
  chunkRanges,
  dropErasedUnits,
  planFlash,
  splitForProgramming,
  type FlashPlan,
} from './pipeline/flash-plan.js';
export { loadImage, loadImages } from './plugin/load-image.js';
export { builtinSteps } from './pipeline/steps/builtin-steps.js';
export { outputFormatFor, writeImageFile, type WriteImageOptions } from './pipeline/steps/read.js';
export { parseOptionValue } from './plugin/option-values.js';
export { formatBytes, formatRanges } from './image/units-text.js';
export {
  doctorCheckIds,
  doctorCheckTitles,
  diagnosisError,
  type Diagnosis,
  type DoctorCheckId,
  type Verdict,
} from './diagnose/diagnosis.js';
export { runDoctor, type DoctorOptions } from './diagnose/doctor.js';
export type { DoctorCheckEvent, DoctorEvent, DoctorReport } from './diagnose/doctor-report.js';
export { MIN_TARGET_VOLTAGE_V } from './diagnose/probe-checks.js';
export { optionHazards, type ExplainedHazard } from './diagnose/option-byte-checks.js';
export { recoveryAdvice } from './diagnose/recovery.js';
