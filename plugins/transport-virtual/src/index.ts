export { parseVirtualOptions, type VirtualOptions, type VirtualProbeKind } from './options.js';
