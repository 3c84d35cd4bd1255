/**
 * CLI start-up (issues 2 and 17): wall-clock time of whole `flashwright` processes, because
 * that is what a user waits for, as a ratio to `node -e 0` measured in the same run (what
 * starting Node costs on this machine at this moment). Goal (issue 17): every command within
 * 2× `node -e 0`. The cases run interleaved, one of each per round, so that a change in the
 * machine's load touches them alike; each figure is the median (and 90th percentile) of
 * RUNS rounds after WARMUP ones.
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
    const cases: [string, string[]][] = [
      ['node -e 0 (baseline)', ['-e', '0']],
      ['flashwright --version', [bin, '--version']],
      ['flashwright --help', [bin, '--help']],
      ['flashwright convert app.hex app.bin (4 bytes)', [bin, 'convert', 'app.hex', 'app.bin']],
      ['flashwright devices', [bin, 'devices']],
      ['flashwright run --dry-run (board preset, STM32, HEX)', [bin, 'run', '--dry-run']],
    ];
    const times = cases.map((): number[] => []);
    for (let round = 0; round < WARMUP + RUNS; round++) {
      cases.forEach(([name, args], i) => {
        const start = performance.now();
        const result = spawnSync(process.execPath, args, { cwd: project, stdio: 'ignore' });
        const elapsed = performance.now() - start;
        if (result.status !== 0) throw new Error(`${name} exited ${result.status}`);
        if (round >= WARMUP) times[i]!.push(elapsed);
      });
    }
    const baseline = percentile(times[0]!, 0.5);
    const rows = cases.map(([name], i) => {
      const median = percentile(times[i]!, 0.5);
      const ratio = median / baseline;
      return [
        name,
        median,
        percentile(times[i]!, 0.9),
        `${ratio.toFixed(2)}×`,
        i === 0 ? '' : ratio <= GOAL_RATIO ? 'met' : 'MISSED',
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
          'Node 22.1 and later also keep the compiled code between runs (module.enableCompileCache); Node 20 cannot for ES modules.',
        ],
      },
    ]);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
