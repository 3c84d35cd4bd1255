import type { Summary } from './reporter.js';
import type { FlashwrightError } from '@flashwright/core';
import type { JournalSummary, PlanEvent } from '@flashwright/core/runner';

/** Human lines shared by the plain and listr reporters. */

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatRate(bytes: number, ms: number): string {
  if (ms <= 0 || bytes <= 0) return '';
  return `${(bytes / 1024 / (ms / 1000)).toFixed(1)} KB/s`;
}

export function formatKb(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** "12.0/64.0 KB  31.5 KB/s  ETA 2 s" for a step in progress. */
export function progressLine(doneBytes: number, totalBytes: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? doneBytes / (elapsedMs / 1000) : 0;
  const etaS = rate > 0 ? Math.ceil((totalBytes - doneBytes) / rate) : undefined;
  const parts = [`${formatKb(doneBytes)}/${formatKb(totalBytes)}`];
  if (rate > 0) parts.push(`${(rate / 1024).toFixed(1)} KB/s`);
  if (etaS !== undefined) parts.push(`ETA ${etaS} s`);
  return parts.join('  ');
}

/** The error as the user sees it: message, hint, where, and what the flash holds now. */
export function errorLines(error: FlashwrightError, verbose: boolean): string[] {
  const lines = [`error ${error.code}: ${error.message}`];
  if (
    error.source?.file !== undefined &&
    error.code !== 'RECIPE_INVALID' &&
    !error.message.includes(error.source.file)
  ) {
    lines.push(
      `  in ${error.source.file}${error.source.keyPath === undefined ? '' : ` at ${error.source.keyPath}`}`,
    );
  }
  if (error.hint !== undefined) lines.push(`  hint: ${error.hint}`);
  const journal = error.details?.journal as JournalSummary | undefined;
  if (journal !== undefined && journal.lines.length > 0) {
    lines.push('  flash state after the failure:');
    for (const line of journal.lines) lines.push(`    ${line}`);
  }
  if (verbose && error.cause instanceof Error) {
    lines.push(`  cause: ${error.cause.stack ?? error.cause.message}`);
  }
  return lines;
}

export function planLines(plan: PlanEvent): string[] {
  const lines: string[] = [];
  if (plan.image !== undefined) {
    lines.push(
      `Image: ${plan.image.files.join(', ')} (${formatKb(plan.image.bytes)}, CRC-32 0x${plan.image.crc32.toString(16).padStart(8, '0')})`,
    );
  }
  for (const note of plan.notes) lines.push(note);
  lines.push(plan.dryRun ? 'Plan (dry run, nothing is touched):' : 'Plan:');
  for (const step of plan.steps) {
    lines.push(`  ${step.index + 1}. ${step.title}${step.destructive ? ' [destructive]' : ''}`);
    for (const line of step.lines) lines.push(`       ${line}`);
  }
  return lines;
}

/**
 * The last line of a flash command that succeeded: "ok", "dry run ok", or, for a run that
 * wrote without verifying, "written, NOT verified" (success is never claimed for flash
 * nobody read back). Undefined for commands that end with their own output.
 */
export function finalStatusLine(summary: Summary): string | undefined {
  if (!['run', 'flash', 'erase', 'read'].includes(summary.command)) return undefined;
  const duration = `(${formatDuration(summary.durationMs)})`;
  if (summary.dryRun) return `dry run ok ${duration}`;
  if (summary.status === 'unverified') {
    const fix =
      summary.command === 'flash'
        ? 'run without --no-verify'
        : 'add `- verify` after write in the recipe';
    return `written, NOT verified ${duration}: ${fix}`;
  }
  return `ok ${duration}`;
}
