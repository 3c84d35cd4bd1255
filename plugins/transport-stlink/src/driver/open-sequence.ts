import { FlashwrightError } from '@flashwright/core';
import type { Logger } from '@flashwright/core/plugin';
import { ProbeMode } from '../protocol/constants.js';
import { debugExit } from '../protocol/debug-commands.js';
import {
  dfuExit,
  getCurrentMode,
  getTargetVoltage,
  swimExit,
} from '../protocol/general-commands.js';
import { hasFeature, type StLinkVersion } from '../protocol/version.js';
import type { UsbLink } from '../usb/usb-link.js';

/**
 * Leaves DFU, SWIM or debug mode so the probe is idle (OpenOCD stlink_usb_init_mode, pyOCD
 * stlink.py enter_idle). DEBUG_EXIT is sent only when the probe said it is in debug mode: V3
 * firmware locks up otherwise (stlink-org#1467).
 * Returns the mode the probe was found in.
 */
export async function leaveCurrentMode(
  link: UsbLink,
  log: Logger,
  signal?: AbortSignal,
): Promise<number> {
  const mode = await link.exchange(getCurrentMode(), signal);
  switch (mode) {
    case ProbeMode.DFU:
      log.debug('ST-Link is in DFU mode; leaving it');
      try {
        await link.exchange(dfuExit(), signal);
        await link.exchange(getCurrentMode(), signal);
      } catch (error) {
        if (error instanceof FlashwrightError && error.code === 'PROBE_DISCONNECTED') {
          // Some V2 units re-enumerate after DFU_EXIT (blackmagic#543).
          throw new FlashwrightError(
            'PROBE_DISCONNECTED',
            'The ST-Link re-enumerated after leaving its DFU (power-on) mode',
            {
              hint: 'Run the same command again; the probe is now in the right mode.',
              cause: error,
            },
          );
        }
        throw error;
      }
      break;
    case ProbeMode.DEBUG:
      log.debug('ST-Link was left in debug mode; leaving it');
      await link.exchange(debugExit(), signal);
      break;
    case ProbeMode.SWIM:
      log.debug('ST-Link is in SWIM mode; leaving it');
      await link.exchange(swimExit(), signal);
      break;
    default:
      // Mass-storage (idle) and bootloader need nothing.
      break;
  }
  return mode;
}

/**
 * Target voltage in volts, or undefined when the probe cannot tell: firmware before V2J13
 * (OpenOCD STLINK_F_HAS_TARGET_VOLT), or a reference reading of 0 (stlink-org/stlink#1343).
 */
export async function readTargetVoltage(
  link: UsbLink,
  version: StLinkVersion,
  signal?: AbortSignal,
): Promise<number | undefined> {
  if (!hasFeature(version, 'targetVoltage')) return undefined;
  const reply = await link.exchange(getTargetVoltage(), signal);
  return reply.volts === undefined ? undefined : Math.round(reply.volts * 1000) / 1000;
}

/** OpenOCD warns below 1.5 V. */
export const LOW_VOLTAGE_V = 1.5;
