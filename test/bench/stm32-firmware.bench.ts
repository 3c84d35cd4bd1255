/**
 * The write step on a firmware-like image, through the whole pipeline (`flashwright run` on
 * virtual hardware): 96 KiB in which about one word in eight is all zeros and one in twenty
 * all ones, with a 512-byte stretch of the erased value and a 300-byte one of its opposite
 * every 8 KiB, as tables, padding and constants leave them. Unlike stm32.bench.ts (every
 * byte programmed, the device called directly) this measures core's planning too: which
 * erased stretches are skipped, how runs are cut, what reaches the device. The floor is
 * programming every best program unit (timing.ts) that holds data, plus its USB payload.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestProgramUnit, flashTimings, physicalFloor, type FlashFamily } from '@flashwright/sim';
import type { BenchTable } from './table.js';

const IMAGE_BYTES = 96 * 1024;
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(repo, 'packages/cli/dist/src/bin.js');

const cases: readonly { part: string; family: FlashFamily; erased: number }[] = [
  { part: 'STM32L151CBxxA', family: 'l1', erased: 0x00 },
  { part: 'STM32F103RB', family: 'f1', erased: 0xff },
  { part: 'STM32F411RE', family: 'f4', erased: 0xff },
  { part: 'STM32L476RG', family: 'l4', erased: 0xff },
];
const probes = [
  { kind: 'stlink-v2', usb: 'full-speed' },
  { kind: 'stlink-v3', usb: 'high-speed' },
] as const;

function firmwareLike(erased: number): Uint8Array {
  const out = new Uint8Array(IMAGE_BYTES);
  let x = 12345;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < out.length; i += 4) {
    const r = next();
    const fill = r < 0.12 ? 0x00 : r < 0.17 ? 0xff : -1;
    for (let k = 0; k < 4; k++) out[i + k] = fill >= 0 ? fill : Math.floor(next() * 256);
  }
  for (let at = 4096; at < out.length; at += 8192) {
    out.fill(erased, at, at + 512);
    out.fill(erased ^ 0xff, at + 2048, at + 2348);
  }
  return out;
}

/** Bytes of the units of `unitBytes` that hold anything but the erased value. */
function dataUnitBytes(data: Uint8Array, unitBytes: number, erased: number): number {
  let bytes = 0;
  for (let at = 0; at < data.length; at += unitBytes) {
    if (data.subarray(at, at + unitBytes).some((b) => b !== erased)) bytes += unitBytes;
  }
  return bytes;
}

export function run(): Promise<BenchTable[]> {
  const dir = mkdtempSync(join(tmpdir(), 'flashwright-bench-'));
  const rows: (string | number)[][] = [];
  try {
    writeFileSync(join(dir, 'package.json'), '{"name":"bench","private":true}\n');
    for (const c of cases) {
      const data = firmwareLike(c.erased);
      writeFileSync(join(dir, 'app.bin'), data);
      for (const p of probes) {
        writeFileSync(
          join(dir, 'flashwright.config.yaml'),
          `probe: { transport: virtual, options: { probe: ${p.kind}, device: ${c.part}, timing: instant } }\n` +
            `target: { device: ${c.part} }\nimage: { file: app.bin, base: 0x08000000 }\n` +
            'steps: [connect, { erase: auto }, write, verify]\n',
        );
        const result = spawnSync(process.execPath, [bin, 'run', '--json'], {
          cwd: dir,
          encoding: 'utf8',
        });
        const events = result.stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        const write = events.find((e) => e['type'] === 'step-end' && e['id'] === 'write');
        const virtualMs = write?.['virtualMs'];
        if (result.status !== 0 || typeof virtualMs !== 'number') {
          throw new Error(`${c.part} on ${p.kind}: exit ${result.status}: ${result.stderr}`);
        }
        const timing = flashTimings[c.family];
        const needed = dataUnitBytes(data, bestProgramUnit(timing).bytes, c.erased);
        const floor = physicalFloor({
          timing,
          imageBytes: needed,
          erasedUnitBytes: [],
          usb: p.usb,
        });
        rows.push([
          c.part,
          p.kind,
          Math.round(needed / 1024),
          Math.round(floor.totalMs),
          Math.round(virtualMs),
          floor.totalMs / virtualMs,
        ]);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return Promise.resolve([
    {
      title: 'STM32 write step of a 96 KiB firmware-like image through the pipeline (virtual)',
      columns: ['part', 'probe', 'data units KiB', 'floor ms', 'write ms', 'efficiency'],
      rows,
      notes: [
        'Virtual time of the write step of `flashwright run` (connect, erase: auto, write, verify) with timing: instant.',
        'Floor: programming the best program units (timing.ts) that hold data, plus their USB payload; no transfer starts, no status reads.',
      ],
    },
  ]);
}
