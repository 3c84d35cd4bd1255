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
  // STM32WB0x/WL3x: the size is a FLASH_CTRL register, which the controller model serves.
  if (device.controller.kind !== 'bluenrg-lp') put(device.flashSizeRegister, info.flashSizeRaw, 2);
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
 * The read-only regions of the information block: system memory (the bootloader ROM, at the
 * address and size of the device data) and the factory bytes (flash-size register, UID).
 * Factory bytes inside system memory (F0/F1/F3, H7) are read there; the others sit in blocks
 * of their own, where bytes the model does not know read 0xFF. Addresses more than 256 bytes
 * apart (H7A/B) get a block each. `info` is read on every access, so a chip restored from
 * saved state shows its restored identity.
 *
 * Every protection level reads system memory: it is "only read-accessible, whatever the
 * protection level" (RM0365 Table 8, note), and RM0432 Table 16 lets the debugger read it at
 * level 1; level 2 turns the debug port off as a whole.
 */
export function factoryInfoRegions(device: Stm32DeviceData, info: () => FactoryInfo): RomRegion[] {
  let cached: { info: FactoryInfo; bytes: Map<number, number> } | undefined;
  const byteAt = (address: number): number | undefined => {
    const current = info();
    if (cached?.info !== current) cached = { info: current, bytes: factoryBytes(device, current) };
    return cached.bytes.get(address);
  };
  const system = device.systemMemory;
  const inSystem = (address: number) =>
    system !== undefined && address >= system.base && address < system.base + system.bytes;
  const addresses = [...factoryBytes(device, info()).keys()]
    .filter((address) => !inSystem(address))
    .sort((a, b) => a - b);
  const groups: number[][] = [];
  for (const address of addresses) {
    const group = groups[groups.length - 1];
    const last = group?.[group.length - 1];
    if (group && last !== undefined && address - last < 256) group.push(address);
    else groups.push([address]);
  }
  const regions = groups.map((group) => {
    const start = (group[0] ?? 0) & ~0xf;
    const end = ((group[group.length - 1] ?? 0) + 0x10) & ~0xf;
    return new RomRegion(`factory information @0x${start.toString(16)}`, start, end, byteAt);
  });
  if (system !== undefined) {
    const { base, bytes } = system;
    regions.push(
      new RomRegion('system memory', base, base + bytes, (a) => byteAt(a) ?? bootRomByte(base, a)),
    );
  }
  return regions;
}

/**
 * A stand-in for ST's bootloader, which the simulator does not have: a vector table (stack
 * in SRAM, reset handler in the ROM, Thumb bit set), then a fixed pseudo-random byte sequence
 * (never an erased run), the same for every chip and every run.
 */
export function bootRomByte(base: number, address: number): number {
  const offset = address - base;
  if (offset < 8) {
    const word = offset < 4 ? 0x20001000 : base + 0x101;
    return (word >>> (8 * (offset & 3))) & 0xff;
  }
  let x = Math.imul(offset ^ 0x5bd1e995, 0x9e3779b1);
  x ^= x >>> 15;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  return x & 0xff;
}
