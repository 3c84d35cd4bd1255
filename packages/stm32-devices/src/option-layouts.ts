// Option-byte field tables per layout (data only). Bit positions: shared/reference/targets.md
// §2.2 (F2/F4/F7 OPTCR, checked against CMSIS-F2/F4/F7), §2.3 and §3.2 (L0/L1 option words,
// CMSIS-L0/L1 OB_TypeDef and FLASH_OBR), §2.4 (L4/G0/G4/WB/WL OPTR, CMSIS per family), §2.5
// (H7 OPTSR, CMSIS-H7), §3.2 (F0/F1/F3 option block, CMSIS-F0/F1/F3 OB_TypeDef). RDP level
// codes: the HAL constants of targets.md §3.1.
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
  /** 'rdp' needs the read-protection rules; 'wrp' fields are write protection. */
  readonly role?: 'rdp' | 'wrp' | 'bank-mode';
}

const bit = (
  name: string,
  register: OptionRegisterName,
  position: number,
  description: string,
  aliases?: readonly string[],
): OptionFieldData =>
  aliases === undefined
    ? { name, register, bit: position, width: 1, description }
    : { name, register, bit: position, width: 1, description, aliases };

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
  field('RDP', 'RDP', 0, 8, rdpDescription, { values: rdp, role: 'rdp' }),
  bit('WDG_SW', 'USER', 0, '1 = software watchdog, 0 = hardware watchdog', ['IWDG_SW']),
  bit('nRST_STOP', 'USER', 1, '0 = reset on entering Stop mode'),
  bit('nRST_STDBY', 'USER', 2, '0 = reset on entering Standby mode'),
  field('DATA0', 'DATA0', 0, 8, 'User data byte 0'),
  field('DATA1', 'DATA1', 0, 8, 'User data byte 1'),
  field('WRP0', 'WRP0', 0, 8, 'Write protection, first pages (bit = 0: protected)', {
    role: 'wrp',
  }),
  field('WRP1', 'WRP1', 0, 8, 'Write protection (bit = 0: protected)', { role: 'wrp' }),
  field('WRP2', 'WRP2', 0, 8, 'Write protection (bit = 0: protected)', { role: 'wrp' }),
  field('WRP3', 'WRP3', 0, 8, 'Write protection, last pages (bit = 0: protected)', {
    role: 'wrp',
  }),
];

const f1 = fpecCommon({ '0': 0xa5, '1': 0x00 });
const f1xl = [...f1, bit('BFB2', 'USER', 3, '0 = boot from bank 2 when it holds a valid image')];
const f0 = [
  ...fpecCommon(rdpBB),
  bit('nBOOT0', 'USER', 3, 'BOOT0 value when BOOT_SEL = 0 (F04x/F09x only)'),
  bit('nBOOT1', 'USER', 4, 'Selects boot memory together with BOOT0'),
  bit('VDDA_MONITOR', 'USER', 5, '1 = VDDA supply monitor on'),
  bit('RAM_PARITY_CHECK', 'USER', 6, '0 = SRAM parity check on'),
  bit('BOOT_SEL', 'USER', 7, '1 = BOOT0 pin selects boot, 0 = nBOOT0 bit (F04x/F09x only)'),
];
const f3 = [
  ...fpecCommon(rdpBB),
  bit('nBOOT1', 'USER', 4, 'Selects boot memory together with BOOT0'),
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
  bit('WDG_SW', 'OPTCR', 5, '1 = software watchdog, 0 = hardware watchdog', ['IWDG_SW']),
  bit('nRST_STOP', 'OPTCR', 6, '0 = reset on entering Stop mode'),
  bit('nRST_STDBY', 'OPTCR', 7, '0 = reset on entering Standby mode'),
  field('RDP', 'OPTCR', 8, 8, rdpDescription, { values: rdp55, role: 'rdp' }),
];
const f2f4 = [
  ...f4Common,
  field('nWRP', 'OPTCR', 16, 12, 'Sector write protection, one bit per sector (0: protected)', {
    aliases: ['WRP'],
    role: 'wrp',
  }),
];
const f4dual = [
  ...f2f4,
  bit('BFB2', 'OPTCR', 4, '1 = boot from bank 2 when it holds a valid image'),
  field('DB1M', 'OPTCR', 30, 1, '1 = dual-bank mode on 1 MiB parts', { role: 'bank-mode' }),
  field('nWRP2', 'OPTCR1', 16, 12, 'Bank-2 sector write protection (0: protected)', {
    role: 'wrp',
  }),
];
const f413 = [
  ...f4Common,
  field('nWRP', 'OPTCR', 16, 15, 'Sector write protection; sectors 14 and 15 share a bit', {
    aliases: ['WRP'],
    role: 'wrp',
  }),
];

// F7: OPTCR bits 28-31 are nDBOOT/nDBANK/IWDG_STDBY/IWDG_STOP (targets.md §2.2 correction).
const f7Common = [
  borLevF4,
  bit('WWDG_SW', 'OPTCR', 4, '1 = software window watchdog'),
  bit('IWDG_SW', 'OPTCR', 5, '1 = software independent watchdog', ['WDG_SW']),
  bit('nRST_STOP', 'OPTCR', 6, '0 = reset on entering Stop mode'),
  bit('nRST_STDBY', 'OPTCR', 7, '0 = reset on entering Standby mode'),
  field('RDP', 'OPTCR', 8, 8, rdpDescription, { values: rdp55, role: 'rdp' }),
  bit('IWDG_STDBY', 'OPTCR', 30, '0 = IWDG frozen in Standby mode'),
  bit('IWDG_STOP', 'OPTCR', 31, '0 = IWDG frozen in Stop mode'),
  field('BOOT_ADD0', 'OPTCR1', 0, 16, 'Boot address when BOOT0 = 0 (address bits [29:14])'),
  field('BOOT_ADD1', 'OPTCR1', 16, 16, 'Boot address when BOOT0 = 1 (address bits [29:14])'),
];
const f7 = [
  ...f7Common,
  field('nWRP', 'OPTCR', 16, 8, 'Sector write protection (0: protected)', {
    aliases: ['WRP'],
    role: 'wrp',
  }),
];
const f76x = [
  ...f7Common,
  field('nWRP', 'OPTCR', 16, 12, 'Sector write protection (0: protected)', {
    aliases: ['WRP'],
    role: 'wrp',
  }),
  bit('nDBOOT', 'OPTCR', 28, '0 = dual-bank boot on'),
  field('nDBANK', 'OPTCR', 29, 1, '0 = dual-bank mode (changes the sector layout)', {
    role: 'bank-mode',
  }),
];

// L0/L1: option words at 0x1FF80000 (value in [15:0], complement in [31:16]).
const lxUser = [
  field('BOR_LEV', 'USER', 0, 4, 'Brown-out reset level: 0 = off (1.8 V), 8..12 = levels 1..5'),
  bit('IWDG_SW', 'USER', 4, '1 = software watchdog, 0 = hardware watchdog', ['WDG_SW']),
  bit('nRST_STOP', 'USER', 5, '0 = reset on entering Stop mode'),
  bit('nRST_STDBY', 'USER', 6, '0 = reset on entering Standby mode'),
  bit('BFB2', 'USER', 7, '1 = boot from bank 2 (dual-bank parts only)'),
  field('WRP01', 'WRP01', 0, 16, 'Write protection of sectors 0-15 (bit = 1: protected)', {
    role: 'wrp',
  }),
  field('WRP23', 'WRP23', 0, 16, 'Write protection of sectors 16-31 (bit = 1: protected)', {
    role: 'wrp',
  }),
];
const l1 = [
  field('RDP', 'RDP', 0, 8, rdpDescription, { values: rdpBB, role: 'rdp' }),
  bit('SPRMOD', 'RDP', 8, '1 = WRP bits act as PCROP (parts with PCROP only)'),
  ...lxUser,
];
const l0 = [
  field('RDP', 'RDP', 0, 8, rdpDescription, { values: rdpBB, role: 'rdp' }),
  bit('WPRMOD', 'RDP', 8, '1 = WRP bits act as PCROP'),
  ...lxUser,
  bit('nBOOT1', 'USER', 15, 'Selects boot memory together with BOOT0'),
];

// L4 family: FLASH_OPTR. RDP and the watchdog bits sit at the same place on every member.
const l4Common = [
  field('RDP', 'OPTR', 0, 8, rdpDescription, { values: rdpBB, role: 'rdp' }),
  bit('IWDG_SW', 'OPTR', 16, '1 = software independent watchdog', ['WDG_SW']),
  bit('IWDG_STOP', 'OPTR', 17, '0 = IWDG frozen in Stop mode'),
  bit('IWDG_STDBY', 'OPTR', 18, '0 = IWDG frozen in Standby mode'),
  bit('WWDG_SW', 'OPTR', 19, '1 = software window watchdog'),
];
const l4Reset = [
  field('BOR_LEV', 'OPTR', 8, 3, 'Brown-out reset level 0..4 (1.7 V .. 2.8 V)'),
  bit('nRST_STOP', 'OPTR', 12, '0 = reset on entering Stop mode'),
  bit('nRST_STDBY', 'OPTR', 13, '0 = reset on entering Standby mode'),
  bit('nRST_SHDW', 'OPTR', 14, '0 = reset on entering Shutdown mode'),
];
const wrpAreas = (): OptionFieldData[] =>
  (['WRP1AR', 'WRP1BR', 'WRP2AR', 'WRP2BR'] as const).flatMap((register) => {
    const area = register.slice(0, 5);
    return [
      field(`${area}_STRT`, register, 0, 8, `First page of write-protected area ${area}`, {
        role: 'wrp',
      }),
      field(`${area}_END`, register, 16, 8, `Last page of write-protected area ${area}`, {
        role: 'wrp',
      }),
    ];
  });
const l4 = [
  ...l4Common,
  ...l4Reset,
  bit('BFB2', 'OPTR', 20, '1 = boot from bank 2'),
  field('DUALBANK', 'OPTR', 21, 1, '1 = dual-bank mode on 256/512 KiB parts', {
    role: 'bank-mode',
  }),
  bit('nBOOT1', 'OPTR', 23, 'Selects boot memory together with BOOT0'),
  bit('SRAM2_PE', 'OPTR', 24, '0 = SRAM2 parity check on'),
  bit('SRAM2_RST', 'OPTR', 25, '0 = SRAM2 erased on system reset'),
  ...wrpAreas(),
];
const l4plus = [
  ...l4Common,
  ...l4Reset,
  bit('BFB2', 'OPTR', 20, '1 = boot from bank 2'),
  field('DB1M', 'OPTR', 21, 1, '1 = dual-bank mode on the smaller parts', { role: 'bank-mode' }),
  field('DBANK', 'OPTR', 22, 1, '1 = dual-bank mode on the largest parts', { role: 'bank-mode' }),
  bit('nBOOT1', 'OPTR', 23, 'Selects boot memory together with BOOT0'),
  bit('SRAM2_PE', 'OPTR', 24, '0 = SRAM2 parity check on'),
  bit('SRAM2_RST', 'OPTR', 25, '0 = SRAM2 erased on system reset'),
  bit('nSWBOOT0', 'OPTR', 26, '0 = BOOT0 taken from nBOOT0, 1 = from the pin'),
  bit('nBOOT0', 'OPTR', 27, 'BOOT0 value when nSWBOOT0 = 0'),
];
const g4 = [
  ...l4Common,
  ...l4Reset,
  bit('BFB2', 'OPTR', 20, '1 = boot from bank 2 (Cat.3 only)'),
  field('DBANK', 'OPTR', 22, 1, '1 = dual-bank mode (Cat.3 only)', { role: 'bank-mode' }),
  bit('nBOOT1', 'OPTR', 23, 'Selects boot memory together with BOOT0'),
  bit('SRAM_PE', 'OPTR', 24, '0 = SRAM parity check on'),
  bit('CCMSRAM_RST', 'OPTR', 25, '0 = CCM SRAM erased on system reset'),
  bit('nSWBOOT0', 'OPTR', 26, '0 = BOOT0 taken from nBOOT0, 1 = from the pin'),
  bit('nBOOT0', 'OPTR', 27, 'BOOT0 value when nSWBOOT0 = 0'),
  field('NRST_MODE', 'OPTR', 28, 2, 'NRST pin: 1 = reset input only, 2 = GPIO, 3 = bidirectional'),
  bit('IRHEN', 'OPTR', 30, '1 = internal resets drive NRST'),
];
// G0 moves the reset bits up by one and splits BOR into BORR/BORF (CMSIS-G0 stm32g0b1xx.h).
const g0 = [
  ...l4Common,
  bit('BOR_EN', 'OPTR', 8, '1 = brown-out reset on'),
  field('BORR_LEV', 'OPTR', 9, 2, 'Brown-out rising threshold'),
  field('BORF_LEV', 'OPTR', 11, 2, 'Brown-out falling threshold'),
  bit('nRST_STOP', 'OPTR', 13, '0 = reset on entering Stop mode'),
  bit('nRST_STDBY', 'OPTR', 14, '0 = reset on entering Standby mode'),
  bit('nRST_SHDW', 'OPTR', 15, '0 = reset on entering Shutdown mode'),
  bit('nSWAP_BANK', 'OPTR', 20, '0 = banks swapped (G0B/G0C only)'),
  field('DUAL_BANK', 'OPTR', 21, 1, '1 = dual-bank mode (G0B/G0C only)', { role: 'bank-mode' }),
  bit('RAM_PARITY_CHECK', 'OPTR', 22, '0 = SRAM parity check on'),
  bit('nBOOT_SEL', 'OPTR', 24, '1 = BOOT0 taken from nBOOT0, 0 = from the pin'),
  bit('nBOOT1', 'OPTR', 25, 'Selects boot memory together with BOOT0'),
  bit('nBOOT0', 'OPTR', 26, 'BOOT0 value when nBOOT_SEL = 1'),
  field('NRST_MODE', 'OPTR', 27, 2, 'NRST pin: 1 = reset input only, 2 = GPIO, 3 = bidirectional'),
  bit('IRHEN', 'OPTR', 29, '1 = internal resets drive NRST'),
];
const wbwl = [
  ...l4Common,
  field('BOR_LEV', 'OPTR', 9, 3, 'Brown-out reset level 0..4'),
  bit('nRST_STOP', 'OPTR', 12, '0 = reset on entering Stop mode'),
  bit('nRST_STDBY', 'OPTR', 13, '0 = reset on entering Standby mode'),
  bit('nRST_SHDW', 'OPTR', 14, '0 = reset on entering Shutdown mode'),
  bit('nBOOT1', 'OPTR', 23, 'Selects boot memory together with BOOT0'),
  bit('SRAM2_PE', 'OPTR', 24, '0 = SRAM2 parity check on'),
  bit('SRAM2_RST', 'OPTR', 25, '0 = SRAM2 erased on system reset'),
  bit('nSWBOOT0', 'OPTR', 26, '0 = BOOT0 taken from nBOOT0, 1 = from the pin'),
  bit('nBOOT0', 'OPTR', 27, 'BOOT0 value when nSWBOOT0 = 0'),
];
// L5/U5/U3/WBA: RDP, BOR_LEV [10:8], nRST_STOP/STDBY/SHDW 12-14 and the watchdog bits 16-19
// sit where the L4 has them (checked: CMSIS-L5 @593f41f stm32l552xx.h, CMSIS-U5 @48a64b6
// stm32u585xx.h). TZEN and the secure-watermark fields are not offered.
const l5u5 = [...l4Common, ...l4Reset];

// H7: FLASH_OPTSR_PRG (written) / OPTSR_CUR (read).
const h7 = [
  field('BOR_LEV', 'OPTSR', 2, 2, 'Brown-out reset level 0..3'),
  bit('IWDG1_SW', 'OPTSR', 4, '1 = software independent watchdog', ['IWDG_SW']),
  bit('NRST_STOP_D1', 'OPTSR', 6, '0 = reset when D1 enters Stop mode', ['nRST_STOP']),
  bit('NRST_STBY_D1', 'OPTSR', 7, '0 = reset when D1 enters Standby mode', ['nRST_STDBY']),
  field('RDP', 'OPTSR', 8, 8, rdpDescription, { values: rdp55, role: 'rdp' }),
  bit('FZ_IWDG_STOP', 'OPTSR', 17, '0 = IWDG frozen in Stop mode'),
  bit('FZ_IWDG_SDBY', 'OPTSR', 18, '0 = IWDG frozen in Standby mode'),
  field('ST_RAM_SIZE', 'OPTSR', 19, 2, 'DTCM RAM share reserved for ST secure code'),
  bit('IO_HSLV', 'OPTSR', 29, '1 = I/O high-speed at low voltage'),
  bit('SWAP_BANK_OPT', 'OPTSR', 31, '1 = banks swapped'),
  field('WPSN1', 'WPSN1', 0, 8, 'Bank-1 sector write protection (bit = 0: protected)', {
    role: 'wrp',
  }),
  field('WPSN2', 'WPSN2', 0, 8, 'Bank-2 sector write protection (bit = 0: protected)', {
    role: 'wrp',
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
