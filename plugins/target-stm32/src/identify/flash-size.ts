import { FlashwrightError, isFlashwrightError } from '@flashwright/core';
import type { FlashSize as CoreFlashSize, MemoryPort } from '@flashwright/core/plugin';
import { decodeFlashSizeKiB, type Stm32DeviceData } from '@flashwright/stm32-devices';

/**
 * Reads the 16-bit flash-size register with an aligned 32-bit access and takes the half-word
 * (as stlink does): 16-bit memory access needs ST-Link firmware J26 or later. `wholeWord` keeps
 * all 32 bits (STM32WB0x/WL3x FLASH_CTRL SIZE, 17 bits). Undefined when the read faults.
 */
export async function readFlashSizeRegister(
  memory: MemoryPort,
  address: number,
  signal?: AbortSignal,
  wholeWord = false,
): Promise<number | undefined> {
  try {
    const word = await memory.read32(address & ~3, signal);
    if (wholeWord) return word;
    return (address & 2) !== 0 ? word >>> 16 : word & 0xffff;
  } catch (error) {
    if (isFlashwrightError(error) && error.code === 'TARGET_FAULT') return undefined;
    throw error;
  }
}

export interface FlashSize {
  readonly kib: number;
  /** Where the size came from: `database` is the line maximum, the register being unusable. */
  readonly source: 'register' | 'override' | 'database';
  /** The raw register value, when a quirk was applied or the value was rejected. */
  readonly raw?: number;
  /** For the user: quirks applied, caps, fallbacks. */
  readonly notes: readonly string[];
  /** Why the register was read the way it was (the quirk), or not believed. */
  readonly reason?: string;
}

function hex16(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The flash size from the raw register value with the family quirks: masks (0x429 keeps the
 * low byte, so 0x6B80 is 128 KiB: RM0038 note quoted in STM32CubeL1 issue #6, OpenOCD commit
 * 04b23ef50), codes (0x436: 0 = 384, 1 = 256 KiB: RM0038 "Flash size register", quoted in
 * STM32CubeL1 issue #16), early silicon reading 0 (stlink-org common.c stlink_load_device_params
 * assumes 128 KiB), an unprogrammed 0xFFFF (OpenOCD's stm32 drivers fall back to the maximum),
 * and a cap at the family maximum (OpenOCD stm32lx.c, stm32l4x.c). The recipe's
 * `target.flashSize` wins over all of it.
 */
export function resolveFlashSize(
  data: Stm32DeviceData,
  raw: number | undefined,
  overrideBytes?: number,
): FlashSize {
  const max = data.maxFlashKiB;
  const registerText =
    raw === undefined
      ? `the flash-size register (${address(data)}) could not be read`
      : `the flash-size register (${address(data)}) reads ${hex16(raw)}`;
  if (overrideBytes !== undefined) {
    if (!(overrideBytes > 0) || overrideBytes % 1024 !== 0) {
      throw new FlashwrightError(
        'RECIPE_INVALID',
        `target.flashSize must be a positive multiple of 1 KiB, got ${overrideBytes} bytes`,
        { source: { keyPath: 'target.flashSize' } },
      );
    }
    const kib = overrideBytes / 1024;
    const notes = [`Flash size ${kib} KiB from the recipe (target.flashSize); ${registerText}`];
    if (kib > max) {
      notes.push(`target.flashSize ${kib} KiB is above the ${max} KiB this line can have`);
    }
    return raw === undefined
      ? { kib, source: 'override', notes }
      : { kib, source: 'override', raw, notes };
  }
  const decoded = raw === undefined ? undefined : decodeFlashSizeKiB(data, raw);
  if (raw === undefined || decoded === undefined) {
    const notes = [
      `${registerText}; assuming the family maximum of ${max} KiB. Set target.flashSize in the recipe if the part has less.`,
    ];
    const reason = registerText;
    return raw === undefined
      ? { kib: max, source: 'database', notes, reason }
      : { kib: max, source: 'database', raw, notes, reason };
  }
  const notes: string[] = [];
  // A size in KiB is the plain form; the BlueNRG-LP last word offset is plain for its kind.
  const quirk = data.flashSizeDecode.kind !== 'last-word' && decoded !== (raw & 0xffff);
  const quirkNote = `${registerText}: ${describeQuirk(data, raw)}, so ${decoded} KiB`;
  if (quirk) notes.push(quirkNote);
  if (decoded > max) {
    const reason = `${registerText} (${decoded} KiB), more than the ${max} KiB of this line`;
    notes.push(`${reason}; using ${max} KiB. Set target.flashSize if that is wrong.`);
    return { kib: max, source: 'database', raw, notes, reason };
  }
  return quirk
    ? { kib: decoded, source: 'register', raw, notes, reason: quirkNote }
    : { kib: decoded, source: 'register', notes };
}

function describeQuirk(data: Stm32DeviceData, raw: number): string {
  const decode = data.flashSizeDecode;
  if ((raw & 0xffff) === 0 && decode.zeroMeansKiB !== undefined) {
    return 'early silicon reads 0 there';
  }
  switch (decode.kind) {
    case 'masked':
      return `only bits ${hex16(decode.mask)} are valid on DEV_ID 0x${data.devId.toString(16)}`;
    case 'l1-code':
      return 'the value is a code on this category (0 = 384 KiB, 1 = 256 KiB)';
    case 'kib':
      return 'the value is a size in KiB';
    case 'last-word':
      return 'the value is the last valid word offset';
  }
}

/** Where the real size is written when the register cannot tell (the part number). */
export const FLASH_SIZE_CODE_HINT =
  'The flash size is the letter after the pin-count letter in the part number, as the B in STM32F103RB: 8 = 64K, B = 128K, C = 256K, E = 512K, G = 1M.';

/** Core's view of the size: where it came from, the raw register value and the quirk note. */
export function deviceFlashSize(data: Stm32DeviceData, size: FlashSize): CoreFlashSize {
  return {
    kib: size.kib,
    source: size.source,
    raw: size.raw,
    registerAddress: data.flashSizeRegister,
    note: size.reason,
    hint: size.source === 'database' ? FLASH_SIZE_CODE_HINT : undefined,
  };
}

function address(data: Stm32DeviceData): string {
  return `0x${data.flashSizeRegister.toString(16).toUpperCase()}`;
}
