/**
 * OpenOCD 0.12 as an independent judge of the simulator: the sim serves a virtual ST-Link
 * over the stlink-server TCP protocol, OpenOCD (`st-link backend tcp`, dap-direct) identifies
 * the chip and runs the standard `program FILE verify reset exit` with its stock target
 * configs (their examine-end and reset-init handlers included: DBGMCU, FLASH_ACR, RCC), and
 * `flashwright read` on the same state file then reads the image back through the virtual
 * probe. OpenOCD gets no work area here and uses its direct-write paths (WORKAREASIZE 0).
 * The stock event handlers must run without a failed access (e.g. an unmapped RCC).
 */
import { pseudoRandomImage } from './helpers/pseudo-random.js';
import { checkOpenocdProgram, openocdTestFn } from './helpers/openocd-test.js';

const openocdTest = openocdTestFn('stlink-server');

const cases = [
  { device: 'STM32F103RB', probe: 'stlink-v2', targetCfg: 'target/stm32f1x.cfg' },
  // reset-init: RCC_PLLCFGR, FLASH_ACR, RCC_CR.PLLON, RCC_CFGR.SW = PLL.
  { device: 'STM32F411RE', probe: 'stlink-v2-1', targetCfg: 'target/stm32f4x.cfg' },
  // reset-init: RCC_CR.HSION, RCC_CFGR.SW = HSI; the erase relocks PECR with ERASE|PROG
  // set before the word writes (the sim README, "Findings with OpenOCD 0.12").
  { device: 'STM32L151CBxxA', probe: 'stlink-v3', targetCfg: 'target/stm32l1.cfg' },
  // reset-init: FLASH_ACR, RCC_CR = MSI range 9.
  { device: 'STM32L476RG', probe: 'stlink-v2-1', targetCfg: 'target/stm32l4x.cfg' },
  // examine-end writes DBGMCU through AP 2, which the board does not have (reads 0, writes
  // are dropped, no error); programming goes through the AHB-AP.
  { device: 'STM32H743ZI', probe: 'stlink-v3', targetCfg: 'target/stm32h7x.cfg' },
] as const;

for (const c of cases) {
  openocdTest(
    `OpenOCD runs program ... verify reset on a ${c.device} behind a virtual ${c.probe}`,
    (t) =>
      checkOpenocdProgram(t, {
        ...c,
        image: pseudoRandomImage(3000, c.device.length * 7919),
        workArea: false,
        // The endpoint's protocol version, and the DP that stlink-dap read over it.
        expect: [/stlink-server API v2/, /SWD DPIDR 0x[0-9a-f]{8}/],
      }),
  );
}
