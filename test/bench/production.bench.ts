/**
 * Production database (issue 14): serial allocations per second with several stations at
 * once, each a process of its own, on one PostgreSQL database (8 stations) and on one SQLite
 * file (2 processes on one machine). "Allocations" is allocateSerial alone; "boards" adds the
 * attempt a production run logs for each board (startAttempt and finishAttempt), three
 * transactions per board. PostgreSQL is the server FLASHWRIGHT_TEST_PG_URL names
 * (`.ci/start-postgres`), on loopback, with its defaults (fsync on); SQLite runs in WAL mode
 * with synchronous=FULL. The rate is the total over the wall time from "go" to the last
 * station done.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import pg from 'pg';
import type { BenchTable } from './table.js';

const station = fileURLToPath(new URL('production-station.js', import.meta.url));
const PER_STATION = 250;

/** Runs `stations` processes on one fresh database; returns operations per second. */
async function measure(location: string, stations: number, log: boolean): Promise<number> {
  const children = Array.from({ length: stations }, (_, i) =>
    spawn(
      process.execPath,
      [station, JSON.stringify({ location, station: `st${i}`, count: PER_STATION, log })],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    ),
  );
  const outputs = children.map((child) => {
    const lines = createInterface({ input: child.stdout });
    const seen: string[] = [];
    const ready = new Promise<void>((resolve) =>
      lines.on('line', (line) => {
        seen.push(line);
        if (line === 'ready') resolve();
      }),
    );
    const done = new Promise<void>((resolve, reject) =>
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`station exit ${code}`)),
      ),
    );
    return { ready, done };
  });
  await Promise.all(outputs.map((o) => o.ready));
  const started = performance.now();
  for (const child of children) child.stdin.end('go\n');
  await Promise.all(outputs.map((o) => o.done));
  return (stations * PER_STATION) / ((performance.now() - started) / 1000);
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function postgresRow(stations: number): Promise<(string | number)[]> {
  const adminUrl = process.env['FLASHWRIGHT_TEST_PG_URL'];
  if (adminUrl === undefined || adminUrl === '') {
    return [
      `PostgreSQL, ${stations} station${stations === 1 ? '' : 's'}`,
      'skipped: FLASHWRIGHT_TEST_PG_URL unset',
      '',
      '',
    ];
  }
  const rates: number[] = [];
  for (const log of [false, true]) {
    const name = `fw_bench_${randomBytes(6).toString('hex')}`;
    await admin(adminUrl, `CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    try {
      rates.push(await measure(url.toString(), stations, log));
    } finally {
      await admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  }
  return [
    `PostgreSQL, ${stations} station${stations === 1 ? '' : 's'}`,
    stations * PER_STATION,
    ...rates.map(Math.round),
  ];
}

function sqliteRow(processes: number): Promise<(string | number)[]> {
  return (async () => {
    const rates: number[] = [];
    for (const log of [false, true]) {
      const dir = mkdtempSync(join(tmpdir(), 'fw-bench-'));
      try {
        rates.push(await measure(join(dir, 'production.db'), processes, log));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return [
      `SQLite, ${processes} process${processes === 1 ? '' : 'es'}`,
      processes * PER_STATION,
      ...rates.map(Math.round),
    ];
  })();
}

export async function run(): Promise<BenchTable[]> {
  return [
    {
      title: 'Production database: serial allocation with concurrent stations',
      columns: ['Database', 'Serials', 'Allocations/s', 'Boards/s (allocate + log attempt)'],
      rows: [await postgresRow(8), await postgresRow(1), await sqliteRow(2), await sqliteRow(1)],
      notes: [
        `Each station a process, ${PER_STATION} serials each, all started together; the rate is serials over the wall time.`,
        'PostgreSQL on loopback with its default settings (fsync on); SQLite in WAL mode, synchronous=FULL, BEGIN IMMEDIATE.',
        `${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)} at the end: stations, servers and other work share them.`,
      ],
    },
  ];
}
