/**
 * CLI start-up (issues 2 and 17): wall-clock time of whole `flashwright` processes, because
 * that is what a user waits for, as a ratio to `node -e 0` measured in the same run (what
 * starting Node costs on this machine at this moment). Goal (issue 17): every command within
 * 2× `node -e 0`. The cases run interleaved, one of each per round, so that a change in the
 * machine's load touches them alike; each figure is the median (and 90th percentile) of
 * RUNS rounds after WARMUP ones. The bundle keeps V8's compiled code per command in a cache
 * directory (packages/cli/src/code-cache.ts), here a fresh one that the first warm-up round
 * fills, as a user's first run of each command does; one more row runs without it, what every
 * run would cost without the cache (and about what a command's first run costs).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCli } from './bench-cli.js';
import type { BenchTable } from './table.js';

const RUNS = 21;
const WARMUP = 3;
const GOAL_RATIO = 2;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** A 4-byte Intel HEX file at 0x08000000. */
const SMALL_HEX = ':020000040800F2\n:0400000001020304F2\n:00000001FF\n';

export function run(): Promise<BenchTable[]> {
  const { bin, label } = benchCli();
  const project = mkdtempSync(join(tmpdir(), 'flashwright-bench-'));
  try {
    writeFileSync(join(project, 'package.json'), '{"name":"bench","private":true}\n');
    writeFileSync(join(project, 'app.hex'), SMALL_HEX);
    // The README's quick-start recipe: a board preset, the STM32 family, an Intel HEX image.
    writeFileSync(
      join(project, 'flashwright.config.yaml'),
      'extends: board:rak5205\nimage: app.hex\n',
    );
    const env = { ...process.env, XDG_CACHE_HOME: join(project, 'cache') };
    const noCache = { ...env, NODE_DISABLE_COMPILE_CACHE: '1' };
    const cases: [string, string[], NodeJS.ProcessEnv, boolean][] = [
      ['node -e 0 (baseline)', ['-e', '0'], env, false],
      ['flashwright --version', [bin, '--version'], env, true],
      ['flashwright --help', [bin, '--help'], env, true],
      [
        'flashwright convert app.hex app.bin (4 bytes)',
        [bin, 'convert', 'app.hex', 'app.bin'],
        env,
        true,
      ],
      ['flashwright devices', [bin, 'devices'], env, true],
      [
        'flashwright run --dry-run (board preset, STM32, HEX)',
        [bin, 'run', '--dry-run'],
        env,
        true,
      ],
      ['the same without the code cache', [bin, 'run', '--dry-run'], noCache, false],
    ];
    const times = cases.map((): number[] => []);
    for (let round = 0; round < WARMUP + RUNS; round++) {
      cases.forEach(([name, args, env], i) => {
        const start = performance.now();
        const result = spawnSync(process.execPath, args, { cwd: project, env, stdio: 'ignore' });
        const elapsed = performance.now() - start;
        if (result.status !== 0) throw new Error(`${name} exited ${result.status}`);
        if (round >= WARMUP) times[i]!.push(elapsed);
      });
    }
    const baseline = percentile(times[0]!, 0.5);
    const rows = cases.map(([name, , , goal], i) => {
      const median = percentile(times[i]!, 0.5);
      const ratio = median / baseline;
      return [
        name,
        median,
        percentile(times[i]!, 0.9),
        `${ratio.toFixed(2)}×`,
        !goal ? '' : ratio <= GOAL_RATIO ? 'met' : 'MISSED',
      ];
    });
    return Promise.resolve([
      {
        title: 'CLI start-up (whole process)',
        columns: ['command', 'median ms', 'p90 ms', '× node -e 0', `goal ≤ ${GOAL_RATIO}×`],
        rows,
        notes: [
          `${RUNS} interleaved rounds after ${WARMUP} warm-up rounds; Node ${process.version}; ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`,
          `flashwright is ${label}`,
          'the bundle compiles from its code cache (one per command, made by the first warm-up round) on every Node version',
        ],
      },
    ]);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
