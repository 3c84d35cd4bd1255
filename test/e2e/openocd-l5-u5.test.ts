/**
 * OpenOCD 0.12's stock STM32L5 and STM32U5 configs (target/stm32l5x.cfg, target/stm32u5x.cfg)
 * program and verify a simulated L552 and U575 through the stlink-server endpoint, first with
 * direct writes (WORKAREASIZE 0), then with the default work area, where OpenOCD runs its
 * own flash loader (contrib/loaders/flash/stm32/stm32l4x.c, fed through its FIFO) and CRC
 * algorithm on the simulator's core. Their reset-init handlers switch the clock (RCC_CR,
 * RCC_CFGR/CFGR1, RCC_ICSCR) and raise the voltage scaling (PWR_CR1/VOSR) before they set
 * FLASH_ACR: the simulator must answer those as RM0438 and RM0456 describe, without an error
 * line (before this model had them, reset-init failed on RCC_APB1ENR1 or RCC_AHB3ENR, and
 * the DEV_ID search on 0xE0042000 and 0x40015800). The image straddles the two banks
 * (OpenOCD src/flash/nor/stm32l4x.c selects bank 2 pages with NSCR.BKER).
 * `flashwright read` of the same state must then return the image.
 */
import { pseudoRandomImage } from './helpers/pseudo-random.js';
import { checkOpenocdProgram, openocdTestFn } from './helpers/openocd-test.js';

const openocdTest = openocdTestFn('L5/U5');

/** The image straddles the bank boundary: 8 KiB at the end of bank 1, 8 KiB in bank 2. */
const IMAGE_BYTES = 16 * 1024;

/** `bank2`: where bank 2 starts with the factory option bytes (DBANK / DUALBANK set). */
const cases = [
  {
    device: 'STM32L552ZE',
    probe: 'stlink-v3',
    targetCfg: 'target/stm32l5x.cfg',
    bank2: 0x08040000,
  },
  {
    device: 'STM32U575ZI',
    probe: 'stlink-v3',
    targetCfg: 'target/stm32u5x.cfg',
    bank2: 0x08100000,
  },
] as const;

/**
 * Direct writes, then OpenOCD's loader through both of its drivers: stlink-dap (DHCSR,
 * DCRSR, DCRDR through the AHB-AP) and HLA (the ST-Link's own register and run commands).
 */
const modes = [
  { workArea: false, hla: false },
  { workArea: true, hla: false },
  { workArea: true, hla: true },
] as const;

for (const c of cases) {
  for (const { workArea, hla } of modes) {
    const mode = `${workArea ? 'with the default work area (its loader)' : 'with WORKAREASIZE 0'}, ${hla ? 'HLA' : 'stlink-dap'}`;
    openocdTest(`OpenOCD programs and verifies a ${c.device} ${mode}`, (t) =>
      checkOpenocdProgram(t, {
        ...c,
        image: pseudoRandomImage(
          IMAGE_BYTES,
          c.device.length * 65537 + (workArea ? 1 : 0) + (hla ? 2 : 0),
        ),
        address: c.bank2 - IMAGE_BYTES / 2,
        hla,
        workArea,
      }),
    );
  }
}
