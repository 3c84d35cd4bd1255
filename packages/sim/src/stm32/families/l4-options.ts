import type { Stm32DeviceData } from '@flashwright/stm32-devices';
import { BusError, type BusRegion } from '../../bus.js';
import { OptionAreaRegion } from '../regions.js';

/**
 * PCROP is not modelled: its registers (PCROP1SR/ER, PCROP2SR/ER) and option words hold a
 * start above the end, no area (the factory value is our choice).
 */
export const PCROP_START_NONE = 0xffffffff;
export const PCROP_END_NONE = 0x0fff0000;

/** The non-volatile option words the L4 model keeps. */
export interface L4OptionWords {
  /** OPTR and the complement stored next to it. */
  readonly optr: readonly [number, number];
  /** WRP1AR, WRP1BR, WRP2AR, WRP2BR. */
  readonly wrp: readonly number[];
}

/**
 * Option bytes as memory on STM32L4 and L4+ (RM0351 §3.4.1 "Option byte organization",
 * RM0432 likewise): 64-bit entries, the option word in [31:0] and its complement in [63:32].
 * Bank 1: OPTR, PCROP1SR, PCROP1ER, WRP1AR, WRP1BR; bank 2 (dual-bank parts): a reserved
 * entry, then PCROP2SR, PCROP2ER, WRP2AR, WRP2BR. L4 has them at 0x1FFF7800 and 0x1FFFF800,
 * L4+ at 0x1FF00000 and 0x1FF01000. The other lines of this controller (G0, G4, WB, WL, C0,
 * U0) lay theirs out differently and are not mapped. Readable at every protection level
 * (RM0432 Table 16: the debugger reads the option bytes at level 1).
 */
/** Where the option areas of bank 1 and bank 2 sit (see l4OptionAreas); empty elsewhere. */
export function l4OptionAreaBases(device: Stm32DeviceData): (number | undefined)[] {
  if (device.line === 'STM32L4') return [0x1fff7800, device.dualBank ? 0x1ffff800 : undefined];
  if (device.line === 'STM32L4+') return [0x1ff00000, 0x1ff01000];
  return [];
}

export function l4OptionAreas(
  device: Stm32DeviceData,
  words: () => L4OptionWords,
): OptionAreaRegion[] {
  const entry = (value: number, complement = ~value >>> 0) => [value >>> 0, complement];
  return l4OptionAreaBases(device).flatMap((base, bank) => {
    if (base === undefined) return [];
    const values = (): number[] => {
      const { optr, wrp } = words();
      const first = bank === 0 ? entry(...optr) : [0xffffffff, 0xffffffff];
      return [
        ...first,
        ...entry(PCROP_START_NONE),
        ...entry(PCROP_END_NONE),
        ...entry(wrp[2 * bank] ?? 0),
        ...entry(wrp[2 * bank + 1] ?? 0),
      ];
    };
    return [new OptionAreaRegion(`option bytes, bank ${bank + 1}`, base, values)];
  });
}

/**
 * The 1 KiB OTP area at 0x1FFF7000 of L4, L4+, G0, G4, WB and WL (RM0351, RM0432, RM0444,
 * RM0440, RM0434, RM0453 flash organisation tables), as it leaves the factory: erased. "The
 * OTP area cannot be read when RDP level is 1 and boot source is not the Main Flash memory
 * area" (RM0444 §3.3.1; the same controller elsewhere is assumed to behave alike), so a
 * debugger's read faults at level 1. Programming it is not modelled (bus error).
 */
export function l4OtpRegion(device: Stm32DeviceData, rdpLevel: () => number): BusRegion[] {
  const lines = ['STM32L4', 'STM32L4+', 'STM32G0', 'STM32G4', 'STM32WB', 'STM32WL'];
  if (!lines.includes(device.line)) return [];
  return [
    {
      name: 'OTP',
      start: 0x1fff7000,
      end: 0x1fff7400,
      read: (address, size) => {
        if (rdpLevel() !== 0) throw new BusError(address, 'OTP read under RDP level 1');
        return 0xffffffff >>> (32 - 8 * size);
      },
      write: (address) => {
        throw new BusError(address, 'OTP programming is not modelled');
      },
    },
  ];
}
