import { join } from 'node:path';
import { openStore, type ProductionStore } from '@flashwright/production';
import { ndjson, runCli, type CliRun } from './cli.js';
import type * as ProductionTestDatabases from '../../../packages/production/dist/test/helpers/databases.js';

/** Helpers for the batch and station tests: virtual F411RE boards and their database. */

export const IMAGE_BYTES = 128 * 1024;
/** Where the recipes put the serial: inside the image, over its last 16 bytes. */
export const SERIAL_ADDRESS = 0x0801fff0;
export const DATABASE = 'production.db';

/** A 128 KB pseudo-random image. */
export function image(seed = 7): Uint8Array {
  let x = seed;
  return Uint8Array.from({ length: IMAGE_BYTES }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 24;
  });
}

export interface BoardSpec {
  readonly serial: string;
  readonly uid?: string;
  readonly faults?: string;
  readonly present?: string;
  readonly powered?: string;
}

/** A recipe for virtual F411RE boards behind ST-Link V2s, serials counted from 1000. */
export function batchRecipe(
  boards: number | readonly BoardSpec[],
  options: { pool?: string; timing?: 'instant' | 'realtime'; encoding?: string } = {},
): string {
  const list =
    typeof boards === 'number'
      ? [`    boards: ${boards}`]
      : [
          '    boards:',
          ...boards.map((b) => {
            const fields = [`serial: ${b.serial}`];
            if (b.uid !== undefined) fields.push(`uid: "${b.uid}"`);
            if (b.faults !== undefined) fields.push(`faults: ${b.faults}`);
            if (b.present !== undefined) fields.push(`present: ${b.present}`);
            if (b.powered !== undefined) fields.push(`powered: ${b.powered}`);
            return `      - { ${fields.join(', ')} }`;
          }),
        ];
  return [
    'probe:',
    '  transport: virtual',
    '  options:',
    '    probe: stlink-v2',
    '    device: STM32F411RE',
    "    state: 'boards/{serial}.json'",
    `    timing: ${options.timing ?? 'instant'}`,
    ...list,
    'target: { family: stm32, device: STM32F411RE }',
    'image: { file: app.bin, base: 0x08000000 }',
    'production:',
    `  database: ${DATABASE}`,
    '  station: test-station',
    '  serial:',
    `    pool: ${options.pool ?? 'widget'}`,
    '    counter: { start: 1000, width: 6, prefix: SN- }',
    `    address: 0x${SERIAL_ADDRESS.toString(16)}`,
    `    encoding: ${options.encoding ?? 'u32le'}`,
    '',
  ].join('\n');
}

export type Events = Record<string, unknown>[];

/** `flashwright batch --json ARGS` in cwd: the run and its NDJSON events. */
export async function batch(
  cwd: string,
  args: readonly string[] = [],
): Promise<{ run: CliRun; events: Events }> {
  const run = await runCli(['batch', '--json', ...args], { cwd });
  return { run, events: ndjson(run.stdout) };
}

/** The board-end events, by probe serial. */
export function boardEnds(events: Events): Map<string, Record<string, unknown>> {
  return new Map(
    events
      .filter((e) => e['type'] === 'board-end')
      .map((e) => [(e['board'] as { probe: string }).probe, e]),
  );
}

/** A board's events of one type. */
export function boardEvents(events: Events, probe: string, type: string): Events {
  return events.filter(
    (e) => e['type'] === type && (e['board'] as { probe?: string } | undefined)?.probe === probe,
  );
}

export async function withStore<T>(
  cwd: string,
  body: (store: ProductionStore) => Promise<T>,
): Promise<T> {
  const store = await openStore(join(cwd, DATABASE));
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

/** Reads `length` bytes at `address` from one virtual board through `flashwright read`. */
export async function readBoard(
  cwd: string,
  probe: string,
  address: number,
  length: number,
): Promise<Buffer> {
  const out = `read-${probe}.bin`;
  const run = await runCli(
    ['read', `0x${address.toString(16)}`, String(length), '-o', out, '--json'],
    { cwd, env: { FLASHWRIGHT_PROBE_SERIAL: probe } },
  );
  if (run.code !== 0) throw new Error(`read ${probe} failed (${run.code}): ${run.stdout}`);
  const { readFile } = await import('node:fs/promises');
  return readFile(join(cwd, out));
}

/**
 * The production package's own test databases (created per test, dropped with a retry that
 * outlasts an autovacuum worker). Loaded by URL: its compiled module sits one directory
 * deeper from here than its source does from this file's source.
 */
const databases = (await import(
  new URL('../../../../packages/production/dist/test/helpers/databases.js', import.meta.url).href
)) as typeof ProductionTestDatabases;

/**
 * Why the PostgreSQL batch test cannot run here (no FLASHWRIGHT_TEST_PG_URL; `.ci/start-postgres`
 * prints one), or undefined when it can.
 */
export const postgresMissing = databases.postgresMissing;

/** A new PostgreSQL database on the test server; `drop` removes it. */
export function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  return databases.createPostgresDatabase('fw_batch');
}
