import { crc32 } from 'node:zlib';
import type { Device } from '../plugin/types.js';
import { ok, skipped, warn, type Diagnosis } from './diagnosis.js';

/** Where the test range starts in the first SRAM region: past the routine's work area. */
const RANGE_OFFSET_BYTES = 2048;
const RANGE_BYTES = 256;

/**
 * Does code run on the chip from its SRAM, as the RAM flash loaders and the on-chip CRC need?
 * A dry run that touches RAM only: the family's CRC-32 routine (loaded and started the way
 * its loaders are) over a stretch of SRAM, compared with the same bytes read back through
 * the probe. It halts the core and overwrites the start of SRAM. A warning, never a failure:
 * flashing falls back to programming from the host, and verify to reading back.
 */
export async function ramCodeRuns(device: Device, signal?: AbortSignal): Promise<Diagnosis> {
  const ram = device.ram[0];
  if (device.checksum === undefined) {
    return skipped('ram-code', `the ${device.family} family runs no code on the chip`);
  }
  if (ram === undefined || ram.end - ram.start < RANGE_OFFSET_BYTES + RANGE_BYTES) {
    return skipped('ram-code', `${device.name} has too little SRAM known for the dry run`);
  }
  const range = {
    start: ram.start + RANGE_OFFSET_BYTES,
    end: ram.start + RANGE_OFFSET_BYTES + RANGE_BYTES,
  };
  const onChip = await device.checksum(range, signal);
  const fallback =
    'flashing falls back to programming from the host (slower) and verify to reading back';
  if (onChip === undefined) {
    return warn('ram-code', {
      code: 'FLASH_LOADER_FAILED',
      message: `Code cannot run on ${device.name} here: ${device.codeUnavailable ?? 'see the log (-v)'}; ${fallback}`,
      hint: 'Nothing to do for the run itself. For the faster path use a probe with debug access to the core (an ST-Link or CMSIS-DAP probe rather than a GDB server), or set flash.loader: host to skip the attempt.',
    });
  }
  const bytes = await device.read(range.start, RANGE_BYTES, () => undefined, signal);
  const expected = crc32(bytes) >>> 0;
  if (onChip >>> 0 !== expected) {
    return warn('ram-code', {
      code: 'FLASH_LOADER_FAILED',
      message: `The CRC-32 routine ran on ${device.name} but computed 0x${hex8(onChip)} over SRAM, which reads back as 0x${hex8(expected)}; ${fallback} would be safer`,
      hint: 'Set flash.loader: host and verify: readback in the recipe, and report this with `flashwright info -v`.',
    });
  }
  return ok(
    'ram-code',
    `the CRC-32 routine ran from SRAM and matched a readback of ${RANGE_BYTES} B; the RAM flash loaders start the same way`,
  );
}

function hex8(value: number): string {
  return (value >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
