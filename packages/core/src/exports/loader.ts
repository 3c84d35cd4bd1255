// `@flashwright/core/loader`: loading plugins and image files, for front ends that need no
// recipe (`flashwright convert`, `devices`, `probes`). Nothing here loads the recipe schema
// (zod), YAML or the pipeline, so a command that needs only this starts fast.
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
export {
  loadImage,
  loadImages,
  reusingImageLoader,
  type ImageLoader,
} from '../plugin/load-image.js';
export { outputFormatFor, writeImageFile, type WriteImageOptions } from '../plugin/write-image.js';
export { parseProbeSpec, type ProbeSpec } from '../config/overrides.js';
