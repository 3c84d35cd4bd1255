import type { Stm32DeviceData } from '@flashwright/stm32-devices';
import type { BusRegion } from '../bus.js';
import { RegisterBlock } from './register-block.js';

/**
 * Blocks that exist on silicon and that a debugger reads without using them: they read their
 * reset values and keep nothing written. OpenOCD 0.12 src/flash/nor/stm32l4x.c looks for
 * DBGMCU_IDCODE at 0xE0042000 (L4), then 0x40015800 (G0), then 0xE0044000 (L5/U5/U3/WBA),
 * taking the first non-zero DEV_ID; on the TrustZone-era parts the first two addresses hold
 * other blocks, which read 0 there:
 * - 0xE0042000: the Cortex-M33 cross-trigger interface (CTI) in the external PPB
 *   (Cortex-M33 TRM "Processor memory map"; RM0438, RM0456, RM0487 and RM0493 debug chapters
 *   list the CTI); CTICONTROL (+0x000) resets to 0, the CTI disabled. Its identification
 *   registers are not modelled (they read 0).
 * - 0x40015800: SAI2 on the L5 and U5 parts that have one (RM0438 and RM0456 memory maps;
 *   CMSIS SAI2_BASE_NS). With its clock off (RCC_APB2ENR.SAI2EN = 0 after reset) a write is
 *   lost; the registers read their reset values: GCR 0, xCR1 0x40, xFRCR 0x07, xSR 0x08
 *   (RM0438/RM0456 "SAI register map").
 */
export function quietBlocks(device: Stm32DeviceData): BusRegion[] {
  const blocks: BusRegion[] = [];
  if (device.controller.kind === 'l5-u5') {
    blocks.push(readsReset('CTI (Cortex-M33)', 0xe0042000, 0x1000, {}));
  }
  // U535/U545 (0x455) have no SAI2 (CMSIS-U5 stm32u545xx.h defines no SAI2_BASE_NS).
  if (device.line === 'STM32L5' || (device.line === 'STM32U5' && device.devId !== 0x455)) {
    const sub = (base: number) => ({
      [base + 0x04]: 0x40,
      [base + 0x0c]: 0x07,
      [base + 0x18]: 0x08,
    });
    blocks.push(readsReset('SAI2 (clock off)', 0x40015800, 0x400, { ...sub(0), ...sub(0x20) }));
  }
  return blocks;
}

function readsReset(
  name: string,
  base: number,
  bytes: number,
  resetValues: Readonly<Record<number, number>>,
): RegisterBlock {
  return new RegisterBlock(name, base, base + bytes, {
    read: (offset) => resetValues[offset] ?? 0,
    write: () => undefined,
  });
}
