// `@flashwright/core/runner`: what a front end (the CLI) needs to run a recipe: loading
// recipes and plugins, the pipeline, its events and the flash journal. Plugin and image
// loading are `@flashwright/core/loader`, repeated here.
export * from './loader.js';
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
  RecipeProduction,
  RecipeProbe,
  RecipeStep,
  RecipeTarget,
} from '../config/recipe.js';
export {
  dataEncodings,
  serialEncodings,
  type DataEncoding,
  type RecipeBoardData,
  type RecipeSerial,
  type SerialEncoding,
} from '../config/production-schema.js';
export type { ValueSource, ValueSourceKind } from '../config/provenance.js';
export { formatIssue, describeOrigin, type RecipeIssue } from '../config/issues.js';
export { recipeEnvironmentVariables, type RecipeFlags } from '../config/overrides.js';
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
  Pipeline,
  runPipeline,
  type PipelineOptions,
  type PipelineResult,
  type PipelineStep,
} from '../pipeline/runner.js';
export { builtinSteps } from '../pipeline/steps/builtin-steps.js';
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
