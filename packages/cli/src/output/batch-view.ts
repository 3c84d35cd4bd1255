import type { BoardEvent, BoardRef, BoardResult } from '@flashwright/production';
import type { CommandContext } from '../context.js';
import { errorLines, formatDuration, progressLine } from './describe.js';

/**
 * How a batch shows its boards: NDJSON events tagged with the board (--json), one listr2
 * row per board on a terminal, or plain lines (station mode, pipes, CI). The summary table
 * comes last in every human form.
 */
export interface BatchView {
  readonly event: (board: BoardRef, event: BoardEvent) => void;
  /** Runs the batch while the view draws it; `boards` is undefined in station mode. */
  run<T>(boards: readonly BoardRef[] | undefined, work: () => Promise<T>): Promise<T>;
}

/** At most one progress event per board and step per this many ms (--json). */
const PROGRESS_INTERVAL_MS = 100;

export async function createBatchView(ctx: CommandContext, station: boolean): Promise<BatchView> {
  if (ctx.options.json === true) return jsonView(ctx);
  const tty =
    process.stdout.isTTY && process.env.CI === undefined && (process.stdout.columns ?? 0) >= 60;
  if (tty && !station) {
    const { ListrBatchView } = await import('./batch-listr.js');
    return new ListrBatchView(ctx.options.verbose === true);
  }
  return plainView(ctx.options.verbose === true);
}

function jsonView(ctx: CommandContext): BatchView {
  const lastProgress = new Map<string, number>();
  return {
    event: (board, event) => {
      const tag = { index: board.index, probe: board.probe };
      if (event.type === 'progress') {
        const key = `${board.index}:${event.index}`;
        const now = performance.now();
        const last = lastProgress.get(key);
        if (
          event.doneBytes < event.totalBytes &&
          last !== undefined &&
          now - last < PROGRESS_INTERVAL_MS
        )
          return;
        lastProgress.set(key, now);
      }
      const data = event.type === 'board-end' ? resultJson(event.result) : { ...event };
      ctx.reporter.output({ kind: event.type, data: { ...data, board: tag }, lines: [] });
    },
    run: (_boards, work) => work(),
  };
}

/** A board's result for NDJSON and the summary's result. */
export function resultJson(result: BoardResult): Record<string, unknown> {
  return {
    board: { index: result.board.index, probe: result.board.probe },
    status: result.status,
    exitCode: result.exitCode,
    chipUid: result.chipUid,
    device: result.device,
    serial: result.serial,
    durationMs: result.durationMs,
    attemptId: result.attemptId,
    error: result.error?.toJSON(),
    journal: result.journal,
  };
}

/** Plain lines: what each board is, then PASS or FAIL with the reason and the journal. */
function plainView(verbose: boolean): BatchView {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  return {
    event: (board, event) => {
      const name = `[${board.probe}]`;
      switch (event.type) {
        case 'board-identified':
          out(
            `${name} ${event.device}, chip ${event.chipUid ?? '(no unique ID)'}${event.serial === undefined ? '' : `, serial ${event.serial}${event.reused ? ' (its own, again)' : ''}`}`,
          );
          return;
        case 'board-end':
          for (const line of resultLines(event.result, verbose)) out(`${name} ${line}`);
          return;
        case 'warning':
          out(`${name} warning: ${event.message}`);
          return;
        default:
          return;
      }
    },
    run: (_boards, work) => work(),
  };
}

/** "PASS SN-0001 (1.20 s)" or "FAIL FLASH_…: message", the hint and the flash journal. */
export function resultLines(result: BoardResult, verbose: boolean): string[] {
  const time = formatDuration(result.durationMs);
  if (result.status === 'pass')
    return [`PASS${result.serial === undefined ? '' : ` ${result.serial}`} (${time})`];
  if (result.error === undefined) return [`${result.status.toUpperCase()} (${time})`];
  const [first, ...rest] = errorLines(result.error, verbose);
  const lines = [
    `${result.status === 'fail' ? 'FAIL' : result.status.toUpperCase()} ${first ?? ''} (${time})`,
    ...rest,
  ];
  const journal = result.journal;
  if (
    journal !== undefined &&
    journal.lines.length > 0 &&
    result.error.details?.journal === undefined
  ) {
    lines.push('  flash state after the failure:', ...journal.lines.map((l) => `    ${l}`));
  }
  return lines;
}

/** The summary table: board, probe, chip UID, serial number, result, time. */
export function summaryTable(results: readonly BoardResult[]): string[] {
  const rows = results.map((r) => [
    String(r.board.index + 1),
    r.board.probe,
    r.chipUid ?? '-',
    r.serial ?? '-',
    r.status === 'pass' ? 'pass' : `${r.status} (${r.error?.code ?? ''}, exit ${r.exitCode})`,
    formatDuration(r.durationMs),
  ]);
  const header = ['board', 'probe', 'chip UID', 'serial', 'result', 'time'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const passed = results.filter((r) => r.status === 'pass').length;
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `${passed} of ${results.length} boards passed`,
  ];
}

/** The progress text of a board's row: the step and its bytes, rate and ETA. */
export function rowProgress(
  step: string,
  doneBytes: number,
  totalBytes: number,
  elapsedMs: number,
): string {
  return `${step} ${progressLine(doneBytes, totalBytes, elapsedMs)}`;
}
