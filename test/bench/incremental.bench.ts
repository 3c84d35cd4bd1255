/**
 * Incremental flashing on virtual hardware, through the CLI as a user runs it: the virtual
 * time of the erase, write and verify steps of a run that changes the first byte of a
 * 128 KiB image, as a fraction of the first full run on a blank chip (goal: at most 0.35
 * with readback comparison). Also the cost of comparing on a blank chip, where nothing can
 * be skipped: the first run with comparison against the same run with --force.
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
const STEPS = new Set(['erase', 'write', 'verify']);

const parts = ['STM32L476RG', 'STM32F411RE', 'STM32L151CBxxA'] as const;
const probes = [
  { kind: 'stlink-v2', speedKhz: 4000 },
  { kind: 'stlink-v3', speedKhz: 24000 },
] as const;

function image(): Uint8Array {
  // No erased unit anywhere, so a full run programs every byte.
  return Uint8Array.from({ length: IMAGE_BYTES }, (_, i) => 1 + ((i * 151 + (i >> 9)) % 254));
}

function recipe(part: string, probe: (typeof probes)[number]): string {
  return [
    'probe:',
    '  transport: virtual',
    `  speed: ${probe.speedKhz}`,
    `  options: { probe: ${probe.kind}, device: ${part}, state: board.json, timing: instant }`,
    `target: { family: stm32, device: ${part} }`,
    'image: { file: app.bin, base: 0x08000000 }',
    'steps: [connect, { erase: auto }, write, verify]',
    '',
  ].join('\n');
}

/** Virtual ms of the erase, write and verify steps of one `run --json`. */
function stepsVirtualMs(cwd: string, extra: readonly string[] = []): number {
  const result = spawnSync(process.execPath, [cli, 'run', '--json', ...extra], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FLASHWRIGHT_PROBE: '' },
  });
  if (result.status !== 0) throw new Error(`run failed: ${result.stdout}${result.stderr}`);
  let total = 0;
  for (const line of result.stdout.split('\n')) {
    if (line === '') continue;
    const event = JSON.parse(line) as { type?: string; id?: string; virtualMs?: number };
    if (event.type === 'step-end' && STEPS.has(event.id ?? '')) total += event.virtualMs ?? 0;
  }
  return total;
}

function board(part: string, probe: (typeof probes)[number], data: Uint8Array): string {
  const cwd = mkdtempSync(join(tmpdir(), 'flashwright-bench-'));
  writeFileSync(join(cwd, 'package.json'), '{"name":"bench","private":true}\n');
  writeFileSync(join(cwd, 'flashwright.config.yaml'), recipe(part, probe));
  writeFileSync(join(cwd, 'app.bin'), data);
  return cwd;
}

export function run(): Promise<BenchTable[]> {
  const rows: (string | number)[][] = [];
  let worst = 0;
  for (const part of parts) {
    for (const probe of probes) {
      const data = image();
      const forcedBoard = board(part, probe, data);
      const forcedMs = stepsVirtualMs(forcedBoard, ['--force']);
      const cwd = board(part, probe, data);
      const firstMs = stepsVirtualMs(cwd);
      const changed = Uint8Array.from(data);
      changed[0] = (changed[0] ?? 0) ^ 0xff;
      writeFileSync(join(cwd, 'app.bin'), changed);
      const changedMs = stepsVirtualMs(cwd);
      const fraction = changedMs / firstMs;
      worst = Math.max(worst, fraction);
      rows.push([
        part,
        probe.kind,
        Math.round(firstMs),
        Math.round(changedMs),
        fraction,
        Math.round(forcedMs),
        (firstMs - forcedMs) / forcedMs,
      ]);
      rmSync(cwd, { recursive: true, force: true });
      rmSync(forcedBoard, { recursive: true, force: true });
    }
  }
  return Promise.resolve([
    {
      title: 'Incremental flashing: first byte of a 128 KiB image changed (virtual time)',
      columns: [
        'part',
        'probe',
        'first run on a blank chip, ms',
        'run with byte 0 changed, ms',
        'fraction (goal <= 0.35)',
        'blank chip with --force, ms',
        'compare overhead on a blank chip',
      ],
      rows,
      notes: [
        'Virtual ms of the erase, write and verify steps, from `flashwright run --json` on transport-virtual (timing: instant), V2 at 4 MHz SWD and V3 at 24 MHz.',
        'Comparison is by readback (no on-chip checksum yet); sectors found equal count as verified, so verify reads only what was rewritten.',
        `Worst fraction: ${worst.toFixed(3)} (${worst <= 0.35 ? 'goal met' : 'goal NOT met'}).`,
      ],
    },
  ]);
}
