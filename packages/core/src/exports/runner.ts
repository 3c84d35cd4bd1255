// `@flashwright/core/runner`: what a front end (the CLI) needs to run a recipe: loading
// recipes and plugins, the pipeline, its events and the flash journal.
export {
  loadRecipe,
  recipeDefaults,
  describeSource,
  type LoadRecipeOptions,
  type ResolvedRecipe,
} from '../config/load-recipe.js';
export type {
  Recipe,
  RecipeImage,
  RecipePlugin,
  RecipeProbe,
  RecipeStep,
  RecipeTarget,
} from '../config/recipe.js';
export type { ValueSource, ValueSourceKind } from '../config/provenance.js';
export { formatIssue, describeOrigin, type RecipeIssue } from '../config/issues.js';
export {
  parseProbeSpec,
  recipeEnvironmentVariables,
  type ProbeSpec,
  type RecipeFlags,
} from '../config/overrides.js';
export { recipeJsonSchema, connectModes } from '../config/schema.js';
export {
  builtinStepIds,
  MASS_ERASE_CONFIRMATION,
  OPTION_BYTES_CONFIRMATION,
  PERMANENT_CONFIRMATION,
  confirmationPhrases,
  type EraseMode,
  type VerifyMode,
} from '../config/steps-schema.js';
export { boardNames, isPathLike } from '../config/extends.js';
export { recipeSearchPlaces } from '../config/search.js';
export { parseAddress, parseRangeSpec, parseSectorList, parseSizeBytes } from '../config/units.js';
export {
  PluginLoader,
  parsePluginSpec,
  resolverFrom,
  type LoadedPlugin,
  type ModuleResolver,
  type PluginLoaderOptions,
  type PluginReference,
} from '../plugin/loader.js';
export {
  builtinFamilies,
  builtinFormats,
  builtinTransports,
  pluginShortNames,
  type PluginKind,
} from '../plugin/known-plugins.js';
export { PluginSet, formatByExtension } from '../plugin/plugin-set.js';
export { loadImage, loadImages } from '../plugin/load-image.js';
export {
  Pipeline,
  runPipeline,
  type PipelineOptions,
  type PipelineResult,
  type PipelineStep,
} from '../pipeline/runner.js';
export { builtinSteps } from '../pipeline/steps/builtin-steps.js';
export { outputFormatFor, writeImageFile, type WriteImageOptions } from '../pipeline/steps/read.js';
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
} from '../events/events.js';
export { FlashJournal, type FlashJournalReport, type FlashRangeState } from '../flash/journal.js';
