import { PLUGIN_API_VERSION, type FlashwrightPlugin } from '@flashwright/core';
import type { ImageFormat, ParseOptions } from '@flashwright/core/plugin';
import { parseIntelHex } from './parse-ihex.js';
import { serializeIntelHex } from './serialize-ihex.js';
import { sniffIntelHex } from './sniff.js';

export { IntelHexRecord, parseIntelHex, walkIntelHex } from './parse-ihex.js';
export { serializeIntelHex, startLinearAddressRecord } from './serialize-ihex.js';
export { sniffIntelHex } from './sniff.js';

export const PACKAGE_NAME = '@flashwright/format-ihex';
export const PACKAGE_VERSION = '0.1.0';

export const ihexFormat: ImageFormat = {
  id: 'ihex',
  description: 'Intel HEX (record types 00-05)',
  extensions: ['.hex', '.ihex', '.ihx'],
  sniff: sniffIntelHex,
  parse: (bytes: Uint8Array, options?: ParseOptions) =>
    parseIntelHex(bytes, { fileName: options?.fileName }),
  serialize: (image) => serializeIntelHex(image),
};

export function plugin(): FlashwrightPlugin {
  return {
    meta: { name: PACKAGE_NAME, version: PACKAGE_VERSION, apiVersion: PLUGIN_API_VERSION },
    formats: [ihexFormat],
  };
}
