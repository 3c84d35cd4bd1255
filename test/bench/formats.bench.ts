/**
 * Format parsing speed (issue 6): an 11.5 MB Intel HEX file (4 MiB of data at 0x08000000,
 * 16-byte records) and the equivalent S-record file, generated into a temp dir.
 *
 * Baselines measured in the same run: nrf-intel-hex parsing the same text, and srec_cat
 * (Debian srecord) converting each file to binary, timed as a whole process. Goals: at
 * least as fast as srec_cat, at least 5x nrf-intel-hex, and (issue 17) `flashwright convert`
 * to binary as a whole process, start-up included, at least as fast as srec_cat. Throughput
 * is MB (10^6 bytes) of input text per second; each figure is the median of several runs
 * after a warm-up.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import nrfIntelHex from 'nrf-intel-hex';
import { FlashImage } from '@flashwright/core/image';
import { parseIntelHex, serializeIntelHex } from '@flashwright/format-ihex';
import { parseSrec, serializeSrec } from '@flashwright/format-srec';
import { pseudoRandomImage } from '../e2e/helpers/pseudo-random.js';
import { benchCli } from './bench-cli.js';
import type { BenchTable } from './table.js';

// nrf-intel-hex's typings declare an ES default export; Node loads its CommonJS build, whose
// module.exports is the MemoryMap class itself.
const MemoryMap = nrfIntelHex as unknown as typeof nrfIntelHex.default;

const BASE = 0x08000000;
const DATA_BYTES = 4 * 1024 * 1024;
const RUNS = 7;
const WARMUP_RUNS = 2;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median milliseconds of `runs` calls after `warmup` untimed ones. */
function timeMs(action: () => void, runs = RUNS, warmup = WARMUP_RUNS): number {
  for (let i = 0; i < warmup; i++) action();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    action();
    times.push(performance.now() - start);
  }
  return median(times);
}

function srecCat(input: string, format: '-intel' | '-motorola', output: string): void {
  const run = spawnSync('srec_cat', [
    input,
    format,
    '-offset',
    `-${BASE}`,
    '-o',
    output,
    '-binary',
  ]);
  if (run.status !== 0) throw new Error(`srec_cat failed: ${String(run.stderr)}`);
}

/** `flashwright convert INPUT OUTPUT` as a process: start-up, read, parse, write. */
function flashwrightConvert(bin: string, input: string, output: string): void {
  const run = spawnSync(process.execPath, [bin, 'convert', input, output]);
  if (run.status !== 0) throw new Error(`flashwright convert failed: ${String(run.stderr)}`);
}

export async function run(): Promise<BenchTable[]> {
  await Promise.resolve();
  const cli = benchCli();
  const dir = mkdtempSync(join(tmpdir(), 'flashwright-bench-formats-'));
  try {
    const data = pseudoRandomImage(DATA_BYTES, 0x12345678);
    const image = FlashImage.from([[BASE, data]], { entryPoint: BASE + 0xf9 });
    const hexPath = join(dir, 'data.hex');
    const srecPath = join(dir, 'data.srec');
    writeFileSync(hexPath, serializeIntelHex(image));
    writeFileSync(srecPath, serializeSrec(image));
    const hex = readFileSync(hexPath);
    const srec = readFileSync(srecPath);
    const hexText = hex.toString('latin1');
    const mb = (bytes: number): number => bytes / 1e6;

    // Correctness first: a fast wrong parser is no result.
    if (!parseIntelHex(hex).equals(image) || !parseSrec(srec).equals(image)) {
      throw new Error('flashwright parsers disagree with the generated image');
    }
    if (!FlashImage.from(MemoryMap.fromHex(hexText)).equals(image)) {
      throw new Error('nrf-intel-hex disagrees with the generated image');
    }

    const ours = {
      hex: timeMs(() => parseIntelHex(hex)),
      srec: timeMs(() => parseSrec(srec)),
      hexFromDisk: timeMs(() => parseIntelHex(readFileSync(hexPath))),
    };
    const nrfMs = timeMs(() => MemoryMap.fromHex(hexText), 3, 1);

    const cliOut = join(dir, 'flashwright.bin');
    flashwrightConvert(cli.bin, hexPath, cliOut);
    if (!readFileSync(cliOut).equals(data)) throw new Error('flashwright convert output differs');
    const convertMs = {
      hex: timeMs(() => flashwrightConvert(cli.bin, hexPath, cliOut), 5, 1),
      srec: timeMs(() => flashwrightConvert(cli.bin, srecPath, cliOut), 5, 1),
    };

    const hasSrecCat = spawnSync('srec_cat', ['-VERSion']).status === 0;
    let srecCatMs: { hex: number; srec: number; empty: number } | undefined;
    if (hasSrecCat) {
      const outPath = join(dir, 'out.bin');
      srecCat(hexPath, '-intel', outPath);
      if (!readFileSync(outPath).equals(data)) throw new Error('srec_cat output differs');
      const emptyPath = join(dir, 'one-byte.hex');
      writeFileSync(emptyPath, ':020000040800F2\n:0100000000FF\n:00000001FF\n');
      srecCatMs = {
        hex: timeMs(() => srecCat(hexPath, '-intel', outPath), 5, 1),
        srec: timeMs(() => srecCat(srecPath, '-motorola', outPath), 5, 1),
        empty: timeMs(() => srecCat(emptyPath, '-intel', outPath), 5, 1),
      };
    }

    const rate = (bytes: number, ms: number): number => mb(bytes) / (ms / 1000);
    const hexRate = rate(hex.length, ours.hex);
    const srecRate = rate(srec.length, ours.srec);
    const nrfRate = rate(hex.length, nrfMs);
    const rows: (string | number)[][] = [
      ['flashwright parseIntelHex', 'Intel HEX', mb(hex.length), ours.hex, hexRate],
      ['flashwright parseSrec', 'S-record', mb(srec.length), ours.srec, srecRate],
      [
        'flashwright readFileSync + parseIntelHex',
        'Intel HEX',
        mb(hex.length),
        ours.hexFromDisk,
        rate(hex.length, ours.hexFromDisk),
      ],
      ['nrf-intel-hex 1.4.0 MemoryMap.fromHex', 'Intel HEX', mb(hex.length), nrfMs, nrfRate],
      [
        'flashwright convert → binary (whole process)',
        'Intel HEX',
        mb(hex.length),
        convertMs.hex,
        rate(hex.length, convertMs.hex),
      ],
      [
        'flashwright convert → binary (whole process)',
        'S-record',
        mb(srec.length),
        convertMs.srec,
        rate(srec.length, convertMs.srec),
      ],
    ];
    if (srecCatMs !== undefined) {
      rows.push(
        [
          'srec_cat → binary (whole process)',
          'Intel HEX',
          mb(hex.length),
          srecCatMs.hex,
          rate(hex.length, srecCatMs.hex),
        ],
        [
          'srec_cat → binary (whole process)',
          'S-record',
          mb(srec.length),
          srecCatMs.srec,
          rate(srec.length, srecCatMs.srec),
        ],
        ['srec_cat on a 1-byte file (process start)', 'Intel HEX', 0, srecCatMs.empty, '-'],
      );
    }

    const goals: (string | number)[][] = [
      [
        'HEX ≥ 5× nrf-intel-hex',
        `${(hexRate / nrfRate).toFixed(1)}×`,
        hexRate >= 5 * nrfRate ? 'met' : 'NOT met',
      ],
    ];
    if (srecCatMs !== undefined) {
      const catHex = rate(hex.length, srecCatMs.hex);
      const catSrec = rate(srec.length, srecCatMs.srec);
      goals.push(
        [
          'HEX ≥ srec_cat',
          `${(hexRate / catHex).toFixed(1)}×`,
          hexRate >= catHex ? 'met' : 'NOT met',
        ],
        [
          'S-record ≥ srec_cat',
          `${(srecRate / catSrec).toFixed(1)}×`,
          srecRate >= catSrec ? 'met' : 'NOT met',
        ],
        [
          'convert HEX → binary, whole process ≥ srec_cat',
          `${(srecCatMs.hex / convertMs.hex).toFixed(2)}×`,
          convertMs.hex <= srecCatMs.hex ? 'met' : 'NOT met',
        ],
        [
          'convert S-record → binary, whole process ≥ srec_cat',
          `${(srecCatMs.srec / convertMs.srec).toFixed(2)}×`,
          convertMs.srec <= srecCatMs.srec ? 'met' : 'NOT met',
        ],
      );
    }

    const machine = `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`;
    return [
      {
        title: 'Format parsing: 4 MiB of data at 0x08000000, 16-byte records',
        columns: ['parser', 'input', 'text MB', 'median ms', 'MB/s of text'],
        rows,
        notes: [
          `median of ${RUNS} runs after ${WARMUP_RUNS} warm-up runs (nrf-intel-hex: 3 after 1; srec_cat: 5 after 1); ${machine}`,
          'flashwright and nrf-intel-hex: in-process parse of text already in memory (nrf-intel-hex gets a decoded string, flashwright the raw bytes); the result is checked against the generated image',
          'srec_cat: `srec_cat IN -intel|-motorola -offset -0x08000000 -o OUT -binary`, timed as a process (start, read, convert, write 4 MiB)',
          `flashwright convert: \`flashwright convert IN OUT.bin\` as a process, with ${cli.label}; its output is checked against the data`,
          ...(srecCatMs === undefined
            ? ['srec_cat not installed (Debian package srecord): its rows are missing']
            : []),
        ],
      },
      { title: 'Format parsing goals', columns: ['goal', 'ratio', 'result'], rows: goals },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
