// Injected into the CommonJS bundles (scripts/bundle.js): what `import.meta` gives an ES
// module source, for a CommonJS file. `resolve` resolves as require() does (core's
// boardsDirectory finds @flashwright/configs with it).
/* global __filename, require */
import { pathToFileURL } from 'node:url';

export const importMetaUrl = pathToFileURL(__filename).href;
export const importMetaResolve = (id) => pathToFileURL(require.resolve(id)).href;
