/**
 * Batch programming on virtual hardware (issue 14), through the CLI as a production line
 * runs it: host wall time of `flashwright batch` on N = 1, 4, 8 and 16 virtual F411RE
 * boards behind ST-Link V2s, each writing a 128 KiB image with its own serial number and a
 * row in an SQLite production database.
 *
 * - timing: realtime: the sim makes each board take its real duration (USB round trips,
 *   sector erase and programming times). Boards wait on their own hardware, not on each
 *   other, so the goal is wall(8) <= 1.5 x wall(1).
 * - timing: instant: the sim takes no time, so wall and CPU time are the host's own cost
 *   per board (the CLI process's user + system CPU, measured in it at exit).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchTable } from './table.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repo, 'packages/cli/dist/src/bin.js');
const IMAGE_BYTES = 128 * 1024;
const COUNTS = [1, 4, 8, 16] as const;
/** Prints the process's CPU time (µs) on stderr as it exits. */
const CPU_PRELOAD =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("CPU_US "+JSON.stringify(process.cpuUsage())+"\\n"))';

function image(): Uint8Array {
  return Uint8Array.from({ length: IMAGE_BYTES }, (_, i) => 1 + ((i * 151 + (i >> 9)) % 254));
}

function recipe(boards: number, timing: 'instant' | 'realtime'): string {
  return [
    'probe:',
    '  transport: virtual',
    `  options: { probe: stlink-v2, device: STM32F411RE, state: 'boards/{serial}.json', timing: ${timing}, boards: ${boards} }`,
    'target: { family: stm32, device: STM32F411RE }',
    'image: { file: app.bin, base: 0x08000000 }',
    // The host-driven path: a RAM loader's cycles are the target's own work on a real line,
    // but the simulator interprets them on the host's CPU, which this table would then
    // measure instead of flashwright (about 1 s of host CPU per 128 KiB F411 board).
    'flash: { loader: host }',
    'production:',
    '  serial: { pool: bench, counter: { start: 1 }, address: 0x0801fff0, encoding: u32le }',
    '',
  ].join('\n');
}

interface Measured {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly boardMs: number;
}

/** One `flashwright batch` on fresh boards: wall time, CPU time, the slowest board's time. */
function measure(boards: number, timing: 'instant' | 'realtime'): Measured {
  const cwd = mkdtempSync(join(tmpdir(), 'flashwright-bench-batch-'));
  try {
    writeFileSync(join(cwd, 'package.json'), '{"name":"bench","private":true}\n');
    writeFileSync(join(cwd, 'flashwright.config.yaml'), recipe(boards, timing));
    writeFileSync(join(cwd, 'app.bin'), image());
    const started = performance.now();
    const result = spawnSync(process.execPath, ['--import', CPU_PRELOAD, cli, 'batch', '--json'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, FLASHWRIGHT_PROBE: '' },
      maxBuffer: 256 * 1024 * 1024,
    });
    const wallMs = performance.now() - started;
    if (result.status !== 0)
      throw new Error(`batch failed: ${result.stdout.slice(-2000)}${result.stderr}`);
    const cpu = /CPU_US (\{.*\})/.exec(result.stderr)?.[1];
    const usage = JSON.parse(cpu ?? '{"user":0,"system":0}') as { user: number; system: number };
    let boardMs = 0;
    for (const line of result.stdout.split('\n')) {
      if (!line.includes('"board-end"')) continue;
      const event = JSON.parse(line) as { status: string; durationMs: number };
      if (event.status !== 'pass') throw new Error(`a board failed: ${line}`);
      boardMs = Math.max(boardMs, event.durationMs);
    }
    return { wallMs, cpuMs: (usage.user + usage.system) / 1000, boardMs };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

export function run(): Promise<BenchTable[]> {
  const realtime = COUNTS.map((n) => ({ n, ...measure(n, 'realtime') }));
  const instant = COUNTS.map((n) => ({ n, ...measure(n, 'instant') }));
  const wall1 = realtime[0]!.wallMs;
  // What one more board costs, without the process start-up that all boards share.
  const first = instant[0]!;
  const last = instant[instant.length - 1]!;
  const marginalMs = (last.cpuMs - first.cpuMs) / (last.n - first.n);
  const ratio8 = realtime.find((r) => r.n === 8)!.wallMs / wall1;
  return Promise.resolve([
    {
      title: 'Batch: host wall time of N virtual F411RE boards, 128 KiB each (timing: realtime)',
      columns: ['boards', 'wall, s', 'wall / wall(1)', 'slowest board, s', 'process CPU, s'],
      rows: realtime.map((r) => [
        r.n,
        r.wallMs / 1000,
        r.wallMs / wall1,
        r.boardMs / 1000,
        r.cpuMs / 1000,
      ]),
      notes: [
        '`flashwright batch --json` as a process on fresh virtual boards (ST-Link V2, STM32F411RE): connect, read the UID, allocate a serial in SQLite, erase auto, write, verify, reset, log the attempt. flash.loader: host, because the simulator interprets a RAM loader on the host CPU, which would be measured instead of flashwright.',
        `wall(8) / wall(1) = ${ratio8.toFixed(2)} (goal <= 1.5: ${ratio8 <= 1.5 ? 'met' : 'NOT met'}). Wall time includes the process start-up, opening the database and listing the probes; "slowest board" is one board's own time.`,
      ],
    },
    {
      title: 'Batch: host cost per board (timing: instant)',
      columns: ['boards', 'wall, s', 'process CPU, s', 'CPU per board, ms', 'wall per board, ms'],
      rows: instant.map((r) => [
        r.n,
        r.wallMs / 1000,
        r.cpuMs / 1000,
        Math.round(r.cpuMs / r.n),
        Math.round(r.wallMs / r.n),
      ]),
      notes: [
        'The simulated hardware takes no time: what remains is the host work (the ST-Link protocol, the sim, the flash planner, SQLite) and the process start-up, shared by all boards.',
        `One more board costs ${marginalMs.toFixed(0)} ms of CPU: (CPU(${last.n}) - CPU(${first.n})) / ${last.n - first.n}.`,
      ],
    },
  ]);
}
