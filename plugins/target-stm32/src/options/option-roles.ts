import type { AddressRange } from '@flashwright/core/image';
import type { FlashRegion, OptionFieldRole } from '@flashwright/core/plugin';
import type { OptionFieldData, OptionRoleData, Stm32DeviceData } from '@flashwright/stm32-devices';
import { rdpLevelOf } from '../flash/controller.js';
import { wpsnSectorsPerBit } from '../flash/h7.js';

/**
 * F0/F1/F3 and L0/L1 FLASH_WRPR: one bit per 4 KiB from the flash base (F0/F1/F3: 4 pages of
 * 1 KiB or 2 of 2 KiB, bit 31 taking the rest of larger parts, OpenOCD stm32f1x.c; L0/L1:
 * one sector of 4 KiB), as flash/f0-f1-f3.ts and flash/l0-l1.ts read it.
 */
const WRP_UNIT_BYTES = 4096;

/**
 * From reset the independent watchdog times out after 4096 x 4 LSI cycles (IWDG_PR /4 and
 * IWDG_RLR 0xFFF at reset), 410-512 ms at an LSI of 32-40 kHz: the IWDG chapters of
 * RM0008, RM0038 and RM0090.
 */
const IWDG_FIRST_TIMEOUT_MS = 500;

/**
 * Core's role for a field on the identified part: the read-protection levels, the flash
 * each write-protection bit covers on this flash layout, the watchdog and low-power reset
 * polarities (0 = hardware watchdog / reset on entry on every STM32).
 */
export function optionRole(
  field: OptionFieldData,
  data: Stm32DeviceData,
  flash: readonly FlashRegion[],
): OptionFieldRole | undefined {
  const role = field.role;
  switch (role?.kind) {
    case undefined:
      return undefined;
    case 'rdp':
      return { kind: 'read-protection', levelOf: (raw) => rdpLevelOf(data, raw) };
    case 'wrp':
      return {
        kind: 'write-protection',
        protectsWhen: role.protectsWhen,
        bitRanges: Array.from({ length: field.width }, (_, bit) =>
          wrpBitRanges(role, bit, field.width, data, flash),
        ),
      };
    case 'wrp-area':
      return {
        kind: 'write-protection-area',
        area: role.area,
        bound: role.bound,
        pages: flash[role.bank]?.sectors ?? [],
      };
    case 'watchdog':
      return {
        kind: 'watchdog',
        hardwareWhen: 0,
        softwareWhen: 1,
        firstTimeoutMs: IWDG_FIRST_TIMEOUT_MS,
      };
    case 'low-power-reset':
      return { kind: 'low-power-reset', mode: role.mode, resetsWhen: 0, entersWhen: 1 };
    case 'boot':
    case 'bank-mode':
    case 'user-data':
      return { kind: role.kind };
  }
}

/** The flash bit `bit` of a write-protection field covers, as each controller reads it. */
function wrpBitRanges(
  role: Extract<OptionRoleData, { kind: 'wrp' }>,
  bit: number,
  width: number,
  data: Stm32DeviceData,
  flash: readonly FlashRegion[],
): AddressRange[] {
  const index = (role.firstBit ?? 0) + bit;
  const end = flash.at(-1)?.end ?? data.flashBase;
  // Listed only where a bit maps to sectors: an L1's 512 sectors are not copied for each
  // of its 32 WRP bits.
  const sectors = (): readonly AddressRange[] =>
    role.bank === undefined ? flash.flatMap((r) => r.sectors) : (flash[role.bank]?.sectors ?? []);
  switch (data.controller.kind) {
    case 'f0-f1-f3':
    case 'l0-l1': {
      const start = data.flashBase + index * WRP_UNIT_BYTES;
      if (start >= end) return [];
      const last = data.controller.kind === 'f0-f1-f3' && index === 31;
      return [{ start, end: last ? end : Math.min(end, start + WRP_UNIT_BYTES) }];
    }
    case 'f2-f4-f7': {
      // F76x in dual-bank mode: one nWRP bit per two sectors; F413/F423: the last bit (14)
      // also covers sector 15 (OpenOCD stm32f2x.c), as flash/f2-f4-f7.ts reads it.
      const perBit = data.optionLayout === 'f76x' && flash.length > 1 ? 2 : 1;
      const first = index * perBit;
      return sectors().slice(first, bit === width - 1 ? undefined : first + perBit);
    }
    case 'h7': {
      const perBit = wpsnSectorsPerBit(data);
      return sectors().slice(index * perBit, (index + 1) * perBit);
    }
    default:
      return [];
  }
}
