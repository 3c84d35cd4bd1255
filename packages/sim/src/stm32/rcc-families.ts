import type { Stm32DeviceData } from '@flashwright/stm32-devices';
import type { ClockSwitch, ReadyPair, RccSpec } from './rcc.js';

// RCC per product line. Base addresses and bit positions are those of the CMSIS device
// headers (STMicroelectronics/cmsis_device_xx, Include/<part>.h: RCC_BASE, RCC_CR_*ON_Pos,
// RCC_CR_*RDY_Pos, RCC_CFGR_SW_Pos, RCC_CFGR_SWS_Pos). Reset values are ST's SVD values as
// stm32-rs-nightlies generates them (<line>/src/<part>/rcc/*.rs RESET_VALUE), except where
// the SVD contradicts the RM's bit meanings; there the reset state HAL_RCC_DeInit restores
// is used (stm32g0xx/g4xx/h7xx_hal_driver Src/*_hal_rcc.c), marked below. Backup-domain and
// reset-flag registers (BDCR, CSR, RSR) are left at 0: they are not clocks.

const CR = 0x00;

function pairs(offset: number, bits: readonly (readonly [number, number])[]): ReadyPair[] {
  return bits.map(([enable, ready]) => ({ offset, enable, ready }));
}

const SW2: ClockSwitch = { offset: 0x04, width: 2, swsShift: 2 };
/** CFGR at +0x04 (F0/F1/F3), +0x08 (F2/F4/F7, L1, L4, G4, WB, WL), +0x0C (L0). */
function sw2(offset: number): ClockSwitch {
  return { ...SW2, offset };
}
/** G0, C0, U0, H7: SW[2:0], SWS[5:3]. */
function sw3(offset: number): ClockSwitch {
  return { offset, width: 3, swsShift: 3 };
}

// HSI 0/1, HSE 16/17, PLL 24/25 (F0, F1, F3: stm32f030x8.h, stm32f103xb.h, stm32f303xc.h).
const F_CR_PAIRS: readonly (readonly [number, number])[] = [
  [0, 1],
  [16, 17],
  [24, 25],
];

// MSI 0/1, HSI 8/10, HSE 16/17, PLL 24/25, PLLSAI1 26/27, PLLSAI2 28/29 (L4 and L5, whose
// RCC_CR is the same: stm32l476xx.h, stm32l552xx.h).
const L4_CR_PAIRS: readonly (readonly [number, number])[] = [
  [0, 1],
  [8, 10],
  [16, 17],
  [24, 25],
  [26, 27],
  [28, 29],
];

/** F0/F1/F3 (SVD stm32f0x0, stm32f103, stm32f303: CR 0x83, AHBENR 0x14). */
const F0F1F3: Omit<RccSpec, 'ready'> = {
  base: 0x40021000,
  resetValues: { [CR]: 0x83, 0x14: 0x14 },
  clockSwitch: sw2(0x04),
  source: 'CMSIS stm32f0xx/f1xx/f3xx headers; SVD stm32f0x0/stm32f103/stm32f303',
};

const FAMILIES: Readonly<Record<string, RccSpec>> = {
  STM32F0: {
    ...F0F1F3,
    // CR2 (0x34): HSI14ON/RDY 0/1, HSI48ON/RDY 16/17 (stm32f072xb.h); HSI14TRIM 16 = 0x80.
    resetValues: { ...F0F1F3.resetValues, 0x34: 0x80 },
    ready: [
      ...pairs(CR, F_CR_PAIRS),
      ...pairs(0x34, [
        [0, 1],
        [16, 17],
      ]),
    ],
  },
  // F1 connectivity line adds PLL2 26/27 and PLL3 28/29 (stm32f107xc.h); reserved elsewhere.
  STM32F1: {
    ...F0F1F3,
    ready: pairs(CR, [...F_CR_PAIRS, [26, 27], [28, 29]]),
  },
  STM32F3: { ...F0F1F3, ready: pairs(CR, F_CR_PAIRS) },
  ...Object.fromEntries(
    ['STM32F2', 'STM32F4', 'STM32F7'].map((line) => [
      line,
      {
        base: 0x40023800,
        // SVD stm32f411/f429/f767: CR 0x83, PLLCFGR 0x24003010, AHB1ENR 0x00100000,
        // the LPENR defaults, PLLI2SCFGR 0x20003000.
        resetValues: {
          [CR]: 0x83,
          0x04: 0x24003010,
          0x30: line === 'STM32F2' ? 0 : 0x00100000,
          0x50: 0x7e6791ff,
          0x54: 0xf1,
          0x58: 0x01,
          0x60: 0x36fec9ff,
          0x64: 0x00075f33,
          0x84: 0x20003000,
        },
        // PLLI2S 26/27, PLLSAI 28/29 (stm32f429xx.h, stm32f767xx.h).
        ready: pairs(CR, [...F_CR_PAIRS, [26, 27], [28, 29]]),
        clockSwitch: sw2(0x08),
        source: 'CMSIS stm32f217xx/f411xe/f429xx/f767xx.h; SVD stm32f215/f411/f767',
      } satisfies RccSpec,
    ]),
  ),
  STM32L0: {
    base: 0x40021000,
    // SVD stm32l0x3: CR 0x300 (MSI on and ready), ICSCR 0xB000, AHBENR 0x100 (MIFEN), SMENRs.
    resetValues: {
      [CR]: 0x300,
      0x04: 0xb000,
      0x30: 0x100,
      0x3c: 0x8f,
      0x40: 0x01111301,
      0x44: 0x00405225,
      0x48: 0xb8e64a11,
    },
    // HSI16 0/2, HSIDIVEN/HSIDIVF 3/4, MSI 8/9, HSE 16/17, PLL 24/25; CRRCR HSI48 0/1.
    ready: [
      ...pairs(CR, [
        [0, 2],
        [3, 4],
        [8, 9],
        [16, 17],
        [24, 25],
      ]),
      ...pairs(0x08, [[0, 1]]),
    ],
    clockSwitch: sw2(0x0c),
    source: 'CMSIS stm32l053xx.h; SVD stm32l0x3',
  },
  STM32L1: {
    base: 0x40023800,
    // SVD stm32l151: CR 0x300 (MSI on and ready), ICSCR 0xB000, AHBENR 0x8000 (FLITF),
    // AHBLPENR 0x0101903F.
    resetValues: { [CR]: 0x300, 0x04: 0xb000, 0x1c: 0x8000, 0x28: 0x0101903f },
    // HSI 0/1, MSI 8/9, HSE 16/17, PLL 24/25 (stm32l151xba.h).
    ready: pairs(CR, [
      [0, 1],
      [8, 9],
      [16, 17],
      [24, 25],
    ]),
    clockSwitch: sw2(0x08),
    source: 'CMSIS stm32l151xba.h; SVD stm32l151',
  },
  ...Object.fromEntries(
    ['STM32L4', 'STM32L4+'].map((line) => [
      line,
      {
        base: 0x40021000,
        // SVD stm32l4x6: CR 0x63 (MSI on and ready, range 6 = 4 MHz), ICSCR 0x10000000,
        // PLLCFGR/PLLSAI1CFGR/PLLSAI2CFGR 0x1000, AHB1ENR 0x100 (FLASHEN), SMENRs.
        resetValues: {
          [CR]: 0x63,
          0x04: 0x10000000,
          0x0c: 0x1000,
          0x10: 0x1000,
          0x14: 0x1000,
          0x48: 0x100,
          0x68: 0x00011303,
          0x6c: 0x000532ff,
          0x70: 0x0101,
          0x78: 0xf2feca3f,
          0x7c: 0x25,
          0x80: 0x01677c01,
          // CSR: MSISRANGE = 6 (4 MHz), the MSI range while CR.MSIRGSEL = 0 (RM0351 6.4.29,
          // 6.4.1); its reset flags stay 0 (not modelled).
          0x94: 0x600,
        },
        ready: pairs(CR, L4_CR_PAIRS),
        clockSwitch: sw2(0x08),
        source: 'CMSIS stm32l476xx.h; SVD stm32l4x6',
      } satisfies RccSpec,
    ]),
  ),
  STM32L5: {
    base: 0x40021000,
    // The L4 block at the same address (RM0438 "RCC register map"; CMSIS-L5 stm32l552xx.h
    // RCC_BASE_NS): CR 0x63 (MSI on and ready, range 6 = 4 MHz), CFGR 0 (SW = MSI),
    // PLLCFGR/PLLSAI1CFGR/PLLSAI2CFGR PLLN = 16 (0x1000), as HAL-L5 HAL_RCC_DeInit restores
    // them; ICSCR HSITRIM 0x40; AHB1ENR FLASHEN; CSR MSISRANGE = 6 as on L4.
    resetValues: {
      [CR]: 0x63,
      0x04: 0x40000000,
      0x0c: 0x1000,
      0x10: 0x1000,
      0x14: 0x1000,
      0x48: 0x100,
      0x94: 0x600,
    },
    ready: pairs(CR, L4_CR_PAIRS),
    clockSwitch: sw2(0x08),
    source: 'CMSIS stm32l552xx.h; HAL-L5 HAL_RCC_DeInit',
  },
  STM32U5: {
    base: 0x46020c00,
    // RM0456 "RCC register map"; CMSIS-U5 stm32u575xx.h RCC_BASE_NS. CR 0x35: MSIS and MSIK
    // on and ready. ICSCR1 MSISRANGE = MSIKRANGE = 4 (4 MHz), ICSCR2 0x00084210 and
    // PLLxDIVR 0x01010280 as HAL-U5 HAL_RCC_DeInit restores them; CFGR1 (SW at +0x1C) 0.
    resetValues: {
      [CR]: 0x35,
      0x08: 0x44000000,
      0x0c: 0x00084210,
      0x34: 0x01010280,
      0x3c: 0x01010280,
      0x44: 0x01010280,
    },
    // MSIS 0/2, MSIK 4/5, HSI 8/10, HSI48 12/13, SHSI 14/15, HSE 16/17, PLL1 24/25,
    // PLL2 26/27, PLL3 28/29 (stm32u575xx.h RCC_CR_*).
    ready: pairs(CR, [
      [0, 2],
      [4, 5],
      [8, 10],
      [12, 13],
      [14, 15],
      [16, 17],
      [24, 25],
      [26, 27],
      [28, 29],
    ]),
    clockSwitch: sw2(0x1c),
    source: 'CMSIS stm32u575xx.h; HAL-U5 HAL_RCC_DeInit',
  },
  STM32G0: {
    base: 0x40021000,
    // The SVD's CR 0x63 and ICSCR 0x10000000 are L4 values in bits G0 does not have; HAL
    // G0 HAL_RCC_DeInit restores CR = HSION (HSIRDY follows), ICSCR = HSITRIM_6 (0x4000),
    // CFGR = 0 and PLLCFGR = PLLN_4 (0x1000).
    resetValues: { [CR]: 0x500, 0x04: 0x4000, 0x0c: 0x1000 },
    // HSI 8/10, HSE 16/17, PLL 24/25 (stm32g071xx.h).
    ready: pairs(CR, [
      [8, 10],
      [16, 17],
      [24, 25],
    ]),
    clockSwitch: sw3(0x08),
    source: 'CMSIS stm32g071xx.h; HAL-G0 HAL_RCC_DeInit',
  },
  STM32G4: {
    base: 0x40021000,
    // CR as HAL G4 HAL_RCC_DeInit restores it (HSION, HSIRDY; the SVD's 0x63 is in reserved
    // bits); CFGR 0x05 (HSI16 selected), ICSCR, PLLCFGR and the enable defaults from the SVD.
    resetValues: {
      [CR]: 0x500,
      0x04: 0x40000000,
      0x08: 0x05,
      0x0c: 0x1000,
      0x48: 0x100,
      0x58: 0x400,
      0x68: 0x130f,
      0x6c: 0x050f667f,
      0x70: 0x0101,
      0x78: 0xd2fecd3f,
      0x7c: 0x0103,
      0x80: 0x0437f801,
    },
    // HSI 8/10, HSE 16/17, PLL 24/25; CRRCR (0x98) HSI48 0/1 (stm32g474xx.h).
    ready: [
      ...pairs(CR, [
        [8, 10],
        [16, 17],
        [24, 25],
      ]),
      ...pairs(0x98, [[0, 1]]),
    ],
    clockSwitch: sw2(0x08),
    source: 'CMSIS stm32g474xx.h; SVD stm32g474; HAL-G4 HAL_RCC_DeInit',
  },
  STM32C0: {
    base: 0x40021000,
    // SVD stm32c031: CR 0x1540 (HSION, HSIRDY, HSIDIV /4, HSIKERDIV /3), ICSCR, enables.
    resetValues: { [CR]: 0x1540, 0x04: 0x4000, 0x38: 0x100, 0x44: 0x2f, 0x48: 0x1301 },
    // HSI 8/10, HSE 16/17 (stm32c031xx.h).
    ready: pairs(CR, [
      [8, 10],
      [16, 17],
    ]),
    clockSwitch: sw3(0x08),
    source: 'CMSIS stm32c031xx.h; SVD stm32c031',
  },
  STM32U0: {
    base: 0x40021000,
    // SVD stm32u083: CR 0x83, ICSCR 0x40004000, PLLCFGR 0x1000, CRRCR 0x8800, enables.
    resetValues: {
      [CR]: 0x83,
      0x04: 0x40004000,
      0x0c: 0x1000,
      0x48: 0x100,
      0x68: 0x01051303,
      0x6c: 0x3f,
      0x78: 0xff7e4c33,
      0x80: 0x0017d801,
      0x98: 0x8800,
    },
    // MSI 0/1, HSI 8/10, HSE 16/17, PLL 24/25; CRRCR (0x98) HSI48 0/1 (stm32u083xx.h).
    ready: [
      ...pairs(CR, [
        [0, 1],
        [8, 10],
        [16, 17],
        [24, 25],
      ]),
      ...pairs(0x98, [[0, 1]]),
    ],
    clockSwitch: sw3(0x08),
    source: 'CMSIS stm32u083xx.h; SVD stm32u083',
  },
  STM32WB: {
    base: 0x58000000,
    // SVD stm32wb55: CR 0x61 (MSI on, range 6), CFGR 0x70000 and EXTCFGR 0x30000 (prescaler
    // applied flags, read-only), PLL configuration, HSECR, SMPSCR, CPU1 and CPU2 enables.
    resetValues: {
      [CR]: 0x61,
      0x04: 0x40000000,
      0x08: 0x00070000,
      0x0c: 0x22040100,
      0x10: 0x22040100,
      0x24: 0x0301,
      0x48: 0x100,
      0x50: 0x02080000,
      0x58: 0x400,
      0x68: 0x00011207,
      0x6c: 0x0001209f,
      0x70: 0x03070100,
      0x78: 0x85a04e01,
      0x7c: 0x21,
      0x80: 0x00265800,
      0x9c: 0x30,
      0x108: 0x00030000,
    },
    readOnly: { 0x08: 0x00070000, 0x108: 0x00030000 },
    // MSI 0/1, HSI 8/10, HSE 16/17, PLL 24/25, PLLSAI1 26/27; CRRCR HSI48 0/1 (stm32wb55xx.h).
    ready: [
      ...pairs(CR, [
        [0, 1],
        [8, 10],
        [16, 17],
        [24, 25],
        [26, 27],
      ]),
      ...pairs(0x98, [[0, 1]]),
    ],
    clockSwitch: sw2(0x08),
    source: 'CMSIS stm32wb55xx.h; SVD stm32wb55',
  },
  STM32WL: {
    base: 0x58000000,
    // SVD stm32wle5: CR 0x61, CFGR 0x70000 and EXTCFGR 0x30000 (read-only flags), PLLCFGR,
    // enables.
    resetValues: {
      [CR]: 0x61,
      0x04: 0x40000000,
      0x08: 0x00070000,
      0x0c: 0x22040100,
      0x50: 0x02080000,
      0x68: 0x1007,
      0x6c: 0x87,
      0x70: 0x03870000,
      0x78: 0xa0e24c01,
      0x7c: 0x61,
      0x80: 0x00065a00,
      0x84: 0x01,
      0x108: 0x00030000,
    },
    readOnly: { 0x08: 0x00070000, 0x108: 0x00030000 },
    // MSI 0/1, HSI 8/10, HSE 16/17, PLL 24/25 (stm32wle5xx.h).
    ready: pairs(CR, [
      [0, 1],
      [8, 10],
      [16, 17],
      [24, 25],
    ]),
    clockSwitch: sw2(0x08),
    source: 'CMSIS stm32wle5xx.h; SVD stm32wle5',
  },
  STM32H7: {
    base: 0x58024400,
    // CR: HSION only (HSIRDY follows), as HAL H7 HAL_RCC_DeInit leaves it: it clears
    // HSIKERON and CSION, which the SVD's 0x83 has set. HSICFGR (+0x04) HSITRIM 0x40,
    // PLLCKSELR DIVM1..3 = 32, PLLCFGR 0x01FF0000, PLLxDIVR 0x01010280 (HAL and SVD agree).
    resetValues: {
      [CR]: 0x05,
      0x04: 0x40000000,
      0x28: 0x02020200,
      0x2c: 0x01ff0000,
      0x30: 0x01010280,
      0x38: 0x01010280,
      0x40: 0x01010280,
    },
    // HSI 0/2, CSI 7/8, HSI48 12/13, HSE 16/17, PLL1 24/25, PLL2 26/27, PLL3 28/29
    // (stm32h743xx.h).
    ready: pairs(CR, [
      [0, 2],
      [7, 8],
      [12, 13],
      [16, 17],
      [24, 25],
      [26, 27],
      [28, 29],
    ]),
    clockSwitch: sw3(0x10),
    source: 'CMSIS stm32h743xx.h; SVD stm32h743; HAL-H7 HAL_RCC_DeInit',
  },
};

/**
 * The RCC of a device's product line, or undefined where none is modelled (U3, WBA, H5, H7R/S:
 * their RCC blocks are not modelled).
 */
export function rccSpecFor(device: Stm32DeviceData): RccSpec | undefined {
  return FAMILIES[device.line];
}
