import type { AddressRange } from '@flashwright/core/image';
import type { FlashRegion } from '@flashwright/core/plugin';
import { bankLayout, ramRegionsOf, type Stm32DeviceData } from '@flashwright/stm32-devices';
import { programTiming } from '../flash/program-times.js';

/**
 * The flash regions (one per bank) of a device of `flashKiB`, with how it programs: the
 * write unit at this parallelism (writeUnitOf), its typical time and the L0/L1 half-page.
 */
export function flashRegions(
  data: Stm32DeviceData,
  flashKiB: number,
  dualBank: boolean,
  parallelismBytes: number,
): FlashRegion[] {
  const writeUnitBytes = writeUnitOf(data, parallelismBytes);
  const timing = programTiming(data, writeUnitBytes, parallelismBytes);
  const banks = bankLayout(data, flashKiB, { dualBank });
  const regions = banks.map((bank, i): FlashRegion => {
    const sectors: AddressRange[] = [];
    let address = bank.start;
    for (const bytes of bank.sectorBytes) {
      sectors.push({ start: address, end: address + bytes });
      address += bytes;
    }
    return {
      name: banks.length > 1 ? `bank${i + 1}` : 'flash',
      start: bank.start,
      end: address,
      sectors,
      erasedValue: data.erasedValue,
      writeUnitBytes,
      programUsPerUnit: timing.usPerUnit,
      programPageBytes: timing.pageBytes,
    };
  });
  const eeprom = dataEepromRegion(data);
  return eeprom === undefined ? regions : [...regions, eeprom];
}

/** The name of the L0/L1 data EEPROM region among the flash regions. */
export const DATA_EEPROM = 'eeprom';

/** The program memory banks, without the data EEPROM. */
export function mainFlash(regions: readonly FlashRegion[]): FlashRegion[] {
  return regions.filter((r) => r.name !== DATA_EEPROM);
}

/**
 * STM32L0/L1 data EEPROM as a region that erase, write and verify handle: erased value 0,
 * each word erased on its own (ERASE|DATA and a write of 0) and written on its own (RM0038
 * and RM0367, "Data EEPROM" erase and programming: byte, half-word or word writes with
 * PELOCK cleared). Word writes take the program-memory word time (DS6876 gives both 3.28 ms).
 */
function dataEepromRegion(data: Stm32DeviceData): FlashRegion | undefined {
  const start = data.dataEepromBase;
  const bytes = data.dataEepromBytes;
  if (start === undefined || bytes === undefined) return undefined;
  const sectors: AddressRange[] = [];
  for (let address = start; address < start + bytes; address += 4) {
    sectors.push({ start: address, end: address + 4 });
  }
  return {
    name: DATA_EEPROM,
    start,
    end: start + bytes,
    sectors,
    erasedValue: 0,
    writeUnitBytes: 4,
    programUsPerUnit: programTiming(data, 4, 4).usPerUnit,
  };
}

/**
 * The RAM regions of the device, each at its own address (SRAM at 0x20000000 first, then CCM,
 * SRAM4, ...): the part's own where `partName` names a part whose RAM differs from its id's,
 * else those most parts of the id have (ramRegionsOf, from the CMSIS-pack part catalogue).
 */
export function ramRegions(data: Stm32DeviceData, partName?: string): AddressRange[] {
  return ramRegionsOf(data, partName).map((r) => ({ start: r.start, end: r.start + r.bytes }));
}

/**
 * The write unit: fixed by the family, or the F2/F4/F7 parallelism (PSIZE) chosen from the
 * target voltage (HAL-F4 FLASH_VOLTAGE_RANGE_*: x32 from 2.7 V, x16 from 2.1 V, x8 below;
 * ST's flash_loader.c uses x32 above 2.7 V). Unknown voltage (clones report 0 V) gets x16,
 * which is safe from 2.1 V as OpenOCD's host-driven path uses. H7 programs whole flash
 * words whatever PSIZE says.
 */
export function parallelismFor(
  data: Stm32DeviceData,
  volts: number | undefined,
): { bytes: number; note?: string } {
  const known = volts !== undefined && volts > 0.5;
  if (data.controller.kind === 'h7') {
    return known && volts < 2.7 ? { bytes: 4 } : { bytes: 8 };
  }
  if (data.writeUnitBytes !== 'psize') return { bytes: 1 };
  if (!known) {
    return {
      bytes: 2,
      note: 'Target voltage unknown (the probe reports none): programming with x16 parallelism, which is safe from 2.1 V',
    };
  }
  if (volts >= 2.7) return { bytes: 4 };
  if (volts >= 2.1) return { bytes: 2, note: `Target at ${volts.toFixed(2)} V: x16 parallelism` };
  return { bytes: 1, note: `Target at ${volts.toFixed(2)} V: x8 parallelism (slow)` };
}

export function writeUnitOf(data: Stm32DeviceData, parallelismBytes: number): number {
  return data.writeUnitBytes === 'psize' ? parallelismBytes : data.writeUnitBytes;
}
