/**
 * `pnpm bench`: runs every benchmark module next to this file (*.bench.js after the build)
 * and prints its tables as Markdown, so the figures can go straight into a closing note.
 * A module exports `run(): Promise<BenchTable[]>`. Pass names to run only some:
 * `pnpm bench -- formats stlink`.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchTable } from './table.js';
import { formatTable } from './table.js';

interface BenchModule {
  run(): Promise<BenchTable[]>;
}

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2).filter((a) => a !== '--');
const files = (await readdir(here))
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => only.length === 0 || only.some((name) => f.includes(name)))
  .sort();

let failed = false;
for (const file of files) {
  const module = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
  try {
    for (const table of await module.run()) console.log(formatTable(table));
  } catch (error) {
    failed = true;
    console.error(`${file} failed:`, error);
  }
}
if (failed) process.exitCode = 1;
