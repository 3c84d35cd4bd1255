/**
 * Running OpenOCD 0.12 against the simulator's stlink-server endpoint, for the e2e tests
 * and the benchmark that use it as a peer.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StlinkProbeKind } from '@flashwright/sim';
import { runCli } from './cli.js';

/** Why OpenOCD 0.12 or later cannot run here, or undefined when it can. */
export function openocdMissing(): string | undefined {
  const result = spawnSync('openocd', ['--version'], { encoding: 'utf8' });
  if (result.error !== undefined)
    return 'openocd is not installed (Debian: apt-get install openocd)';
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

/**
 * The arguments for `program FILE ADDR verify reset exit` through the stlink-server on
 * `port`: `hla` uses interface/stlink.cfg (the ST-Link's own core-register and run
 * commands), otherwise interface/stlink-dap.cfg (DAP register access). `extra` goes
 * before the target config (e.g. `set WORKAREASIZE 0`).
 */
export function programArgs(options: {
  readonly port: number;
  readonly targetCfg: string;
  readonly image: string;
  readonly address: number;
  readonly hla?: boolean;
  readonly extra?: readonly string[];
  readonly debug?: boolean;
}): string[] {
  return [
    ...(options.debug ? ['-d3'] : []),
    '-f',
    options.hla ? 'interface/stlink.cfg' : 'interface/stlink-dap.cfg',
    '-c',
    `${options.hla ? 'hla_stlink_backend' : 'st-link backend'} tcp ${options.port}`,
    ...(options.extra ?? []).flatMap((command) => ['-c', command]),
    // Other tests may run an OpenOCD at the same time: no fixed listening ports.
    '-c',
    'gdb_port disabled; tcl_port disabled; telnet_port disabled',
    '-f',
    options.targetCfg,
    '-c',
    `program ${options.image} 0x${options.address.toString(16)} verify reset exit`,
  ];
}

/** A deterministic pseudo-random image (xorshift), so a failure can be reproduced. */
export function pseudoRandomImage(bytes: number, seed: number): Uint8Array {
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

/** Reads memory back with `flashwright read`, through the virtual probe on the state file. */
export async function readWithFlashwright(options: {
  readonly dir: string;
  readonly probe: StlinkProbeKind;
  readonly device: string;
  readonly state: string;
  readonly address: number;
  readonly length: number;
}): Promise<Uint8Array> {
  const recipe = join(options.dir, 'readback.yaml');
  writeFileSync(
    recipe,
    'probe:\n  transport: virtual\n  options:\n' +
      `    probe: ${options.probe}\n    device: ${options.device}\n` +
      `    state: ${JSON.stringify(options.state)}\n` +
      'target:\n  family: stm32\n',
  );
  const out = join(options.dir, 'readback.bin');
  const run = await runCli(
    ['read', `0x${options.address.toString(16)}`, String(options.length), '-o', out, '-c', recipe],
    { cwd: options.dir },
  );
  if (run.code !== 0)
    throw new Error(`flashwright read exited ${run.code}:\n${run.stderr}${run.stdout}`);
  return new Uint8Array(readFileSync(out));
}
