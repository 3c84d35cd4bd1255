/**
 * OpenOCD 0.12 with its default work area programs the simulated chips with its own flash
 * loaders (contrib/loaders/flash/stm32: stm32f1x.S, stm32f2x.S, stm32lx.S, stm32l4x.c)
 * and verifies with its CRC algorithm (contrib/loaders/checksum/armv7m_crc.s), all run by
 * the simulator's Thumb interpreter: OpenOCD allocates the work area in SRAM, writes the
 * loader, sets registers, resumes, polls for the halt at the loader's BKPT and reads the
 * registers back; for F1, F4 and L4 it feeds a FIFO in RAM while the loader runs
 * (target_run_flash_async_algorithm). Both OpenOCD drivers run: stlink-dap (DHCSR, DCRSR
 * and DCRDR through the AHB-AP) and HLA (the ST-Link's own register, run and status
 * commands). `flashwright read` of the same state must return the image.
 */
import { pseudoRandomImage } from './helpers/pseudo-random.js';
import { checkOpenocdProgram, openocdTestFn } from './helpers/openocd-test.js';

const openocdTest = openocdTestFn('work-area');

const IMAGE_BYTES = 64 * 1024;

const cases = [
  { device: 'STM32F103RB', probe: 'stlink-v2', targetCfg: 'target/stm32f1x.cfg' },
  { device: 'STM32F411RE', probe: 'stlink-v2-1', targetCfg: 'target/stm32f4x.cfg' },
  // stm32lx.c: no FIFO, its loader programs each buffer after OpenOCD has written it.
  { device: 'STM32L151CBxxA', probe: 'stlink-v3', targetCfg: 'target/stm32l1.cfg', fifo: false },
  { device: 'STM32L476RG', probe: 'stlink-v2-1', targetCfg: 'target/stm32l4x.cfg' },
] as const;

for (const c of cases) {
  for (const hla of [false, true]) {
    const driver = hla ? 'HLA (interface/stlink.cfg)' : 'stlink-dap';
    openocdTest(
      `OpenOCD with its default work area programs a ${c.device} with its loader, ${driver}`,
      (t) =>
        checkOpenocdProgram(t, {
          ...c,
          image: pseudoRandomImage(IMAGE_BYTES, c.device.length * 104729 + (hla ? 1 : 0)),
          hla,
          workArea: true,
        }),
    );
  }
}
