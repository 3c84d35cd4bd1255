import type { ProbeWarning } from '@flashwright/core/plugin';
import type { DapProbeInfo } from './open-sequence.js';

/**
 * What a CMSIS-DAP probe's DAP_Info says the user should know about, as probe warnings
 * (doctor shows them with the probe check):
 * - a protocol version before 2.0: CMSIS-DAP v1-only firmware, without the bulk interface and
 *   DAP_SWD_Configure's later fixes (CMSIS-DAP specification, "Revision History");
 * - one packet of 64 bytes in flight: every command waits a full USB round trip, so memory
 *   moves at a few tens of KB/s (the figures of the sim's timing model, full-speed HID).
 */
export function firmwareWarnings(info: DapProbeInfo, version: 'v1' | 'v2'): ProbeWarning[] {
  const warnings: ProbeWarning[] = [];
  const protocol = info.protocolVersion ?? '';
  const major = Number.parseInt(protocol, 10);
  if (Number.isFinite(major) && major < 2) {
    warnings.push({
      code: 'firmware-outdated',
      message: `The probe speaks CMSIS-DAP ${protocol}; flashwright is tested with 2.x.`,
      hint: 'Update the probe firmware to a CMSIS-DAP 2.x release (DAPLink, debugprobe and MCU-Link publish them).',
      params: { protocolVersion: protocol },
    });
  }
  if (version === 'v1' || (info.packetCount === 1 && info.packetBytes <= 64)) {
    warnings.push({
      code: 'slow-link',
      message: `The probe takes ${info.packetCount} packet${info.packetCount === 1 ? '' : 's'} of ${info.packetBytes} bytes at a time${version === 'v1' ? ' over HID (CMSIS-DAP v1)' : ''}: memory moves at tens of KB/s.`,
      hint: 'Firmware with CMSIS-DAP v2 (bulk endpoints, several packets in flight) is many times faster.',
      params: { packetBytes: info.packetBytes, packetCount: info.packetCount },
    });
  }
  return warnings;
}
