import { Nrf52Chip } from './chip.js';
import { findNrf52Part, NRF52_PARTS, revisionOfBuildCode, type Nrf52Revision } from './parts.js';

export { Nrf52Chip, type Nrf52ChipOptions, type Nrf52ChipState } from './chip.js';
export {
  APPROTECT_DISABLE,
  APPROTECT_FORCEPROTECT,
  APPROTECT_HW_DISABLED,
  FICR_BASE,
  UICR_APPROTECT,
} from './chip.js';
export { CTRL_AP_IDR, CtrlApRegister } from './ctrl-ap.js';
export { NVMC_BASE, NvmcConfig, NvmcRegister, UICR_BASE } from './nvmc.js';
export {
  NRF52_PAGE_BYTES,
  NRF52_PARTS,
  findNrf52Part,
  nrf52FlashTiming,
  revisionOfBuildCode,
  type Nrf52Part,
  type Nrf52Revision,
} from './parts.js';

export interface CreateNrf52ChipOptions {
  /** "nRF52840", or an ordering code whose build code names the revision ("nRF52840-QIAA-F0"). */
  readonly device: string;
  /** Default: the build code's, else legacy. */
  readonly revision?: Nrf52Revision | undefined;
  readonly approtect?: boolean | undefined;
}

/** Whether the name is an nRF52 part the simulator knows. */
export function isNrf52Device(device: string): boolean {
  return findNrf52Part(device) !== undefined;
}

/** A simulated nRF52; RangeError for a part it does not model. */
export function createNrf52Chip(options: CreateNrf52ChipOptions): Nrf52Chip {
  const part = findNrf52Part(options.device);
  if (!part) {
    throw new RangeError(
      `${options.device} is not a simulated nRF52 part (${NRF52_PARTS.map((p) => p.name).join(', ')})`,
    );
  }
  const fromBuildCode = revisionOfBuildCode(options.device);
  if (options.revision && fromBuildCode && options.revision !== fromBuildCode) {
    throw new RangeError(
      `${options.device} names ${fromBuildCode} silicon by its build code, but revision is ${options.revision}`,
    );
  }
  return new Nrf52Chip(part, {
    revision: options.revision ?? fromBuildCode ?? 'legacy',
    ...(options.approtect === undefined ? {} : { approtect: options.approtect }),
  });
}
