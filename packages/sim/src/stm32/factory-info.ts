import type { Stm32DeviceData } from '@flashwright/stm32-devices';
import { RomRegion } from './regions.js';

/** Factory-programmed identity of one chip. */
export interface FactoryInfo {
  /** Raw 16-bit value of the flash-size register. */
  readonly flashSizeRaw: number;
  /** 96-bit unique ID, 12 bytes, U_ID[31:0] first. */
  readonly uid: Uint8Array;
  /** DBGMCU_IDCODE REV_ID. */
  readonly revId: number;
}

/**
 * Address of each 32-bit UID word. STM32L0/L1 split it: words at +0x00, +0x04 and +0x14
 * (RM0038/RM0377 "Unique device ID registers"; used that way by ST's USB examples and
 * LoRaMac-node, ID1/ID2/ID3 = 0x1FF80050/54/64). Everywhere else it is contiguous.
 */
export function uidWordAddresses(device: Stm32DeviceData): number[] {
  const base = device.uidAddress;
  if (base === undefined) return [];
  if (device.controller.kind === 'l0-l1') return [base, base + 4, base + 0x14];
  return [base, base + 4, base + 8];
}

/** The factory bytes of one chip: address to byte value. */
function factoryBytes(device: Stm32DeviceData, info: FactoryInfo): Map<number, number> {
  const bytes = new Map<number, number>();
  const put = (address: number, value: number, size: number) => {
    for (let i = 0; i < size; i++) bytes.set(address + i, (value >>> (8 * i)) & 0xff);
  };
  put(device.flashSizeRegister, info.flashSizeRaw, 2);
  uidWordAddresses(device).forEach((address, i) => {
    const word =
      (info.uid[4 * i] ?? 0) |
      ((info.uid[4 * i + 1] ?? 0) << 8) |
      ((info.uid[4 * i + 2] ?? 0) << 16) |
      ((info.uid[4 * i + 3] ?? 0) << 24);
    put(address, word >>> 0, 4);
  });
  return bytes;
}

/**
 * The ROM regions holding the flash-size register and the UID. Both sit in the factory
 * information block of each family; bytes of that block the model does not know read 0xFF.
 * Addresses more than 256 bytes apart (H7A/B) get a region each. `info` is read on every
 * access, so a chip restored from saved state shows its restored identity.
 */
export function factoryInfoRegions(device: Stm32DeviceData, info: () => FactoryInfo): RomRegion[] {
  const addresses = [...factoryBytes(device, info()).keys()].sort((a, b) => a - b);
  const groups: number[][] = [];
  for (const address of addresses) {
    const group = groups[groups.length - 1];
    const last = group?.[group.length - 1];
    if (group && last !== undefined && address - last < 256) group.push(address);
    else groups.push([address]);
  }
  return groups.map((group) => {
    const start = (group[0] ?? 0) & ~0xf;
    const end = ((group[group.length - 1] ?? 0) + 0x10) & ~0xf;
    return new RomRegion(`factory information @0x${start.toString(16)}`, start, end, (address) =>
      factoryBytes(device, info()).get(address),
    );
  });
}
