import { PLUGIN_API_VERSION, type FlashwrightPlugin } from '@flashwright/core';
import type { ImageFormat, ParseOptions } from '@flashwright/core/plugin';
import { parseSrec } from './parse-srec.js';
import { serializeSrec } from './serialize-srec.js';
import { sniffSrec } from './sniff.js';

export { parseSrec, walkSrec } from './parse-srec.js';
export { serializeSrec, type SrecWriteOptions } from './serialize-srec.js';
export { sniffSrec } from './sniff.js';

export const PACKAGE_NAME = '@flashwright/format-srec';
export const PACKAGE_VERSION = '0.1.0';

export const srecFormat: ImageFormat = {
  id: 'srec',
  description: 'Motorola S-record (S0-S3, S5/S6, S7-S9)',
  extensions: ['.srec', '.s19', '.s28', '.s37', '.mot', '.sx', '.srecord'],
  sniff: sniffSrec,
  parse: (bytes: Uint8Array, options?: ParseOptions) =>
    parseSrec(bytes, { fileName: options?.fileName }),
  serialize: (image) => serializeSrec(image),
};

export function plugin(): FlashwrightPlugin {
  return {
    meta: { name: PACKAGE_NAME, version: PACKAGE_VERSION, apiVersion: PLUGIN_API_VERSION },
    formats: [srecFormat],
  };
}
