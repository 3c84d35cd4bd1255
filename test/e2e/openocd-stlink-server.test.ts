/**
 * OpenOCD 0.12 as an independent judge of the simulator: the sim serves a virtual ST-Link
 * over the stlink-server TCP protocol, OpenOCD (`st-link backend tcp`, dap-direct) identifies
 * the chip and runs the standard `program FILE verify reset exit` with its stock target
 * configs (their examine-end and reset-init handlers included: DBGMCU, FLASH_ACR, RCC), and
 * `flashwright read` on the same state file then reads the image back through the virtual
 * probe. Once without a work area (OpenOCD's direct-write paths, WORKAREASIZE 0), once with
 * its default work area (OpenOCD's own loaders, run by the simulator's Thumb interpreter).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { createVirtualSession, startStlinkServer, type StlinkProbeKind } from '@flashwright/sim';
import { runCli } from './helpers/cli.js';

const peersRequired = process.env['FLASHWRIGHT_REQUIRE_PEERS'] === '1';

function openocdMissing(): string | undefined {
  const result = spawnSync('openocd', ['--version'], { encoding: 'utf8' });
  if (result.error !== undefined)
    return 'openocd is not installed (Debian: apt-get install openocd)';
  if (!/Open On-Chip Debugger 0\.1[2-9]/.test(result.stderr + result.stdout)) {
    return `openocd --version printed ${JSON.stringify((result.stderr + result.stdout).slice(0, 80))}`;
  }
  return undefined;
}

const missing = openocdMissing();
const openocdTest = missing !== undefined && !peersRequired ? test.skip : test.serial;
if (missing !== undefined) {
  if (peersRequired)
    test('openocd is required (FLASHWRIGHT_REQUIRE_PEERS=1)', (t) => t.fail(missing));
  else console.warn(`openocd e2e skipped: ${missing}`);
}

interface OpenocdRun {
  readonly code: number | null;
  readonly output: string;
}

function runOpenocd(args: readonly string[], timeoutMs = 90_000): Promise<OpenocdRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('openocd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A deterministic pseudo-random image (xorshift), so a failure can be reproduced. */
function image(bytes: number, seed: number): Uint8Array {
  const data = new Uint8Array(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 0xff;
  }
  return data;
}

/** Reads the flash back with `flashwright read`, through the virtual probe on the state file. */
async function readWithFlashwright(
  dir: string,
  c: Case,
  state: string,
  length: number,
): Promise<Uint8Array> {
  const recipe = join(dir, 'readback.yaml');
  writeFileSync(
    recipe,
    'probe:\n  transport: virtual\n  options:\n' +
      `    probe: ${c.probe}\n    device: ${c.device}\n    state: ${JSON.stringify(state)}\n` +
      'target:\n  family: stm32\n',
  );
  const out = join(dir, 'readback.bin');
  const run = await runCli(
    ['read', `0x${FLASH.toString(16)}`, String(length), '-o', out, '-c', recipe],
    { cwd: dir },
  );
  if (run.code !== 0)
    throw new Error(`flashwright read exited ${run.code}:\n${run.stderr}${run.stdout}`);
  return new Uint8Array(readFileSync(out));
}

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

// Without a work area OpenOCD writes flash through the probe; with its default work area it
// loads its own flash loader (contrib/loaders/flash/stm32) into SRAM and runs it on the
// simulator's Thumb interpreter, and verifies with a checksum routine it runs there too.
const workAreas: readonly {
  readonly name: string;
  readonly size: string;
  readonly devices?: readonly string[];
}[] = [
  { name: 'no work area', size: 'set WORKAREASIZE 0' },
  {
    name: 'its default work area',
    size: '',
    devices: ['STM32F103RB', 'STM32F411RE', 'STM32L151CBxxA', 'STM32L476RG'],
  },
];

for (const area of workAreas)
  for (const c of cases.filter((k) => area.devices?.includes(k.device) ?? true)) {
    openocdTest(
      `OpenOCD with ${area.name} runs program ... verify reset on a ${c.device} behind a virtual ${c.probe}`,
      async (t) => {
        const dir = mkdtempSync(join(tmpdir(), 'fw-openocd-'));
        const state = join(dir, 'board.json');
        const imagePath = join(dir, 'image.bin');
        const data = image(3000, c.device.length * 7919);
        writeFileSync(imagePath, data);

        const session = createVirtualSession({ probe: c.probe, device: c.device, state });
        const server = await startStlinkServer({ session, port: 0 });
        let run: OpenocdRun;
        try {
          run = await runOpenocd([
            '-f',
            'interface/stlink-dap.cfg',
            '-c',
            `st-link backend tcp ${server.port}`,
            ...(area.size ? ['-c', area.size] : []),
            // Other tests may run an OpenOCD at the same time: no fixed listening ports.
            '-c',
            'gdb_port disabled; tcl_port disabled; telnet_port disabled',
            '-f',
            c.targetCfg,
            '-c',
            `program ${imagePath} 0x${FLASH.toString(16)} verify reset exit`,
          ]);
        } finally {
          await server.close();
        }
        t.log(`virtual time: ${session.stats().virtualMs.toFixed(0)} ms`);
        t.is(run.code, 0, run.output);
        t.regex(run.output, /stlink-server API v2/);
        t.regex(run.output, /SWD DPIDR 0x[0-9a-f]{8}/);
        t.regex(run.output, /\*\* Verified OK \*\*/, run.output);
        t.regex(run.output, /\*\* Resetting Target \*\*/);
        if (!area.size) t.notRegex(run.output, /working area/, 'the loader ran in the work area');
        // The stock event handlers ran without a failed access (e.g. an unmapped RCC). A blank
        // chip's core locks up from its erased reset vector (PC 0xFFFFFFFE is Execute Never,
        // ARMv7-M B1.5.15), as on silicon; OpenOCD reports that it clears the lockup.
        t.notRegex(
          run.output,
          /^Error(?!: \[[\w.]+\] clearing lockup after double fault)/m,
          run.output,
        );

        t.deepEqual(await readWithFlashwright(dir, c, state, data.length), data);
      },
    );
  }
