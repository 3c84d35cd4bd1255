import type { CoreKind, Stm32DeviceData } from '@flashwright/stm32-devices';

/** Debug identification of a core as a probe reads it. */
export interface CoreIds {
  /** SW-DP DPIDR. */
  readonly dpidr: number;
  /** AHB-AP IDR. */
  readonly apIdr: number;
  /** SCB CPUID (0xE000ED00). */
  readonly cpuId: number;
}

/**
 * DPIDR: 0x1BA01477 is the SW-DP of ST's Cortex-M3 parts and 0x2BA01477 of Cortex-M4
 * (probe-protocols.md §3.1, stlink docs); 0x0BB11477 M0 and 0x0BC11477 M0+ (MINDP,
 * DPv1); 0x5BA02477 STM32F7 and 0x6BA02477 STM32H7 (targets.md §1.1); 0x0BE12477 the
 * DPv2 of the Cortex-M33 parts. AP IDRs: pyOCD's table in probe-protocols.md §3.3.
 * CPUID: implementer 0x41, architecture 0xF (v7-M/v8-M main) or 0xC (v6-M), PARTNO of the
 * core; revisions are those of typical STM32 silicon (M3 r1p1 on F1, r2p0 elsewhere...).
 */
const byCore: Readonly<Record<CoreKind, CoreIds>> = {
  'cortex-m0': { dpidr: 0x0bb11477, apIdr: 0x04770021, cpuId: 0x410cc200 },
  'cortex-m0+': { dpidr: 0x0bc11477, apIdr: 0x04770031, cpuId: 0x410cc601 },
  'cortex-m3': { dpidr: 0x1ba01477, apIdr: 0x24770011, cpuId: 0x412fc230 },
  'cortex-m4': { dpidr: 0x2ba01477, apIdr: 0x24770011, cpuId: 0x410fc241 },
  'cortex-m7': { dpidr: 0x5ba02477, apIdr: 0x04770041, cpuId: 0x411fc270 },
  'cortex-m33': { dpidr: 0x0be12477, apIdr: 0x14770005, cpuId: 0x410fd214 },
};

export function coreIds(device: Stm32DeviceData): CoreIds {
  const ids = byCore[device.core];
  // STM32F1 carries a Cortex-M3 r1p1 (CPUID 0x411FC231); STM32H7 its own SW-DP.
  if (device.line === 'STM32F1') return { ...ids, cpuId: 0x411fc231 };
  if (device.controller.kind === 'h7') return { ...ids, dpidr: 0x6ba02477 };
  return ids;
}
