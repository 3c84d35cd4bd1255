// Option-byte field tables per layout (data only). Bit positions from ST's CMSIS device
// headers: F2/F4/F7 FLASH_OPTCR_* (CMSIS-F2/F4/F7), L0/L1 option words (CMSIS-L0/L1
// OB_TypeDef and FLASH_OBR_*), L4/G0/G4/WB/WL FLASH_OPTR_* (stm32l476xx.h, stm32l4r5xx.h,
// stm32g0b1xx.h, stm32g474xx.h, CMSIS-WB/WL), H7 FLASH_OPTSR_* (stm32h743xx.h), F0/F1/F3
// option block (CMSIS-F0/F1/F3 OB_TypeDef). RDP level codes: the OB_RDP_LEVEL_* constants of
// each family's HAL driver (*_hal_flash_ex.h / *_hal_flash.h).
import type { OptionLayoutId } from './types.js';

/**
 * Where a field lives. Register names follow the CMSIS names of each controller family:
 * F0/F1/F3 option bytes (OB_TypeDef: one byte each, complement in the upper byte), F2/F4/F7
 * OPTCR/OPTCR1, L0/L1 option words (OB_TypeDef: 16-bit value, complement in the upper half),
 * L4-family OPTR and WRPxyR, H7 OPTSR and WPSN (the _PRG copies are written, _CUR read).
 */
export type OptionRegisterName =
  | 'RDP'
  | 'USER'
  | 'DATA0'
  | 'DATA1'
  | 'WRP0'
  | 'WRP1'
  | 'WRP2'
  | 'WRP3'
  | 'OPTCR'
  | 'OPTCR1'
  | 'WRP01'
  | 'WRP23'
  | 'OPTR'
  | 'WRP1AR'
  | 'WRP1BR'
  | 'WRP2AR'
  | 'WRP2BR'
  | 'OPTSR'
  | 'WPSN1'
  | 'WPSN2';

/**
 * What a field means, as data (target-stm32 turns it into core's option-field roles, with
 * the flash each write-protection bit covers on the identified part).
 */
export type OptionRoleData =
  /** Read protection: the levels are the field's `values` ("0", "1", "2"). */
  | { readonly kind: 'rdp' }
  /**
   * Write protection, one bit per area of flash. Bit i is protection bit `firstBit + i` of
   * the controller's scheme (F0/F1/F3: 4 KiB each from the flash base, the last bit taking
   * the rest; L0/L1: sector of 4 KiB; F2/F4/F7 and H7: sectors of `bank`, or of the whole
   * flash when absent).
   */
  | {
      readonly kind: 'wrp';
      readonly protectsWhen: 'bit-set' | 'bit-clear';
      readonly firstBit?: number;
      readonly bank?: 0 | 1;
    }
  /** One bound (first or last page) of a write-protected area of `bank` (L4). */
  | {
      readonly kind: 'wrp-area';
      readonly area: string;
      readonly bound: 'start' | 'end';
      readonly bank: 0 | 1;
    }
  /** Independent watchdog selection: 1 = software (firmware starts it), 0 = hardware. */
  | { readonly kind: 'watchdog' }
  /** 0 = the chip resets on entering this low-power mode. */
  | { readonly kind: 'low-power-reset'; readonly mode: 'stop' | 'standby' | 'shutdown' }
  /** Takes part in the boot selection; `bank2When`: the value that boots bank 2 (BFB2). */
  | { readonly kind: 'boot'; readonly bank2When?: 0 | 1 }
  /** Selects the bank organisation. */
  | { readonly kind: 'bank-mode' }
  /** User data bytes. */
  | { readonly kind: 'user-data' };

export interface OptionFieldData {
  readonly name: string;
  /** Other names users know the field by (e.g. IWDG_SW for WDG_SW). */
  readonly aliases?: readonly string[];
  readonly register: OptionRegisterName;
  readonly bit: number;
  readonly width: number;
  readonly description: string;
  /** Named values: RDP levels ("0", "1", "2") to the byte that selects them. */
  readonly values?: Readonly<Record<string, number>>;
  readonly role?: OptionRoleData;
}

const bit = (
  name: string,
  register: OptionRegisterName,
  position: number,
  description: string,
  extra: Partial<Pick<OptionFieldData, 'aliases' | 'role'>> = {},
): OptionFieldData => ({ name, register, bit: position, width: 1, description, ...extra });

const rdpRole = { kind: 'rdp' } as const;
const watchdog = { role: { kind: 'watchdog' } } as const;
const boot = { role: { kind: 'boot' } } as const;
const resetOn = (mode: 'stop' | 'standby' | 'shutdown') =>
  ({ role: { kind: 'low-power-reset', mode } }) as const;
/** Write protection where a clear bit protects (F0-F4, F7, H7). */
const nwrp = (firstBit = 0, bank?: 0 | 1): OptionRoleData =>
  bank === undefined
    ? { kind: 'wrp', protectsWhen: 'bit-clear', firstBit }
    : { kind: 'wrp', protectsWhen: 'bit-clear', firstBit, bank };

const field = (
  name: string,
  register: OptionRegisterName,
  position: number,
  width: number,
  description: string,
  extra: Partial<Pick<OptionFieldData, 'aliases' | 'values' | 'role'>> = {},
): OptionFieldData => ({ name, register, bit: position, width, description, ...extra });

const rdpDescription =
  'Read protection: level 0 open, level 1 flash readout blocked, level 2 permanent';
/** HAL OB_RDP_LEVEL_* of L0/L1/L4/G0/G4 and F0/F3. */
const rdpBB = { '0': 0xaa, '1': 0xbb, '2': 0xcc } as const;
/** HAL-F4 and HAL-H7 use 0x55 for level 1. */
const rdp55 = { '0': 0xaa, '1': 0x55, '2': 0xcc } as const;

// F0/F1/F3: option bytes at 0x1FFFF800, one byte per register (USER bit k = FLASH_OBR bit 8+k
// on F0/F3 and bit 2+k on F1).
const fpecCommon = (rdp: Readonly<Record<string, number>>): OptionFieldData[] => [
  field('RDP', 'RDP', 0, 8, rdpDescription, { values: rdp, role: rdpRole }),
  bit('WDG_SW', 'USER', 0, '1 = software watchdog, 0 = hardware watchdog', {
    aliases: ['IWDG_SW'],
    ...watchdog,
  }),
  bit('nRST_STOP', 'USER', 1, '0 = reset on entering Stop mode', resetOn('stop')),
  bit('nRST_STDBY', 'USER', 2, '0 = reset on entering Standby mode', resetOn('standby')),
  field('DATA0', 'DATA0', 0, 8, 'User data byte 0', { role: { kind: 'user-data' } }),
  field('DATA1', 'DATA1', 0, 8, 'User data byte 1', { role: { kind: 'user-data' } }),
  field('WRP0', 'WRP0', 0, 8, 'Write protection, first pages (bit = 0: protected)', {
    role: nwrp(0),
  }),
  field('WRP1', 'WRP1', 0, 8, 'Write protection (bit = 0: protected)', { role: nwrp(8) }),
  field('WRP2', 'WRP2', 0, 8, 'Write protection (bit = 0: protected)', { role: nwrp(16) }),
  field('WRP3', 'WRP3', 0, 8, 'Write protection, last pages (bit = 0: protected)', {
    role: nwrp(24),
  }),
];

const f1 = fpecCommon({ '0': 0xa5, '1': 0x00 });
const f1xl = [
  ...f1,
  // BFB2 = 0 boots bank 2 when it holds a valid image; 1 (the default) boots bank 1
  // (StdPeriph-F1 FLASH_BootConfig sets the bit for FLASH_BOOT_Bank1).
  bit('BFB2', 'USER', 3, '0 = boot from bank 2 when it holds a valid image', {
    role: { kind: 'boot', bank2When: 0 },
  }),
];
const f0 = [
  ...fpecCommon(rdpBB),
  bit('nBOOT0', 'USER', 3, 'BOOT0 value when BOOT_SEL = 0 (F04x/F09x only)', boot),
  bit('nBOOT1', 'USER', 4, 'Selects boot memory together with BOOT0', boot),
  bit('VDDA_MONITOR', 'USER', 5, '1 = VDDA supply monitor on'),
  bit('RAM_PARITY_CHECK', 'USER', 6, '0 = SRAM parity check on'),
  bit('BOOT_SEL', 'USER', 7, '1 = BOOT0 pin selects boot, 0 = nBOOT0 bit (F04x/F09x only)', boot),
];
const f3 = [
  ...fpecCommon(rdpBB),
  bit('nBOOT1', 'USER', 4, 'Selects boot memory together with BOOT0', boot),
  bit('VDDA_MONITOR', 'USER', 5, '1 = VDDA supply monitor on'),
  bit('SRAM_PE', 'USER', 6, '0 = SRAM parity check on'),
];

// F2/F4: FLASH_OPTCR.
const borLevF4 = field(
  'BOR_LEV',
  'OPTCR',
  2,
  2,
  'Brown-out reset level: 3 = off, 2 = level 1, 1 = level 2, 0 = level 3',
);
const f4Common = [
  borLevF4,
  bit('WDG_SW', 'OPTCR', 5, '1 = software watchdog, 0 = hardware watchdog', {
    aliases: ['IWDG_SW'],
    ...watchdog,
  }),
  bit('nRST_STOP', 'OPTCR', 6, '0 = reset on entering Stop mode', resetOn('stop')),
  bit('nRST_STDBY', 'OPTCR', 7, '0 = reset on entering Standby mode', resetOn('standby')),
  field('RDP', 'OPTCR', 8, 8, rdpDescription, { values: rdp55, role: rdpRole }),
];
const f2f4 = [
  ...f4Common,
  field('nWRP', 'OPTCR', 16, 12, 'Sector write protection, one bit per sector (0: protected)', {
    aliases: ['WRP'],
    role: nwrp(0, 0),
  }),
];
const f4dual = [
  ...f2f4,
  bit('BFB2', 'OPTCR', 4, '1 = boot from bank 2 when it holds a valid image', {
    role: { kind: 'boot', bank2When: 1 },
  }),
  field('DB1M', 'OPTCR', 30, 1, '1 = dual-bank mode on 1 MiB parts', {
    role: { kind: 'bank-mode' },
  }),
  field('nWRP2', 'OPTCR1', 16, 12, 'Bank-2 sector write protection (0: protected)', {
    role: nwrp(0, 1),
  }),
];
const f413 = [
  ...f4Common,
  field('nWRP', 'OPTCR', 16, 15, 'Sector write protection; sectors 14 and 15 share a bit', {
    aliases: ['WRP'],
    role: nwrp(),
  }),
];

// F7: OPTCR bits 28-31 are nDBOOT/nDBANK/IWDG_STDBY/IWDG_STOP, not the F4's DB1M/SPRMOD
// (CMSIS-F7 stm32f746xx.h, stm32f767xx.h).
const f7Common = [
  borLevF4,
  bit('WWDG_SW', 'OPTCR', 4, '1 = software window watchdog'),
  bit('IWDG_SW', 'OPTCR', 5, '1 = software independent watchdog', {
    aliases: ['WDG_SW'],
    ...watchdog,
  }),
  bit('nRST_STOP', 'OPTCR', 6, '0 = reset on entering Stop mode', resetOn('stop')),
  bit('nRST_STDBY', 'OPTCR', 7, '0 = reset on entering Standby mode', resetOn('standby')),
  field('RDP', 'OPTCR', 8, 8, rdpDescription, { values: rdp55, role: rdpRole }),
  bit('IWDG_STDBY', 'OPTCR', 30, '0 = IWDG frozen in Standby mode'),
  bit('IWDG_STOP', 'OPTCR', 31, '0 = IWDG frozen in Stop mode'),
  field('BOOT_ADD0', 'OPTCR1', 0, 16, 'Boot address when BOOT0 = 0 (address bits [29:14])', boot),
  field('BOOT_ADD1', 'OPTCR1', 16, 16, 'Boot address when BOOT0 = 1 (address bits [29:14])', boot),
];
const f7 = [
  ...f7Common,
  field('nWRP', 'OPTCR', 16, 8, 'Sector write protection (0: protected)', {
    aliases: ['WRP'],
    role: nwrp(),
  }),
];
const f76x = [
  ...f7Common,
  field('nWRP', 'OPTCR', 16, 12, 'Sector write protection (0: protected)', {
    aliases: ['WRP'],
    role: nwrp(),
  }),
  bit('nDBOOT', 'OPTCR', 28, '0 = dual-bank boot on', boot),
  field('nDBANK', 'OPTCR', 29, 1, '0 = dual-bank mode (changes the sector layout)', {
    role: { kind: 'bank-mode' },
  }),
];

// L0/L1: option words at 0x1FF80000 (value in [15:0], complement in [31:16]). The BFB2 bit
// (USER bit 7) boots bank 2 when set on L0 (HAL-L0 OB_BOOT_BANK2 = FLASH_OPTR_BFB2) but when
// clear on L1 (CMSIS-L1 FLASH_OBR_nRST_BFB2; HAL-L1 OB_BOOT_BANK1 = 0x80, the default).
const lxUser = (bfb2: OptionFieldData): OptionFieldData[] => [
  field('BOR_LEV', 'USER', 0, 4, 'Brown-out reset level: 0 = off (1.8 V), 8..12 = levels 1..5'),
  bit('IWDG_SW', 'USER', 4, '1 = software watchdog, 0 = hardware watchdog', {
    aliases: ['WDG_SW'],
    ...watchdog,
  }),
  bit('nRST_STOP', 'USER', 5, '0 = reset on entering Stop mode', resetOn('stop')),
  bit('nRST_STDBY', 'USER', 6, '0 = reset on entering Standby mode', resetOn('standby')),
  bfb2,
  field('WRP01', 'WRP01', 0, 16, 'Write protection of sectors 0-15 (bit = 1: protected)', {
    role: { kind: 'wrp', protectsWhen: 'bit-set', firstBit: 0 },
  }),
  field('WRP23', 'WRP23', 0, 16, 'Write protection of sectors 16-31 (bit = 1: protected)', {
    role: { kind: 'wrp', protectsWhen: 'bit-set', firstBit: 16 },
  }),
];
const l1 = [
  field('RDP', 'RDP', 0, 8, rdpDescription, { values: rdpBB, role: rdpRole }),
  bit('SPRMOD', 'RDP', 8, '1 = WRP bits act as PCROP (parts with PCROP only)'),
  ...lxUser(
    bit('BFB2', 'USER', 7, '0 = boot from bank 2 when it holds a valid image (dual-bank parts)', {
      role: { kind: 'boot', bank2When: 0 },
    }),
  ),
];
const l0 = [
  field('RDP', 'RDP', 0, 8, rdpDescription, { values: rdpBB, role: rdpRole }),
  bit('WPRMOD', 'RDP', 8, '1 = WRP bits act as PCROP'),
  ...lxUser(
    bit('BFB2', 'USER', 7, '1 = boot from bank 2 (dual-bank parts only)', {
      role: { kind: 'boot', bank2When: 1 },
    }),
  ),
  bit('nBOOT1', 'USER', 15, 'Selects boot memory together with BOOT0', boot),
];

// L4 family: FLASH_OPTR. RDP and the watchdog bits sit at the same place on every member.
const l4Common = [
  field('RDP', 'OPTR', 0, 8, rdpDescription, { values: rdpBB, role: rdpRole }),
  bit('IWDG_SW', 'OPTR', 16, '1 = software independent watchdog', {
    aliases: ['WDG_SW'],
    ...watchdog,
  }),
  bit('IWDG_STOP', 'OPTR', 17, '0 = IWDG frozen in Stop mode'),
  bit('IWDG_STDBY', 'OPTR', 18, '0 = IWDG frozen in Standby mode'),
  bit('WWDG_SW', 'OPTR', 19, '1 = software window watchdog'),
];
const l4Reset = [
  field('BOR_LEV', 'OPTR', 8, 3, 'Brown-out reset level 0..4 (1.7 V .. 2.8 V)'),
  bit('nRST_STOP', 'OPTR', 12, '0 = reset on entering Stop mode', resetOn('stop')),
  bit('nRST_STDBY', 'OPTR', 13, '0 = reset on entering Standby mode', resetOn('standby')),
  bit('nRST_SHDW', 'OPTR', 14, '0 = reset on entering Shutdown mode', resetOn('shutdown')),
];
const wrpAreas = (): OptionFieldData[] =>
  (['WRP1AR', 'WRP1BR', 'WRP2AR', 'WRP2BR'] as const).flatMap((register) => {
    const area = register.slice(0, 5);
    const bank = register.startsWith('WRP1') ? 0 : 1;
    return [
      field(`${area}_STRT`, register, 0, 8, `First page of write-protected area ${area}`, {
        role: { kind: 'wrp-area', area, bound: 'start', bank },
      }),
      field(`${area}_END`, register, 16, 8, `Last page of write-protected area ${area}`, {
        role: { kind: 'wrp-area', area, bound: 'end', bank },
      }),
    ];
  });
const l4 = [
  ...l4Common,
  ...l4Reset,
  bit('BFB2', 'OPTR', 20, '1 = boot from bank 2', { role: { kind: 'boot', bank2When: 1 } }),
  field('DUALBANK', 'OPTR', 21, 1, '1 = dual-bank mode on 256/512 KiB parts', {
    role: { kind: 'bank-mode' },
  }),
  bit('nBOOT1', 'OPTR', 23, 'Selects boot memory together with BOOT0', boot),
  bit('SRAM2_PE', 'OPTR', 24, '0 = SRAM2 parity check on'),
  bit('SRAM2_RST', 'OPTR', 25, '0 = SRAM2 erased on system reset'),
  ...wrpAreas(),
];
const l4plus = [
  ...l4Common,
  ...l4Reset,
  bit('BFB2', 'OPTR', 20, '1 = boot from bank 2', { role: { kind: 'boot', bank2When: 1 } }),
  field('DB1M', 'OPTR', 21, 1, '1 = dual-bank mode on the smaller parts', {
    role: { kind: 'bank-mode' },
  }),
  field('DBANK', 'OPTR', 22, 1, '1 = dual-bank mode on the largest parts', {
    role: { kind: 'bank-mode' },
  }),
  bit('nBOOT1', 'OPTR', 23, 'Selects boot memory together with BOOT0', boot),
  bit('SRAM2_PE', 'OPTR', 24, '0 = SRAM2 parity check on'),
  bit('SRAM2_RST', 'OPTR', 25, '0 = SRAM2 erased on system reset'),
  bit('nSWBOOT0', 'OPTR', 26, '0 = BOOT0 taken from nBOOT0, 1 = from the pin', boot),
  bit('nBOOT0', 'OPTR', 27, 'BOOT0 value when nSWBOOT0 = 0', boot),
];
const g4 = [
  ...l4Common,
  ...l4Reset,
  bit('BFB2', 'OPTR', 20, '1 = boot from bank 2 (Cat.3 only)', {
    role: { kind: 'boot', bank2When: 1 },
  }),
  field('DBANK', 'OPTR', 22, 1, '1 = dual-bank mode (Cat.3 only)', { role: { kind: 'bank-mode' } }),
  bit('nBOOT1', 'OPTR', 23, 'Selects boot memory together with BOOT0', boot),
  bit('SRAM_PE', 'OPTR', 24, '0 = SRAM parity check on'),
  bit('CCMSRAM_RST', 'OPTR', 25, '0 = CCM SRAM erased on system reset'),
  bit('nSWBOOT0', 'OPTR', 26, '0 = BOOT0 taken from nBOOT0, 1 = from the pin', boot),
  bit('nBOOT0', 'OPTR', 27, 'BOOT0 value when nSWBOOT0 = 0', boot),
  field('NRST_MODE', 'OPTR', 28, 2, 'NRST pin: 1 = reset input only, 2 = GPIO, 3 = bidirectional'),
  bit('IRHEN', 'OPTR', 30, '1 = internal resets drive NRST'),
];
// G0 moves the reset bits up by one and splits BOR into BORR/BORF (CMSIS-G0 stm32g0b1xx.h).
const g0 = [
  ...l4Common,
  bit('BOR_EN', 'OPTR', 8, '1 = brown-out reset on'),
  field('BORR_LEV', 'OPTR', 9, 2, 'Brown-out rising threshold'),
  field('BORF_LEV', 'OPTR', 11, 2, 'Brown-out falling threshold'),
  bit('nRST_STOP', 'OPTR', 13, '0 = reset on entering Stop mode', resetOn('stop')),
  bit('nRST_STDBY', 'OPTR', 14, '0 = reset on entering Standby mode', resetOn('standby')),
  bit('nRST_SHDW', 'OPTR', 15, '0 = reset on entering Shutdown mode', resetOn('shutdown')),
  bit('nSWAP_BANK', 'OPTR', 20, '0 = banks swapped (G0B/G0C only)'),
  field('DUAL_BANK', 'OPTR', 21, 1, '1 = dual-bank mode (G0B/G0C only)', {
    role: { kind: 'bank-mode' },
  }),
  bit('RAM_PARITY_CHECK', 'OPTR', 22, '0 = SRAM parity check on'),
  bit('nBOOT_SEL', 'OPTR', 24, '1 = BOOT0 taken from nBOOT0, 0 = from the pin', boot),
  bit('nBOOT1', 'OPTR', 25, 'Selects boot memory together with BOOT0', boot),
  bit('nBOOT0', 'OPTR', 26, 'BOOT0 value when nBOOT_SEL = 1', boot),
  field('NRST_MODE', 'OPTR', 27, 2, 'NRST pin: 1 = reset input only, 2 = GPIO, 3 = bidirectional'),
  bit('IRHEN', 'OPTR', 29, '1 = internal resets drive NRST'),
];
const wbwl = [
  ...l4Common,
  field('BOR_LEV', 'OPTR', 9, 3, 'Brown-out reset level 0..4'),
  bit('nRST_STOP', 'OPTR', 12, '0 = reset on entering Stop mode', resetOn('stop')),
  bit('nRST_STDBY', 'OPTR', 13, '0 = reset on entering Standby mode', resetOn('standby')),
  bit('nRST_SHDW', 'OPTR', 14, '0 = reset on entering Shutdown mode', resetOn('shutdown')),
  bit('nBOOT1', 'OPTR', 23, 'Selects boot memory together with BOOT0', boot),
  bit('SRAM2_PE', 'OPTR', 24, '0 = SRAM2 parity check on'),
  bit('SRAM2_RST', 'OPTR', 25, '0 = SRAM2 erased on system reset'),
  bit('nSWBOOT0', 'OPTR', 26, '0 = BOOT0 taken from nBOOT0, 1 = from the pin', boot),
  bit('nBOOT0', 'OPTR', 27, 'BOOT0 value when nSWBOOT0 = 0', boot),
];
// L5/U5/U3/WBA: RDP, BOR_LEV [10:8], nRST_STOP/STDBY/SHDW 12-14 and the watchdog bits 16-19
// sit where the L4 has them (checked: CMSIS-L5 @593f41f stm32l552xx.h, CMSIS-U5 @48a64b6
// stm32u585xx.h). TZEN and the secure-watermark fields are not offered.
const l5u5 = [...l4Common, ...l4Reset];

// H7: FLASH_OPTSR_PRG (written) / OPTSR_CUR (read).
const h7 = [
  field('BOR_LEV', 'OPTSR', 2, 2, 'Brown-out reset level 0..3'),
  bit('IWDG1_SW', 'OPTSR', 4, '1 = software independent watchdog', {
    aliases: ['IWDG_SW'],
    ...watchdog,
  }),
  bit('NRST_STOP_D1', 'OPTSR', 6, '0 = reset when D1 enters Stop mode', {
    aliases: ['nRST_STOP'],
    ...resetOn('stop'),
  }),
  bit('NRST_STBY_D1', 'OPTSR', 7, '0 = reset when D1 enters Standby mode', {
    aliases: ['nRST_STDBY'],
    ...resetOn('standby'),
  }),
  field('RDP', 'OPTSR', 8, 8, rdpDescription, { values: rdp55, role: rdpRole }),
  bit('FZ_IWDG_STOP', 'OPTSR', 17, '0 = IWDG frozen in Stop mode'),
  bit('FZ_IWDG_SDBY', 'OPTSR', 18, '0 = IWDG frozen in Standby mode'),
  field('ST_RAM_SIZE', 'OPTSR', 19, 2, 'DTCM RAM share reserved for ST secure code'),
  bit('IO_HSLV', 'OPTSR', 29, '1 = I/O high-speed at low voltage'),
  bit('SWAP_BANK_OPT', 'OPTSR', 31, '1 = banks swapped'),
  field('WPSN1', 'WPSN1', 0, 8, 'Bank-1 sector write protection (bit = 0: protected)', {
    role: nwrp(0, 0),
  }),
  field('WPSN2', 'WPSN2', 0, 8, 'Bank-2 sector write protection (bit = 0: protected)', {
    role: nwrp(0, 1),
  }),
];

export const optionLayouts: Readonly<Record<OptionLayoutId, readonly OptionFieldData[]>> = {
  f0,
  f1,
  'f1-xl': f1xl,
  f3,
  'f2-f4': f2f4,
  'f4-dual': f4dual,
  f413,
  f7,
  f76x,
  l0,
  l1,
  l4,
  'l4+': l4plus,
  g0,
  g4,
  wb: [...wbwl],
  wl: [...wbwl],
  'l4-common': l4Common,
  'l5-u5': l5u5,
  h7,
  none: [],
};
