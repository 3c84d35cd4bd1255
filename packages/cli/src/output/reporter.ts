import type { FlashwrightError } from '@flashwright/core';
import type { JournalSummary, Pipeline, PipelineEvent } from '@flashwright/core/runner';

/** The last NDJSON line of every command, and what the human outputs summarise. */
export interface Summary {
  readonly type: 'summary';
  readonly command: string;
  /** 'unverified': the run wrote flash but had no verify step; never reported as 'ok'. */
  readonly status: 'ok' | 'unverified' | 'failed' | 'refused' | 'interrupted';
  readonly exitCode: number;
  readonly durationMs: number;
  readonly dryRun: boolean;
  readonly error?: Record<string, unknown> | undefined;
  readonly journal?: JournalSummary | undefined;
  /** Command-specific results (probes found, device info, files written). */
  readonly result?: unknown;
}

/** A command's own output: a typed record for --json, lines for humans. */
export interface CommandOutput {
  readonly kind: string;
  readonly data: unknown;
  readonly lines: readonly string[];
}

/**
 * Where a command's output goes: NDJSON on stdout (--json), listr2 on a terminal, plain
 * lines otherwise. Pipeline events arrive through `event`; commands print through `output`.
 */
export interface Reporter {
  readonly event: (event: PipelineEvent) => void;
  output(output: CommandOutput): void;
  message(level: 'info' | 'warning', text: string): void;
  /** Runs the pipeline's steps, rendering them as they go. */
  runSteps(pipeline: Pipeline): Promise<void>;
  /** Prints the error (if any) and the summary. Nothing is printed after this. */
  finish(summary: Summary, error: FlashwrightError | undefined): void;
}

/** Runs every step in order (the plain and JSON reporters). */
export async function runStepsInOrder(pipeline: Pipeline): Promise<void> {
  for (const step of pipeline.steps) await pipeline.runStep(step.index);
}
