import type { Stm32DeviceData } from '@flashwright/stm32-devices';
import type { RdpLevel } from '../controller.js';

/**
 * STM32L0/L1 option bytes (CMSIS-L0/L1 OB_TypeDef and FLASH_OBR_*, HAL-L1): 32-bit words
 * at 0x1FF80000, each a 16-bit value in [15:0] and its complement in [31:16], written as a
 * whole word by software (HAL-L1 writes value | ~value << 16). Word 0 = RDP (byte 0) and
 * SPRMOD/WPRMOD (byte 1), word 1 = USER, then one WRP word per 16 WRP bits: at +0x08..+0x1C,
 * continuing at +0x80 (WRP1213, WRP1415 on L1 Cat.5/6).
 */
export const LX_OPTION_BASE = 0x1ff80000;

/** Byte offsets (from 0x1FF80000) of the option words this part has. */
export function optionWordOffsets(flashKiB: number): number[] {
  // One WRP bit per 4 KiB sector (16 L1 pages / 32 L0 pages), 16 bits per option word.
  const wrpWords = Math.ceil(flashKiB / 4 / 16);
  const offsets = [0x00, 0x04];
  for (let i = 0; i < wrpWords; i++) offsets.push(i < 6 ? 0x08 + 4 * i : 0x80 + 4 * (i - 6));
  return offsets;
}

/** The option word for a value: complement in the upper half. */
export function optionWord(value16: number): number {
  return ((value16 & 0xffff) | ((~value16 & 0xffff) << 16)) >>> 0;
}

/**
 * USER byte of a fresh L1 part and what a mismatching USER word loads as: BOR_LEV = 8
 * (level 1), IWDG_SW, nRST_STOP, nRST_STDBY set. Seen on an STM32L151CBxxA whose USER word
 * read 0x00000000: FLASH_OBR 0x007800AA with SR.OPTVERR (community.st.com, "Flash erase
 * error on STM32L151CB-A").
 */
export const USER_DEFAULT = 0x0078;

export interface LxLoadedOptions {
  readonly rdpLevel: RdpLevel;
  /** FLASH_OBR as loaded. */
  readonly obr: number;
  /** WRP bits, bit n protecting 4 KiB sector n (1 = protected on L0/L1). */
  readonly wrp: readonly number[];
  readonly optVerr: boolean;
  /** The USER word mismatched (SR.OPTVERRUSR on L1 Cat.3 and later). */
  readonly optVerrUser: boolean;
}

/**
 * Option loading (at reset and OBL_LAUNCH). A word whose halves are not complements sets
 * OPTVERR; an RDP word that does not verify loads as level 1 (RM0038, RM0377: protection is
 * forced when the option bytes are corrupted).
 */
export function loadLxOptions(words: ReadonlyMap<number, number>): LxLoadedOptions {
  let optVerr = false;
  const value = (offset: number): number | undefined => {
    const word = words.get(offset) ?? 0;
    if ((word & 0xffff) !== ((~word >>> 16) & 0xffff)) {
      optVerr = true;
      return undefined;
    }
    return word & 0xffff;
  };
  const rdpWord = value(0x00);
  const userWord = value(0x04);
  const optVerrUser = userWord === undefined;
  const wrp: number[] = [];
  const wrpOffsets = [...words.keys()].filter((o) => o >= 0x08).sort((a, b) => a - b);
  for (let i = 0; i < wrpOffsets.length; i += 2) {
    const lo = value(wrpOffsets[i] ?? 0) ?? 0;
    const hi = i + 1 < wrpOffsets.length ? (value(wrpOffsets[i + 1] ?? 0) ?? 0) : 0;
    wrp.push((lo | (hi << 16)) >>> 0);
  }
  const rdpByte = rdpWord === undefined ? 0x00 : rdpWord & 0xff;
  const rdpLevel: RdpLevel = rdpByte === 0xaa ? 0 : rdpByte === 0xcc ? 2 : 1;
  const low = rdpWord === undefined ? 0 : rdpWord;
  const user = userWord ?? USER_DEFAULT;
  return {
    rdpLevel,
    obr: ((low & 0xffff) | ((user & 0xffff) << 16)) >>> 0,
    wrp,
    optVerr,
    optVerrUser,
  };
}

/** A fresh chip's option words at a protection level: no WRP, default USER. */
export function defaultLxOptions(offsets: readonly number[], level: RdpLevel): Map<number, number> {
  const rdp = level === 0 ? 0xaa : level === 2 ? 0xcc : 0xbb;
  const words = new Map<number, number>();
  for (const offset of offsets) {
    words.set(offset, optionWord(offset === 0 ? rdp : offset === 4 ? USER_DEFAULT : 0));
  }
  return words;
}

/** Data EEPROM size: the device data's (CMSIS DATA_EEPROM_BASE/END per header). */
export function dataEepromBytes(device: Stm32DeviceData): number {
  return device.dataEepromBytes ?? 4096;
}
