import { idRam, partRam } from './generated/part-ram.js';
import { parsePartNumber } from './part-numbers.js';
import type { Stm32DeviceData } from './types.js';

/** One RAM region at its own address (SRAM at 0x20000000, CCM, SRAM4, DTCM, ...). */
export interface RamRegion {
  readonly start: number;
  readonly bytes: number;
}

/** Longest pattern first (a character class counts as one character), so the most specific wins. */
const patterns = partRam
  .map((p) => ({
    match: new RegExp(`^${p.pattern}`, 'i'),
    length: p.pattern.replace(/\[[^\]]*\]/g, '_').length,
    ram: p.ram,
  }))
  .sort((a, b) => b.length - a.length);

/**
 * The RAM regions of a device, from the part catalogue (data/catalogue.csv, derived from ST's
 * CMSIS device family packs): the part's own where `partName` is a part number whose RAM
 * differs from the id's (STM32F101C8 has 10 KiB where its id 0x410 has up to 20, STM32F205RB 64 of 128 KiB),
 * else the regions most parts of the id have, else `ramBytes` at 0x20000000. The region at
 * 0x20000000 (or the first above it) comes first: flash loaders run there.
 */
export function ramRegionsOf(device: Stm32DeviceData, partName?: string): RamRegion[] {
  const name = partName === undefined ? undefined : parsePartNumber(partName)?.name;
  const own = name === undefined ? undefined : patterns.find((p) => p.match.test(name))?.ram;
  const regions =
    own ??
    idRam.get(device.devId) ??
    (device.ramBytes === undefined ? [] : [{ start: 0x20000000, bytes: device.ramBytes }]);
  const main = regions.find((r) => r.start >= 0x20000000 && r.start < 0x30000000);
  return main === undefined ? [...regions] : [main, ...regions.filter((r) => r !== main)];
}
