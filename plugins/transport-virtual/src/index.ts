import { PLUGIN_API_VERSION, type FlashwrightPlugin } from '@flashwright/core';
import { createVirtualTransport } from './virtual-transport.js';

export { parseVirtualOptions, type VirtualOptions, type VirtualProbeKind } from './options.js';
export {
  createVirtualTransport,
  DEFAULT_VIRTUAL_DEVICE,
  type SessionFactory,
} from './virtual-transport.js';
export { VirtualProbe } from './virtual-probe.js';
export { generatedSerial, generatedUid, parseBoards, type VirtualBoard } from './boards.js';

export const PLUGIN_NAME = '@flashwright/transport-virtual';
export const PLUGIN_VERSION = '0.1.0';

/** The plugin factory the loader calls for `transport: virtual`. */
export function plugin(): FlashwrightPlugin {
  return {
    meta: { name: PLUGIN_NAME, version: PLUGIN_VERSION, apiVersion: PLUGIN_API_VERSION },
    transports: [createVirtualTransport()],
  };
}
