/**
 * `@flashwright/core`: what every package needs, a plugin's entry point included: the
 * errors with their codes and exit codes, and the plugin manifest. The rest of core is in
 * its subpaths (see package.json `exports`):
 *
 * - `@flashwright/core/plugin`: the contracts plugins implement (transports, probes, target
 *   families and devices, image formats, steps) and helpers for writing them;
 * - `@flashwright/core/image`: FlashImage and address ranges;
 * - `@flashwright/core/arm`: Cortex-M debug registers;
 * - `@flashwright/core/adiv5`: the ADIv5 layer (SW-DP, APs, MEM-AP) for raw-DAP probes;
 * - `@flashwright/core/runner`: recipes, the plugin loader, the pipeline and its events;
 * - `@flashwright/core/diagnose`: `doctor` and the shared explanations.
 */
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
  PLUGIN_API_VERSION,
  type FlashwrightPlugin,
  type PluginFactory,
  type PluginMeta,
} from './plugin/types.js';
