import type { CompareMode } from '../../config/steps-schema.js';
import type { AddressRange } from '../../image/address-range.js';
import type { MemoryPortLimits } from '../../ports/memory-port.js';
import type { Device } from '../../plugin/types.js';

/** How flash is compared with the image: read back through the probe, or CRC-32 on the chip. */
export type CompareMethod = 'crc' | 'readback';

export interface MethodChoice {
  readonly method: CompareMethod;
  /** Estimated milliseconds of each way, where known (`auto` weighed them). */
  readonly crcMs?: number | undefined;
  readonly readbackMs?: number | undefined;
  /** Why readback where `crc` was asked for: the device has no on-chip checksum. */
  readonly noChecksum?: boolean;
}

/**
 * How `mode` compares, for a step's plan: "by reading them back", ... `what` is the flash
 * being compared ("them": sectors, "it": the image's extent).
 */
export function compareModeText(mode: CompareMode, what: 'it' | 'them'): string {
  switch (mode) {
    case 'readback':
      return `by reading ${what} back`;
    case 'crc':
      return 'by CRC-32 on the chip (reading back where it cannot run)';
    case 'auto':
      return `by CRC-32 on the chip or by reading ${what} back, whichever is estimated faster for this probe and chip`;
  }
}

/** Estimated milliseconds of reading `bytes` in one access through a port with `limits`. */
export function readbackMs(
  limits: MemoryPortLimits | undefined,
  bytes: number,
): number | undefined {
  const rate = limits?.readBytesPerSecond;
  if (limits === undefined || rate === undefined || !(rate > 0)) return undefined;
  return Math.max((bytes * 1000) / rate, limits.transferStartUs / 1000);
}

/** Estimated milliseconds of one checksum call per range, or undefined where unknown. */
export function crcMs(device: Device, ranges: readonly AddressRange[]): number | undefined {
  let total = 0;
  for (const range of ranges) {
    const ms = device.checksumCostMs?.(range);
    if (ms === undefined) return undefined;
    total += ms;
  }
  return total;
}

/**
 * The method for comparing `ranges` (one checksum call each) with the image. `auto` takes
 * the CRC only where both estimates exist and the CRC's is lower: reading back is what every
 * probe can do, so it stays the choice whenever a cost is unknown.
 */
export function chooseMethod(
  mode: CompareMode,
  device: Device,
  limits: MemoryPortLimits | undefined,
  ranges: readonly AddressRange[],
  /** What reading back would read (whole sectors, for the incremental compare). */
  readBytes = ranges.reduce((sum, r) => sum + (r.end - r.start), 0),
): MethodChoice {
  if (mode === 'readback') return { method: 'readback' };
  if (device.checksum === undefined) return { method: 'readback', noChecksum: mode === 'crc' };
  if (mode === 'crc') return { method: 'crc' };
  const crc = crcMs(device, ranges);
  const readback = readbackMs(limits, readBytes);
  const method = crc !== undefined && readback !== undefined && crc < readback ? 'crc' : 'readback';
  return { method, crcMs: crc, readbackMs: readback };
}

/** "(auto: CRC-32 est. 114 ms, readback est. 558 ms)" for the log, or "" where not weighed. */
export function describeChoice(choice: MethodChoice): string {
  if (choice.crcMs === undefined && choice.readbackMs === undefined) return '';
  const ms = (value: number | undefined): string =>
    value === undefined ? 'unknown' : `est. ${Math.round(value)} ms`;
  return ` (auto: CRC-32 on the chip ${ms(choice.crcMs)}, readback ${ms(choice.readbackMs)})`;
}
