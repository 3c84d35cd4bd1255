/**
 * CLI start-up time (issue 2): wall-clock time of whole `flashwright` processes, because
 * that is what a user waits for. Goal: `flashwright --version` under 300 ms. Plugins, core
 * and listr2 load lazily, so --version and --help load only commander and the command table.
 * Baseline: `node -e ''` (the cost of starting Node at all on this machine).
 * Each figure is the median (and 90th percentile) of RUNS processes after WARMUP ones.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchTable } from './table.js';

const RUNS = 15;
const WARMUP = 2;
const GOAL_MS = 300;
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/src/bin.js');
const examplePlugin = join(repo, 'test/fixtures/example-plugin');

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

function timeProcess(args: readonly string[], cwd: string): number[] {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const start = performance.now();
    const result = spawnSync(process.execPath, args, { cwd, stdio: 'ignore' });
    const elapsed = performance.now() - start;
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
    if (i >= WARMUP) times.push(elapsed);
  }
  return times;
}

export function run(): Promise<BenchTable[]> {
  const project = mkdtempSync(join(tmpdir(), 'flashwright-bench-'));
  try {
    writeFileSync(join(project, 'package.json'), '{"name":"bench","private":true}\n');
    writeFileSync(join(project, 'app.fwtext'), '# fwtext\n0x08000000: 00 01 02 03\n');
    writeFileSync(
      join(project, 'flashwright.config.yaml'),
      `plugins: [${JSON.stringify(examplePlugin)}]\nprobe: { transport: loopback }\ntarget: { family: example, device: EXAMPLE-64K }\nimage: app.fwtext\n`,
    );
    const cases: [string, string[]][] = [
      ["node -e '' (baseline)", ['-e', '']],
      ['flashwright --version', [bin, '--version']],
      ['flashwright --help', [bin, '--help']],
      ['flashwright run --help', [bin, 'run', '--help']],
      [
        'flashwright run --dry-run --json (recipe, plugin, image)',
        [bin, 'run', '--dry-run', '--json'],
      ],
    ];
    const rows = cases.map(([name, args]) => {
      const times = timeProcess(args, project);
      const median = percentile(times, 0.5);
      const goal =
        name === 'flashwright --version'
          ? median < GOAL_MS
            ? `< ${GOAL_MS} ms: met`
            : `< ${GOAL_MS} ms: MISSED`
          : '';
      return [name, median, percentile(times, 0.9), goal];
    });
    return Promise.resolve([
      {
        title: 'CLI start-up (whole process, ms)',
        columns: ['command', 'median ms', 'p90 ms', 'goal'],
        rows,
        notes: [
          `${RUNS} runs after ${WARMUP} warm-up runs each; Node ${process.version}; ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`,
          'The dry run loads core, the recipe (cosmiconfig, yaml, zod), the example plugin and the image, but no transport.',
        ],
      },
    ]);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
