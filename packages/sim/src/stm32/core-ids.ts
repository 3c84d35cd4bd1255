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
 * DPIDR of the SW-DP, one per core, as stlink-org inc/stm32.h (enum stm32_core_id, each value
 * with the RM section it comes from) lists them: 0x0BB11477 M0 (F0, G0), 0x0BC11477 M0+
 * (L0), 0x1BA01477 M3 r1p1 (F1), 0x2BA01477 M3 r2p0 (F2: RM0033 32.8.3; L1: RM0038 30.8.3)
 * and M4F (F4, G4), 0x5BA02477 F7, 0x6BA02477 H7. OpenOCD's stock target/stm32l1.cfg and
 * stm32f2x.cfg expect 0x2BA01477 too, and its HLA (interface/stlink.cfg) connect refuses
 * another DPIDR. stlink's 0x1BA01477 for the M4 of F3/L4 is not followed: OpenOCD's
 * stm32f3x.cfg and stm32l4x.cfg expect 0x2BA01477. Unconfirmed: 0x0BE12477 for the
 * Cortex-M33 parts (OpenOCD prints it for STM32U5 boards; stlink lists 0x0BE02477). AP IDRs:
 * pyOCD coresight/ap.py. CPUID: implementer 0x41, architecture 0xF (v7-M/v8-M main) or 0xC
 * (v6-M), PARTNO of the core (OpenOCD src/target/cortex_m.h, pyOCD coresight/core_ids.py);
 * revisions are those of typical STM32 silicon (M3 r1p1 on F1, r2p0 elsewhere...).
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
  // STM32F1 carries a Cortex-M3 r1p1 (CPUID 0x411FC231) with the r1p1 SW-DP; the M3 r2p0
  // of F2 and L1 has SW-DP 0x2BA01477; STM32H7 its own SW-DP.
  if (device.line === 'STM32F1') return { ...ids, cpuId: 0x411fc231 };
  if (device.core === 'cortex-m3') return { ...ids, dpidr: 0x2ba01477 };
  if (device.controller.kind === 'h7') return { ...ids, dpidr: 0x6ba02477 };
  return ids;
}
