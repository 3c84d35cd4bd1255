import { type FlashwrightPlugin, PLUGIN_API_VERSION } from '@flashwright/core';
import { stm32Family } from './family.js';

export { stm32Family } from './family.js';
export { describeDevice, describePart, deviceDescriptors, layoutOfPart } from './descriptors.js';
export { identifyStm32 } from './identify/identify.js';
export { resolveFlashSize, readFlashSizeRegister, type FlashSize } from './identify/flash-size.js';
export { correctDevId, decodeIdcode, idcodeCandidates, IdcodeAddress } from './identify/idcode.js';
export { Stm32Device } from './device/stm32-device.js';
export { matchesDeviceName, deviceName } from './device/naming.js';

/** The plugin factory the loader calls (`target.family: stm32`). */
export function plugin(): FlashwrightPlugin {
  return {
    meta: { name: '@flashwright/target-stm32', version: '0.1.0', apiVersion: PLUGIN_API_VERSION },
    families: [stm32Family],
  };
}
