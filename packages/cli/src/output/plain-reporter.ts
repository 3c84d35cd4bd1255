import type { FlashwrightError } from '@flashwright/core';
import type { PipelineEvent } from '@flashwright/core/runner';
import {
  errorLines,
  finalStatusLine,
  formatDuration,
  planLines,
  progressLine,
} from './describe.js';
import { runStepsInOrder, type CommandOutput, type Reporter, type Summary } from './reporter.js';

export interface PlainReporterOptions {
  readonly verbose: boolean;
  readonly out?: ((text: string) => void) | undefined;
  readonly err?: ((text: string) => void) | undefined;
}

/** Without a terminal (CI, pipes): one plain line per thing that happened. */
export class PlainReporter implements Reporter {
  readonly #verbose: boolean;
  readonly #out: (text: string) => void;
  readonly #err: (text: string) => void;
  readonly #stepCount = new Map<number, { started: number; milestone: number }>();

  constructor(options: PlainReporterOptions) {
    this.#verbose = options.verbose;
    this.#out = options.out ?? ((text) => process.stdout.write(text));
    this.#err = options.err ?? ((text) => process.stderr.write(text));
  }

  readonly event = (event: PipelineEvent): void => {
    switch (event.type) {
      case 'plan':
        if (event.dryRun || this.#verbose) this.#print(planLines(event));
        return;
      case 'step-start':
        this.#stepCount.set(event.index, { started: performance.now(), milestone: 0 });
        this.#print([`[${event.index + 1}/${event.count}] ${event.title}`]);
        return;
      case 'progress': {
        const state = this.#stepCount.get(event.index);
        if (!this.#verbose || state === undefined || event.totalBytes === 0) return;
        // Quarter milestones: enough to see it move in a CI log without flooding it.
        const milestone = Math.floor((event.doneBytes / event.totalBytes) * 4);
        if (milestone <= state.milestone) return;
        state.milestone = milestone;
        this.#print([
          `      ${progressLine(event.doneBytes, event.totalBytes, performance.now() - state.started)}`,
        ]);
        return;
      }
      case 'step-end': {
        if (event.status === 'failed') return;
        const virtual =
          event.virtualMs === undefined ? '' : `, ${formatDuration(event.virtualMs)} virtual`;
        this.#print([
          `      ${event.status === 'skipped' ? 'skipped: ' : ''}${event.summary} (${formatDuration(event.durationMs)}${virtual})`,
        ]);
        return;
      }
      case 'probe':
        this.#print([
          `      probe: ${event.info.name}${event.info.serial === undefined ? '' : ` ${event.info.serial}`}${event.info.firmwareVersion === undefined ? '' : `, firmware ${event.info.firmwareVersion}`}`,
        ]);
        return;
      case 'device':
        this.#print([`      device: ${event.name}`]);
        return;
      case 'warning':
        this.#err(`warning: ${event.message}\n`);
        return;
      case 'info':
        if (this.#verbose) this.#print([`      ${event.message}`]);
        return;
    }
  };

  output(output: CommandOutput): void {
    this.#print(output.lines);
  }

  message(level: 'info' | 'warning', text: string): void {
    if (level === 'warning') this.#err(`warning: ${text}\n`);
    else this.#print([text]);
  }

  runSteps = runStepsInOrder;

  finish(summary: Summary, error: FlashwrightError | undefined): void {
    if (error !== undefined) {
      this.#err(`${errorLines(error, this.#verbose).join('\n')}\n`);
      return;
    }
    const status = finalStatusLine(summary);
    if (status !== undefined) this.#print([status]);
  }

  #print(lines: readonly string[]): void {
    if (lines.length > 0) this.#out(`${lines.join('\n')}\n`);
  }
}
