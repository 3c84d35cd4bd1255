/**
 * All of core that the commands use: errors, the runner (recipes, plugins, pipeline),
 * images and doctor. Only imported with import() (see runCommand): one module, so that a
 * bundle loads it as few files.
 */
export * from '@flashwright/core';
export * from '@flashwright/core/diagnose';
export * from '@flashwright/core/image';
export * from '@flashwright/core/runner';
