/**
 * The core clock (HCLK) an STM32 runs at, from what its RCC registers select: the system
 * clock switch (CFGR.SW), the internal oscillators and the main PLL fed by them, and the
 * AHB prescaler (CFGR.HPRE). The simulator has no crystal: a clock that depends on HSE (or
 * on a source this does not decode) gives undefined, and the core keeps its reset clock.
 * Frequencies change the moment the registers do (no PLL lock or switch delay).
 */
export type RccRead = (offset: number) => number;

const MHZ = 1_000_000;

/** CFGR.HPRE [7:4] (RM0008 7.3.2, RM0090 7.3.3, RM0038 6.3.3, RM0351 6.4.3): 0xxx = /1. */
function ahbDivider(cfgr: number): number {
  const hpre = (cfgr >>> 4) & 0xf;
  if (hpre < 8) return 1;
  return [2, 4, 8, 16, 64, 128, 256, 512][hpre - 8]!;
}

/**
 * STM32F1 (RM0008 7.3.2): SW 0 HSI 8 MHz, 2 PLL (PLLSRC 0: HSI/2, PLLMUL [21:18] = x2..x16).
 * The connectivity line's other PLLMUL table (RM0008 8.3.2) is not decoded.
 */
function f1(read: RccRead): number | undefined {
  const cfgr = read(0x04);
  const sw = cfgr & 3;
  if (sw === 0) return 8 * MHZ;
  if (sw !== 2 || (cfgr >>> 16) & 1) return undefined;
  return 4 * MHZ * Math.min(((cfgr >>> 18) & 0xf) + 2, 16);
}

/**
 * STM32F2/F4/F7 (RM0033 5.3.3, RM0090 7.3.2-7.3.3, RM0385 5.3.2-5.3.3): SW 0 HSI 16 MHz,
 * 2 PLL = HSI / PLLM * PLLN / PLLP (PLLCFGR: M [5:0], N [14:6], P [17:16] = /2../8,
 * PLLSRC bit 22 = 0 for HSI).
 */
function f2f4f7(read: RccRead): number | undefined {
  const sw = read(0x08) & 3;
  if (sw === 0) return 16 * MHZ;
  const pllcfgr = read(0x04);
  if (sw !== 2 || (pllcfgr >>> 22) & 1) return undefined;
  const m = pllcfgr & 0x3f;
  const n = (pllcfgr >>> 6) & 0x1ff;
  const p = (((pllcfgr >>> 16) & 3) + 1) * 2;
  return m === 0 ? undefined : ((16 * MHZ) / m) * (n / p);
}

/**
 * STM32L0/L1 (RM0377 7.3.2-7.3.4, RM0038 6.3.1-6.3.3): SW 0 MSI (65.536 kHz << ICSCR.MSIRANGE
 * [15:13]), 1 HSI 16 MHz (L0: /4 with CR.HSIDIVEN, bit 3), 3 PLL = HSI * PLLMUL / PLLDIV
 * (CFGR: PLLSRC bit 16 = 0 for HSI, PLLMUL [21:18] = 3,4,6,8,12,16,24,32,48, PLLDIV [23:22]
 * = /2,/3,/4).
 */
function l0l1(read: RccRead, cfgrOffset: number, l0: boolean): number | undefined {
  const cfgr = read(cfgrOffset);
  const sw = cfgr & 3;
  const hsi = l0 && (read(0x00) >>> 3) & 1 ? 4 * MHZ : 16 * MHZ;
  if (sw === 0) return 65_536 * (1 << ((read(0x04) >>> 13) & 7));
  if (sw === 1) return hsi;
  if (sw !== 3 || (cfgr >>> 16) & 1) return undefined;
  const mul = [3, 4, 6, 8, 12, 16, 24, 32, 48][(cfgr >>> 18) & 0xf];
  const div = (cfgr >>> 22) & 3;
  return mul === undefined || div === 0 ? undefined : (hsi * mul) / (div + 1);
}

/** MSI ranges 0-11 (RM0351 6.4.1, RM0432 6.4.1). */
const L4_MSI_HZ = [100e3, 200e3, 400e3, 800e3, 1e6, 2e6, 4e6, 8e6, 16e6, 24e6, 32e6, 48e6] as const;

/**
 * STM32L4/L4+ (RM0351 6.4.1-6.4.4, RM0432 6.4.1-6.4.4): SW 0 MSI (CR.MSIRANGE [7:4] when
 * CR.MSIRGSEL, bit 3, else CSR.MSISRANGE [11:8]), 1 HSI16, 3 PLL = source / PLLM * PLLN /
 * PLLR (PLLCFGR: PLLSRC [1:0] = 1 MSI, 2 HSI16; M [6:4] + 1; N [14:8]; R [26:25] = /2../8).
 * STM32L5 alike, with a 4-bit PLLM [7:4] (RM0438 RCC chapter).
 */
function l4(read: RccRead, pllmBits = 3): number | undefined {
  const cr = read(0x00);
  const msi = (cr >>> 3) & 1 ? L4_MSI_HZ[(cr >>> 4) & 0xf] : L4_MSI_HZ[(read(0x94) >>> 8) & 0xf];
  const sw = read(0x08) & 3;
  if (sw === 0) return msi;
  if (sw === 1) return 16 * MHZ;
  if (sw !== 3) return undefined;
  const pllcfgr = read(0x0c);
  const src = pllcfgr & 3;
  const input = src === 1 ? msi : src === 2 ? 16 * MHZ : undefined;
  const n = (pllcfgr >>> 8) & 0x7f;
  if (input === undefined) return undefined;
  const m = ((pllcfgr >>> 4) & ((1 << pllmBits) - 1)) + 1;
  return (input / m) * (n / ((((pllcfgr >>> 25) & 3) + 1) * 2));
}

/**
 * STM32U5 (RM0456 RCC chapter; CMSIS-U5 stm32u575xx.h): CFGR1.SW (+0x1C) 0 MSIS, 1 HSI16,
 * 3 PLL1 = source / PLL1M * PLL1N / PLL1R (PLL1CFGR +0x28: PLL1SRC [1:0] = 1 MSIS, 2 HSI16,
 * PLL1M [11:8] + 1; PLL1DIVR +0x34: PLL1N [8:0] + 1, PLL1R [30:24] + 1). MSIS is 4 MHz
 * unless ICSCR1.MSIRGSEL (bit 23) selects ICSCR1.MSISRANGE [31:28]. HPRE is CFGR2 [3:0].
 */
const U5_MSIS_HZ = [
  48e6, 24e6, 16e6, 12e6, 4e6, 2e6, 1.33e6, 1e6, 3.072e6, 1.536e6, 1.024e6, 768e3, 400e3, 200e3,
  133e3, 100e3,
] as const;

function u5(read: RccRead): number | undefined {
  const icscr1 = read(0x08);
  const msis = (icscr1 >>> 23) & 1 ? U5_MSIS_HZ[(icscr1 >>> 28) & 0xf] : 4 * MHZ;
  const sw = read(0x1c) & 3;
  if (sw === 0) return msis;
  if (sw === 1) return 16 * MHZ;
  if (sw !== 3) return undefined;
  const cfgr = read(0x28);
  const divr = read(0x34);
  const src = cfgr & 3;
  const input = src === 1 ? msis : src === 2 ? 16 * MHZ : undefined;
  if (input === undefined) return undefined;
  const m = ((cfgr >>> 8) & 0xf) + 1;
  return ((input / m) * ((divr & 0x1ff) + 1)) / (((divr >>> 24) & 0x7f) + 1);
}

/** HCLK of `line` from its RCC registers, or undefined when this does not decode it. */
export function rccCoreClockHz(line: string, read: RccRead): number | undefined {
  let sysclk: number | undefined;
  let cfgrOffset = 0x08;
  switch (line) {
    case 'STM32F1':
      sysclk = f1(read);
      cfgrOffset = 0x04;
      break;
    case 'STM32F2':
    case 'STM32F4':
    case 'STM32F7':
      sysclk = f2f4f7(read);
      break;
    case 'STM32L0':
      sysclk = l0l1(read, 0x0c, true);
      cfgrOffset = 0x0c;
      break;
    case 'STM32L1':
      sysclk = l0l1(read, 0x08, false);
      break;
    case 'STM32L4':
    case 'STM32L4+':
      sysclk = l4(read);
      break;
    case 'STM32L5':
      sysclk = l4(read, 4); // PLLM [7:4] (RM0438; stm32l552xx.h RCC_PLLCFGR_PLLM_Msk 0xF0)
      break;
    case 'STM32U5': {
      const hclk = u5(read);
      const hpre = read(0x20) & 0xf; // CFGR2.HPRE [3:0]: 0xxx = /1, 1000 = /2 ... 1111 = /512
      return hclk === undefined ? undefined : hclk / ahbDivider(hpre << 4);
    }
    default:
      return undefined;
  }
  return sysclk === undefined ? undefined : sysclk / ahbDivider(read(cfgrOffset));
}
