import nrfIntelHex from 'nrf-intel-hex';

/**
 * nrf-intel-hex's MemoryMap class. Its typings declare an ES default export, but Node loads
 * the package's CommonJS build, whose module.exports is the class itself; so the default
 * import already is the class at run time. This is the one place that cast lives.
 */
export const MemoryMap = nrfIntelHex as unknown as typeof nrfIntelHex.default;
export type MemoryMap = InstanceType<typeof MemoryMap>;
