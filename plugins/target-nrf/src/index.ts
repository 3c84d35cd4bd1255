import { type FlashwrightPlugin, PLUGIN_API_VERSION } from '@flashwright/core';
import { nrfFamily } from './family.js';

export { nrfFamily } from './family.js';
export { NrfDevice, nrfFlash, type NrfIdentity } from './device.js';
export { identifyNrf, readIdentity, Ficr } from './identify.js';
export { CtrlAp, CTRL_AP, CTRL_AP_IDR, CtrlApRegister } from './ctrl-ap.js';
export { Nvmc, NvmcClient, NvmcConfig, NVMC_BASE } from './nvmc.js';
export { NRF_PARTS, partByName, partByNumber, type NrfPart } from './parts.js';
export {
  APPROTECT_DISABLE_REGISTER,
  APPROTECT_HW_DISABLED,
  uicrFields,
  uicrHazards,
  UICR_BASE,
} from './uicr.js';

/** The plugin factory the loader calls (`target.family: nrf`). */
export function plugin(): FlashwrightPlugin {
  return {
    meta: { name: '@flashwright/target-nrf', version: '0.1.0', apiVersion: PLUGIN_API_VERSION },
    families: [nrfFamily],
  };
}
