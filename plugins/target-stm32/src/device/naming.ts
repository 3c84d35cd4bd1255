import { parsePartNumber, type Stm32DeviceData } from '@flashwright/stm32-devices';

/** Device name for messages: the database line name plus the id it reported. */
export function deviceName(data: Stm32DeviceData): string {
  return `${data.name} [DEV_ID 0x${data.devId.toString(16).toUpperCase()}]`;
}

/**
 * Does a recipe's `target.device` name this chip? A part number ("STM32L151CBxxA") matches
 * when its line maps to the DEV_ID the chip reports; a line name ("STM32L1") matches its
 * line. Flash size codes are not compared: many parts carry more flash than their code says.
 */
export function matchesDeviceName(data: Stm32DeviceData, name: string): boolean {
  const wanted = name.trim().toUpperCase();
  if (wanted === data.line.toUpperCase() || wanted === 'STM32') return true;
  const part = parsePartNumber(wanted);
  return part !== undefined && part.devIds.includes(data.devId);
}
