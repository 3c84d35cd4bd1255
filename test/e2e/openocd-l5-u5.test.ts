/**
 * OpenOCD 0.12's stock STM32L5 and STM32U5 configs (target/stm32l5x.cfg, target/stm32u5x.cfg)
 * program and verify a simulated L552 and U575 through the stlink-server endpoint, first with
 * direct writes (WORKAREASIZE 0), then with the default work area, where OpenOCD runs its
 * own flash loader (contrib/loaders/flash/stm32/stm32l4x.c) and CRC algorithm on the
 * simulator's core. Their reset-init handlers switch the clock (RCC_CR, RCC_CFGR/CFGR1,
 * RCC_ICSCR) and raise the voltage scaling (PWR_CR1/VOSR) before they set FLASH_ACR: the
 * simulator must answer those as RM0438 and RM0456 describe. The image straddles the two
 * banks (OpenOCD src/flash/nor/stm32l4x.c selects bank 2 pages with NSCR.BKER).
 * `flashwright read` of the same state must then return the image.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVirtualSession, startStlinkServer, type StlinkProbeKind } from '@flashwright/sim';
import {
  OPENOCD_FALLBACK,
  programArgs,
  pseudoRandomImage,
  readWithFlashwright,
  runOpenocd,
  type OpenocdRun,
} from './helpers/openocd.js';
import { openocdTestFn } from './helpers/openocd-test.js';

const openocdTest = openocdTestFn('L5/U5');

/** The image straddles the bank boundary: 8 KiB at the end of bank 1, 8 KiB in bank 2. */
const IMAGE_BYTES = 16 * 1024;

interface Case {
  readonly device: string;
  readonly probe: StlinkProbeKind;
  readonly targetCfg: string;
  /** Where bank 2 starts with the factory option bytes (DBANK / DUALBANK set). */
  readonly bank2: number;
}

const cases: readonly Case[] = [
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
];

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
    openocdTest(`OpenOCD programs and verifies a ${c.device} ${mode}`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'fw-openocd-l5u5-'));
      const state = join(dir, 'board.json');
      const imagePath = join(dir, 'image.bin');
      const seed = c.device.length * 65537 + (workArea ? 1 : 0) + (hla ? 2 : 0);
      const data = pseudoRandomImage(IMAGE_BYTES, seed);
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
            address: c.bank2 - IMAGE_BYTES / 2,
            hla,
            debug: workArea,
            extra: workArea ? [] : ['set WORKAREASIZE 0'],
          }),
        );
      } finally {
        await server.close();
      }
      const log = run.output;
      t.log(`virtual time: ${session.stats().virtualMs.toFixed(0)} ms`);
      t.is(run.code, 0, log.slice(-4000));
      t.regex(log, /\*\* Verified OK \*\*/);
      t.regex(log, /\*\* Resetting Target \*\*/);
      // No error line at all (before this model had them, reset-init failed on RCC_APB1ENR1
      // or RCC_AHB3ENR, and the DEV_ID search on 0xE0042000 and 0x40015800), apart from the
      // lockup a blank chip's core runs into from its erased reset vector (Armv8-M lockup, as
      // on silicon), which OpenOCD reports that it clears.
      t.notRegex(log, /^Error(?!: .*clearing lockup after double fault)/m, log);
      if (workArea) {
        t.notRegex(log, OPENOCD_FALLBACK);
        // OpenOCD's stm32l4x.c loader fed through its FIFO, then the 52-byte CRC algorithm.
        t.regex(log, /target_run_flash_async_algorithm/);
        t.regex(log, /allocated new working area of 52 bytes/);
      }
      t.deepEqual(
        await readWithFlashwright({
          dir,
          ...c,
          state,
          address: c.bank2 - IMAGE_BYTES / 2,
          length: data.length,
        }),
        data,
      );
    });
  }
}
