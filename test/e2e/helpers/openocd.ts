/**
 * Running OpenOCD 0.12 against the simulator's stlink-server endpoint, for the e2e tests
 * and the benchmark that use it as a peer.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVirtualSession, startStlinkServer, type StlinkProbeKind } from '@flashwright/sim';
import { runCli } from './cli.js';

const NOT_INSTALLED = 'openocd is not installed (Debian: apt-get install openocd)';

/** Why no OpenOCD at all runs here, or undefined when one does (any version). */
export function openocdNotInstalled(): string | undefined {
  return spawnSync('openocd', ['--version']).error === undefined ? undefined : NOT_INSTALLED;
}

/** Why OpenOCD 0.12 or later cannot run here, or undefined when it can. */
export function openocdMissing(): string | undefined {
  const result = spawnSync('openocd', ['--version'], { encoding: 'utf8' });
  if (result.error !== undefined) return NOT_INSTALLED;
  if (!/Open On-Chip Debugger 0\.1[2-9]/.test(result.stderr + result.stdout)) {
    return `openocd --version printed ${JSON.stringify((result.stderr + result.stdout).slice(0, 80))}`;
  }
  return undefined;
}

/**
 * What OpenOCD 0.12 logs when it cannot use a loader and falls back to slow direct writes
 * (src/flash/nor/stm32f1x.c, stm32f2x.c, stm32lx.c, stm32l4x.c), or when its CRC algorithm
 * fails and verify reads the flash instead (src/target/armv7m.c).
 */
export const OPENOCD_FALLBACK =
  /can't do block memory writes|falling back to|Couldn't use loader|not enough working area|error executing|flash write algorithm aborted|timeout waiting for algorithm|failed algorithm halted/i;

/**
 * An error line in OpenOCD's output (a failed access, e.g. in a stock event handler), apart
 * from the one for the lockup a blank chip's core runs into from its erased reset vector
 * (PC 0xFFFFFFFE is Execute Never: ARMv7-M B1.5.15, Armv8-M alike), as on silicon, which
 * OpenOCD reports that it clears.
 */
export const OPENOCD_ERROR_LINE = /^Error(?!: .*clearing lockup after double fault)/m;

export interface OpenocdRun {
  readonly code: number | null;
  readonly output: string;
}

export function runOpenocd(args: readonly string[], timeoutMs = 180_000): Promise<OpenocdRun> {
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

/** How OpenOCD reaches the simulator's stlink-server endpoint on `port`. */
export interface StlinkServerOptions {
  readonly port: number;
  readonly targetCfg: string;
  /**
   * interface/stlink.cfg (HLA: the ST-Link's own core-register and run commands) instead of
   * interface/stlink-dap.cfg (DAP register access).
   */
  readonly hla?: boolean;
  /** Commands before the target config (e.g. `set WORKAREASIZE 0`). */
  readonly extra?: readonly string[];
  /** -d3: the debug log (work-area allocations, algorithm runs). */
  readonly debug?: boolean;
  /** OpenOCD's GDB server on this loopback port; by default it listens on no port at all. */
  readonly gdbPort?: number;
}

/** The arguments that start OpenOCD on the stlink-server endpoint, up to the target config. */
export function stlinkServerArgs(options: StlinkServerOptions): string[] {
  return [
    ...(options.debug ? ['-d3'] : []),
    '-f',
    options.hla ? 'interface/stlink.cfg' : 'interface/stlink-dap.cfg',
    '-c',
    `${options.hla ? 'hla_stlink_backend' : 'st-link backend'} tcp ${options.port}`,
    ...(options.extra ?? []).flatMap((command) => ['-c', command]),
    // Other tests may run an OpenOCD at the same time: no fixed listening ports.
    '-c',
    options.gdbPort === undefined
      ? 'gdb_port disabled; tcl_port disabled; telnet_port disabled'
      : `gdb_port ${options.gdbPort}; tcl_port disabled; telnet_port disabled; bindto 127.0.0.1`,
    '-f',
    options.targetCfg,
  ];
}

/** The arguments for `program FILE ADDR verify reset exit` through the stlink-server. */
export function programArgs(
  options: StlinkServerOptions & { readonly image: string; readonly address: number },
): string[] {
  return [
    ...stlinkServerArgs(options),
    '-c',
    `program ${options.image} 0x${options.address.toString(16)} verify reset exit`,
  ];
}

/** The start of flash on the STM32s, where an image goes unless a case says otherwise. */
export const STM32_FLASH = 0x08000000;

/** One `program FILE ADDR verify reset exit` of OpenOCD on a simulated board. */
export interface OpenocdProgramCase {
  readonly device: string;
  readonly probe: StlinkProbeKind;
  readonly targetCfg: string;
  readonly image: Uint8Array;
  /** Where the image goes: STM32_FLASH unless given. */
  readonly address?: number;
  /** OpenOCD's HLA driver (interface/stlink.cfg) instead of stlink-dap. */
  readonly hla?: boolean;
  /**
   * true: OpenOCD's default work area, where it runs its flash loader and CRC algorithm on
   * the simulated core, with the debug log (-d3) that names them. false: `set WORKAREASIZE
   * 0`, its direct writes and a verify that reads the flash back.
   */
  readonly workArea: boolean;
}

export interface OpenocdProgramRun {
  readonly run: OpenocdRun;
  /** The session's virtual time from OpenOCD's connect to its exit. */
  readonly virtualMs: number;
  /**
   * What `flashwright read` returns afterwards where the image went, through the virtual
   * probe on the same state file.
   */
  readonly readBack: () => Promise<Uint8Array>;
}

/**
 * Starts a virtual session on a state file and its stlink-server endpoint, runs OpenOCD's
 * `program` on it, and closes the endpoint. The caller judges the run, then reads back.
 */
export async function programWithOpenocd(c: OpenocdProgramCase): Promise<OpenocdProgramRun> {
  const dir = mkdtempSync(join(tmpdir(), 'fw-openocd-'));
  const state = join(dir, 'board.json');
  const image = join(dir, 'image.bin');
  const address = c.address ?? STM32_FLASH;
  writeFileSync(image, c.image);
  const session = createVirtualSession({ probe: c.probe, device: c.device, state });
  const server = await startStlinkServer({ session, port: 0 });
  const run = await runOpenocd(
    programArgs({
      port: server.port,
      targetCfg: c.targetCfg,
      image,
      address,
      hla: c.hla,
      debug: c.workArea,
      extra: c.workArea ? [] : ['set WORKAREASIZE 0'],
    }),
  ).finally(() => server.close());
  const readBack = async (): Promise<Uint8Array> => {
    const recipe = join(dir, 'readback.yaml');
    writeFileSync(
      recipe,
      'probe:\n  transport: virtual\n  options:\n' +
        `    probe: ${c.probe}\n    device: ${c.device}\n    state: ${JSON.stringify(state)}\n` +
        'target:\n  family: stm32\n',
    );
    const out = join(dir, 'readback.bin');
    const read = await runCli(
      ['read', `0x${address.toString(16)}`, String(c.image.length), '-o', out, '-c', recipe],
      { cwd: dir },
    );
    if (read.code !== 0)
      throw new Error(`flashwright read exited ${read.code}:\n${read.stderr}${read.stdout}`);
    return new Uint8Array(readFileSync(out));
  };
  return { run, virtualMs: session.stats().virtualMs, readBack };
}
