import { PLUGIN_API_VERSION, type FlashwrightPlugin } from '@flashwright/core';
import type { ImageFormat, ParseOptions, SerializeOptions } from '@flashwright/core/plugin';
import { parseBin, serializeBin } from './bin-format.js';

export {
  MAX_BIN_BYTES,
  parseBin,
  serializeBin,
  type BinParseOptions,
  type BinWriteOptions,
} from './bin-format.js';

export const PACKAGE_NAME = '@flashwright/format-bin';
export const PACKAGE_VERSION = '0.1.0';

export const binFormat: ImageFormat = {
  id: 'bin',
  description: 'Raw binary (needs a base address)',
  extensions: ['.bin'],
  // Any bytes are a valid binary, so content cannot identify one: only the extension or an
  // explicit format does.
  sniff: () => false,
  parse: (bytes: Uint8Array, options?: ParseOptions) =>
    parseBin(bytes, { fileName: options?.fileName, base: options?.base }),
  serialize: (image, options?: SerializeOptions) => serializeBin(image, { fill: options?.fill }),
};

export function plugin(): FlashwrightPlugin {
  return {
    meta: { name: PACKAGE_NAME, version: PACKAGE_VERSION, apiVersion: PLUGIN_API_VERSION },
    formats: [binFormat],
  };
}
