import { FlashwrightError } from '@flashwright/core';
import type { ProbeWarning } from '@flashwright/core/plugin';
import {
  firmwareWith,
  formatVersion,
  hasFeature,
  type FirmwareFeature,
  type StLinkVersion,
} from '../protocol/version.js';

/** Refuses a feature the firmware lacks, naming the firmware that has it. */
export function requireFeature(
  version: StLinkVersion,
  feature: FirmwareFeature,
  what: string,
): void {
  if (hasFeature(version, feature)) return;
  const needed = firmwareWith(version, feature);
  throw new FlashwrightError(
    'PROBE_FIRMWARE_TOO_OLD',
    needed === undefined
      ? `${what} is not available on this ST-Link (firmware ${formatVersion(version)})`
      : `${what} needs ST-Link firmware ${needed} or later; this probe has ${formatVersion(version)}`,
    { details: { feature, firmware: formatVersion(version), needed } },
  );
}

/** Why a firmware cannot be used at all, or undefined when it can. */
export function unusableFirmware(version: StLinkVersion): FlashwrightError | undefined {
  const text = formatVersion(version);
  if (version.hardware === 1) {
    return new FlashwrightError(
      'PROBE_FIRMWARE_TOO_OLD',
      `ST-LINK/V1 (${text}) speaks SCSI pass-through, which flashwright does not support`,
      { hint: 'Use an ST-LINK/V2, V2-1 or V3.' },
    );
  }
  if (version.jtag === 0) {
    return new FlashwrightError(
      'PROBE_FIRMWARE_TOO_OLD',
      `This ST-Link runs SWIM-only (STM8) firmware ${text}, which has no SWD`,
      { hint: 'Load the STM32 debug firmware with ST’s STLinkUpgrade (choose the STM32 variant).' },
    );
  }
  return undefined;
}

/**
 * Warnings for firmware that works but lacks things we use (thresholds in
 * protocol/version.ts): shown once at open.
 * Each names the version that brings the missing feature.
 */
export function firmwareWarnings(version: StLinkVersion): ProbeWarning[] {
  const text = formatVersion(version);
  const missing: string[] = [];
  const note = (feature: FirmwareFeature, what: string): void => {
    if (!hasFeature(version, feature)) {
      const needed = firmwareWith(version, feature);
      if (needed !== undefined) missing.push(`${what} (${needed})`);
    }
  };
  if (version.hardware >= 3) {
    note('bankedDp', 'banked DP registers and custom CSW');
    note('rw8Max512', 'fast 8-bit transfers');
    if (version.hardware === 3 && version.jtag < 3) {
      missing.push('reliable protocol switching (V3J3; probe-rs rejects V3J2)');
    }
  } else {
    note(
      'rwStatus2',
      'fault addresses, so a write the target kept busy can resume (GETLASTRWSTATUS2)',
    );
    note('targetVoltage', 'target voltage');
    note('swdSetFreq', 'SWD speed setting');
    note('dapRegisters', 'DP/AP register access and sticky-error recovery');
    note('memory16', '16-bit memory access');
    note('multiAp', 'access ports other than 0');
    note('bankedDp', 'banked DP registers and custom CSW');
  }
  if (missing.length === 0) return [];
  return [
    {
      code: 'firmware-outdated',
      message: `ST-Link firmware ${text} lacks: ${missing.join('; ')}. Update it with ST’s STLinkUpgrade.`,
      hint: 'Update the probe firmware with ST’s STLinkUpgrade (or STM32CubeProgrammer).',
      params: { firmware: text },
    },
  ];
}
