import { FlashwrightError, isFlashwrightError } from '../errors/flashwright-error.js';
import type { AddressRange } from '../image/address-range.js';
import { bytesEqual } from '../image/flash-image.js';
import type { MemoryPort } from '../ports/memory-port.js';
import type { FlashRegion, MemoryMapRegion, NativeFlashPort } from '../plugin/types.js';

/**
 * How a flash region is erased and programmed:
 * - "device": the target family's algorithm (the Device drives the flash controller);
 * - "native": the probe's own flash driver (a GDB server's vFlash packets);
 * - "memory": plain memory writes, where the target takes them (RAM-like memory, emulators).
 */
export type FlashRouteKind = 'device' | 'native' | 'memory';

export interface FlashRoute {
  readonly kind: FlashRouteKind;
  /** For the log: why this route. */
  readonly reason: string;
}

type NativeRegion = NativeFlashPort['regions'][number];

/**
 * The region cut into the probe's erase blocks, when the probe's flash driver covers all of
 * it with whole blocks (OpenOCD reports an STM32F4's sectors as several flash regions, one
 * per block size, so the cover may span several). Undefined when some of the region lies
 * outside the driver's map (it would refuse those addresses) or a block straddles the
 * region's edge (erasing it would destroy bytes outside the region).
 */
export function nativeCover(
  region: FlashRegion,
  native: readonly NativeRegion[],
): FlashRegion | undefined {
  const sectors: AddressRange[] = [];
  let at = region.start;
  const sorted = [...native].sort((a, b) => a.start - b.start);
  for (const block of sorted) {
    if (block.end <= at || block.start > at) continue;
    // Blocks count from the start of the server's region, not of ours.
    if ((at - block.start) % block.blockSize !== 0) return undefined;
    const end = Math.min(block.end, region.end);
    for (; at < end; at += block.blockSize) {
      if (at + block.blockSize > end) return undefined;
      sectors.push({ start: at, end: at + block.blockSize });
    }
    if (at >= region.end) break;
  }
  if (at !== region.end) return undefined;
  return { ...region, sectors };
}

/** True when the probe's memory map says the whole region is RAM (plain writes stick). */
export function isRamInMap(
  region: AddressRange,
  map: readonly MemoryMapRegion[] | undefined,
): boolean {
  return (map ?? []).some(
    (m) => m.kind === 'ram' && m.start <= region.start && region.end <= m.end,
  );
}

/**
 * Does a plain memory write change the flash at `address`? Writes the complement of the
 * four bytes there, reads them back, and puts the old bytes back when the write took. A
 * server that refuses the write (an error reply, a bus fault) or ignores it does not take
 * plain writes. Only called for chips that were not identified: on a real flash controller a
 * stray write can set sticky error flags, which the family's algorithm would then meet.
 */
export async function acceptsPlainWrites(
  memory: MemoryPort,
  address: number,
  signal: AbortSignal,
): Promise<boolean> {
  const before = await memory.read(address, 4, { signal });
  const trial = before.map((b) => b ^ 0xff);
  try {
    await memory.write(address, trial, { signal });
  } catch (error) {
    // A refusal is a fault at that address; a lost connection or Ctrl-C is not an answer.
    if (isFlashwrightError(error) && error.code === 'TARGET_FAULT' && !signal.aborted) return false;
    throw error;
  }
  const after = await memory.read(address, 4, { signal });
  if (!bytesEqual(after, trial)) return false;
  await memory.write(address, before, { signal });
  return true;
}

/** The error when no route can program a region of an unidentified chip. */
export function noRouteError(region: FlashRegion, deviceName: string): FlashwrightError {
  return new FlashwrightError(
    'FLASH_PROGRAM_FAILED',
    `No way to program ${region.name} of ${deviceName}: the chip was not identified (so the family’s flash algorithm cannot run), the probe has no flash driver for it, and plain memory writes do not change it`,
    {
      hint: 'Use a GDB server with a flash driver (OpenOCD and pyOCD offer vFlash through their memory map), or a probe through which the family can read the chip’s ID registers.',
      details: { region: { name: region.name, start: region.start, end: region.end } },
    },
  );
}
