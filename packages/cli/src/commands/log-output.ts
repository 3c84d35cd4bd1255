import type { AttemptRow, SerialRow } from '@flashwright/production';
import { table } from './devices.js';

export type LogFormat = 'table' | 'csv' | 'ndjson';

/** A column: its CSV name (none: table only), its table heading (none: CSV only), its text. */
type Column<Row> = readonly [
  csv: string | undefined,
  heading: string | undefined,
  cell: (row: Row) => string,
];

const attemptColumns: readonly Column<AttemptRow>[] = [
  ['id', 'ID', (a) => String(a.id)],
  ['started_at', 'STARTED (UTC)', (a) => iso(a.startedAt)],
  ['finished_at', undefined, (a) => iso(a.finishedAt)],
  ['station', 'STATION', (a) => a.station],
  ['probe', 'PROBE', (a) => a.probe],
  ['chip_uid', 'CHIP UID', (a) => a.chipUid ?? ''],
  ['device', 'DEVICE', (a) => a.device ?? ''],
  ['pool', undefined, (a) => a.pool ?? ''],
  ['sequence', undefined, (a) => (a.sequence === undefined ? '' : String(a.sequence))],
  ['serial', 'SERIAL', (a) => a.serialText ?? serialName(a.pool, a.sequence)],
  ['result', 'RESULT', (a) => a.result],
  ['error_code', 'ERROR', (a) => a.errorCode ?? ''],
  ['exit_code', undefined, (a) => (a.exitCode === undefined ? '' : String(a.exitCode))],
  ['duration_ms', undefined, (a) => String(totalMs(a) ?? '')],
  [undefined, 'TIME', (a) => durationText(a)],
  ['image_sha256', undefined, (a) => a.imageSha256],
  [
    'durations_ms',
    undefined,
    (a) => (a.durationsMs === undefined ? '' : JSON.stringify(a.durationsMs)),
  ],
  ['recipe', undefined, (a) => a.recipe ?? ''],
];

const serialColumns: readonly Column<SerialRow>[] = [
  ['pool', 'POOL', (s) => s.pool],
  ['sequence', 'SEQ', (s) => String(s.sequence)],
  ['serial', 'SERIAL', (s) => s.serialText ?? ''],
  ['chip_uid', 'CHIP UID', (s) => s.chipUid],
  ['state', 'STATE', (s) => s.state],
  ['last_result', 'LAST RESULT', (s) => s.lastResult ?? ''],
  ['station', 'STATION', (s) => s.station],
  ['allocated_at', 'ALLOCATED (UTC)', (s) => iso(s.allocatedAt)],
  ['voided_at', undefined, (s) => iso(s.voidedAt)],
  ['void_reason', 'VOID REASON', (s) => s.voidReason ?? ''],
];

export function formatAttempts(rows: readonly AttemptRow[], format: LogFormat): string[] {
  if (format === 'table' && rows.length === 0) return ['No attempts logged.'];
  return render(rows, attemptColumns, format, (a) => ({ ...a, durationMs: totalMs(a) }));
}

export function formatSerials(rows: readonly SerialRow[], format: LogFormat): string[] {
  if (format === 'table' && rows.length === 0) return ['No serials handed out.'];
  return render(rows, serialColumns, format, (s) => s);
}

function render<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  format: LogFormat,
  json: (row: Row) => unknown,
): string[] {
  switch (format) {
    case 'ndjson':
      return rows.map((row) => JSON.stringify(json(row)));
    case 'csv': {
      const exported = columns.filter((c) => c[0] !== undefined);
      return [
        exported.map(([name]) => name ?? ''),
        ...rows.map((row) => exported.map(([, , cell]) => cell(row))),
      ].map((cells) => cells.map(csvField).join(','));
    }
    case 'table': {
      const shown = columns.filter((c) => c[1] !== undefined);
      return table(
        shown.map(([, heading]) => heading ?? ''),
        rows.map((row) => shown.map(([, , cell]) => cell(row))),
      );
    }
  }
}

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function iso(date: Date | undefined): string {
  return date === undefined ? '' : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function serialName(pool: string | undefined, sequence: number | undefined): string {
  return pool === undefined || sequence === undefined ? '' : `${pool}#${sequence}`;
}

/** The attempt's duration: the sum of its steps' times. */
function totalMs(a: AttemptRow): number | undefined {
  if (a.durationsMs === undefined) return undefined;
  return Object.values(a.durationsMs).reduce((sum, ms) => sum + ms, 0);
}

function durationText(a: AttemptRow): string {
  const ms = totalMs(a);
  return ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`;
}
