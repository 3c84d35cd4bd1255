import { join } from 'node:path';
import { openStore, type ProductionStore } from '@flashwright/production';
import { ndjson, runCli, type CliRun } from './cli.js';

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

const pgAdminUrl = process.env['FLASHWRIGHT_TEST_PG_URL'];

/**
 * Why the PostgreSQL batch test cannot run here (no FLASHWRIGHT_TEST_PG_URL; `.ci/start-postgres`
 * prints one), or undefined when it can.
 */
export const postgresMissing: string | undefined =
  pgAdminUrl === undefined || pgAdminUrl === ''
    ? 'FLASHWRIGHT_TEST_PG_URL is not set (run `export FLASHWRIGHT_TEST_PG_URL=$(.ci/start-postgres)`)'
    : undefined;

/** A new PostgreSQL database on the test server; `drop` removes it. */
export async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (pgAdminUrl === undefined) throw new Error(postgresMissing);
  const { default: pg } = await import('pg');
  const admin = async (statement: string): Promise<void> => {
    const client = new pg.Client({ connectionString: pgAdminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const name = `fw_batch_${Math.random().toString(16).slice(2, 10)}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(pgAdminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
