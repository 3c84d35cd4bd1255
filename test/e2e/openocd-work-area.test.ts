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

const openocdTest = openocdTestFn('work-area');

const FLASH = 0x08000000;
const IMAGE_BYTES = 64 * 1024;

interface Case {
  readonly device: string;
  readonly probe: StlinkProbeKind;
  readonly targetCfg: string;
}

const cases: readonly Case[] = [
  { device: 'STM32F103RB', probe: 'stlink-v2', targetCfg: 'target/stm32f1x.cfg' },
  { device: 'STM32F411RE', probe: 'stlink-v2-1', targetCfg: 'target/stm32f4x.cfg' },
  { device: 'STM32L151CBxxA', probe: 'stlink-v3', targetCfg: 'target/stm32l1.cfg' },
  { device: 'STM32L476RG', probe: 'stlink-v2-1', targetCfg: 'target/stm32l4x.cfg' },
];

for (const c of cases) {
  for (const hla of [false, true]) {
    const driver = hla ? 'HLA (interface/stlink.cfg)' : 'stlink-dap';
    openocdTest(
      `OpenOCD with its default work area programs a ${c.device} with its loader, ${driver}`,
      async (t) => {
        const dir = mkdtempSync(join(tmpdir(), 'fw-openocd-wa-'));
        const state = join(dir, 'board.json');
        const imagePath = join(dir, 'image.bin');
        const data = pseudoRandomImage(IMAGE_BYTES, c.device.length * 104729 + (hla ? 1 : 0));
        writeFileSync(imagePath, data);

        const session = createVirtualSession({ probe: c.probe, device: c.device, state });
        const server = await startStlinkServer({ session, port: 0 });
        let run: OpenocdRun;
        try {
          // -d3: the debug log names the work area allocations and the algorithm runs.
          run = await runOpenocd(
            programArgs({
              port: server.port,
              targetCfg: c.targetCfg,
              image: imagePath,
              address: FLASH,
              hla,
              debug: true,
            }),
          );
        } finally {
          await server.close();
        }
        const log = run.output;
        t.log(`virtual time: ${session.stats().virtualMs.toFixed(0)} ms`);
        t.is(run.code, 0, log.slice(-4000));
        t.regex(log, /\*\* Verified OK \*\*/);
        t.notRegex(log, OPENOCD_FALLBACK);
        // No failed access either; a blank chip's core locks up from its erased reset vector
        // (ARMv7-M B1.5.15), as on silicon, and OpenOCD (stlink-dap) says it clears that.
        t.notRegex(log, /^Error: (?!.*clearing lockup after double fault)/m);
        // The loader's work area (loader + FIFO or buffer) and the CRC algorithm's (52 bytes).
        const areas = [...log.matchAll(/allocated new working area of (\d+) bytes/g)].map((m) =>
          Number(m[1]),
        );
        t.true(
          areas.some((bytes) => bytes >= 1024),
          `buffer areas: ${areas.join(', ')}`,
        );
        t.true(areas.includes(52), `CRC area: ${areas.join(', ')}`);
        if (c.device !== 'STM32L151CBxxA') t.regex(log, /target_run_flash_async_algorithm/);

        t.deepEqual(
          await readWithFlashwright({ dir, ...c, state, address: FLASH, length: data.length }),
          data,
        );
      },
    );
  }
}
