import type { FlashwrightError } from '@flashwright/core';
import type { PipelineEvent } from '@flashwright/core/runner';
import { runStepsInOrder, type CommandOutput, type Reporter, type Summary } from './reporter.js';

/** At most one progress line per step per this many ms (the last one always goes out). */
const PROGRESS_INTERVAL_MS = 100;

/**
 * --json: one JSON object per line on stdout, the summary last. Nothing else is written
 * to stdout, so `flashwright run --json | jq` always parses.
 */
export class JsonReporter implements Reporter {
  readonly #write: (line: string) => void;
  readonly #lastProgress = new Map<number, number>();
  #finished = false;

  constructor(write: (line: string) => void = (line) => process.stdout.write(line)) {
    this.#write = write;
  }

  readonly event = (event: PipelineEvent): void => {
    if (event.type === 'progress') {
      const now = performance.now();
      const last = this.#lastProgress.get(event.index);
      const final = event.doneBytes >= event.totalBytes;
      if (!final && last !== undefined && now - last < PROGRESS_INTERVAL_MS) return;
      this.#lastProgress.set(event.index, now);
    }
    this.#line(event);
  };

  output(output: CommandOutput): void {
    this.#line({
      type: output.kind,
      ...(isRecord(output.data) ? output.data : { data: output.data }),
    });
  }

  message(level: 'info' | 'warning', text: string): void {
    this.#line({ type: level, message: text });
  }

  runSteps = runStepsInOrder;

  finish(summary: Summary, _error: FlashwrightError | undefined): void {
    this.#line(summary);
    this.#finished = true;
  }

  #line(value: unknown): void {
    if (this.#finished) return;
    this.#write(`${JSON.stringify(value, jsonReplacer)}\n`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Byte arrays and bigints have no JSON form; Errors lose their fields without help. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    return { name: value.name, message: value.message };
  }
  return value;
}
