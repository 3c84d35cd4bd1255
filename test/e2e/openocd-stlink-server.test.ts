/**
 * OpenOCD 0.12 as an independent judge of the simulator: the sim serves a virtual ST-Link
 * over the stlink-server TCP protocol, OpenOCD (`st-link backend tcp`, dap-direct) identifies
 * the chip and runs the standard `program FILE verify reset exit` with its stock target
 * configs (their examine-end and reset-init handlers included: DBGMCU, FLASH_ACR, RCC), and
 * `flashwright read` on the same state file then reads the image back through the virtual
 * probe. OpenOCD gets no work area here and uses its direct-write paths (WORKAREASIZE 0).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVirtualSession, startStlinkServer, type StlinkProbeKind } from '@flashwright/sim';
import {
  programArgs,
  pseudoRandomImage,
  readWithFlashwright,
  runOpenocd,
  type OpenocdRun,
} from './helpers/openocd.js';
import { openocdTestFn } from './helpers/openocd-test.js';

const openocdTest = openocdTestFn('stlink-server');

interface Case {
  readonly device: string;
  readonly probe: StlinkProbeKind;
  readonly targetCfg: string;
}

const FLASH = 0x08000000;

const cases: readonly Case[] = [
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
];

for (const c of cases) {
  openocdTest(
    `OpenOCD runs program ... verify reset on a ${c.device} behind a virtual ${c.probe}`,
    async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'fw-openocd-'));
      const state = join(dir, 'board.json');
      const imagePath = join(dir, 'image.bin');
      const data = pseudoRandomImage(3000, c.device.length * 7919);
      writeFileSync(imagePath, data);

      const session = createVirtualSession({ probe: c.probe, device: c.device, state });
      const server = await startStlinkServer({ session, port: 0 });
      let run: OpenocdRun;
      try {
        run = await runOpenocd(
          programArgs({
            port: server.port,
            targetCfg: c.targetCfg,
            image: imagePath,
            address: FLASH,
            extra: ['set WORKAREASIZE 0'],
          }),
        );
      } finally {
        await server.close();
      }
      t.log(`virtual time: ${session.stats().virtualMs.toFixed(0)} ms`);
      t.is(run.code, 0, run.output);
      t.regex(run.output, /stlink-server API v2/);
      t.regex(run.output, /SWD DPIDR 0x[0-9a-f]{8}/);
      t.regex(run.output, /\*\* Verified OK \*\*/, run.output);
      t.regex(run.output, /\*\* Resetting Target \*\*/);
      // The stock event handlers ran without a failed access (e.g. an unmapped RCC). A blank
      // chip's core locks up from its erased reset vector (PC 0xFFFFFFFE is Execute Never,
      // ARMv7-M B1.5.15), as on silicon; OpenOCD reports that it clears the lockup.
      t.notRegex(
        run.output,
        /^Error(?!: \[[\w.]+\] clearing lockup after double fault)/m,
        run.output,
      );

      t.deepEqual(
        await readWithFlashwright({ dir, ...c, state, address: FLASH, length: data.length }),
        data,
      );
    },
  );
}
