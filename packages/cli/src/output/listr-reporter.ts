import type { FlashwrightError } from '@flashwright/core';
import type { Pipeline, PipelineEvent } from '@flashwright/core/runner';
import { Listr } from 'listr2';
import {
  errorLines,
  finalStatusLine,
  formatDuration,
  formatRate,
  planLines,
  progressLine,
} from './describe.js';
import type { CommandOutput, Reporter, Summary } from './reporter.js';

/** The part of a listr2 task this reporter updates while a step runs. */
interface RunningTask {
  readonly setOutput: (text: string) => void;
  readonly title: string;
  readonly started: number;
}

/**
 * On a terminal: listr2 shows each step with bytes done, KB/s and ETA while it runs.
 * Messages that arrive while listr2 owns the screen are printed after it finishes.
 */
export class ListrReporter implements Reporter {
  readonly #verbose: boolean;
  readonly #tasks = new Map<number, RunningTask>();
  readonly #deferred: string[] = [];
  #rendering = false;

  constructor(options: { verbose: boolean }) {
    this.#verbose = options.verbose;
  }

  readonly event = (event: PipelineEvent): void => {
    switch (event.type) {
      case 'plan':
        if (event.dryRun || this.#verbose) this.#print(planLines(event));
        return;
      case 'progress': {
        const entry = this.#tasks.get(event.index);
        if (entry === undefined || event.totalBytes === 0) return;
        entry.setOutput(
          progressLine(event.doneBytes, event.totalBytes, performance.now() - entry.started),
        );
        return;
      }
      case 'probe': {
        const entry = [...this.#tasks.values()].at(-1);
        entry?.setOutput(`probe: ${event.info.name}`);
        return;
      }
      case 'warning':
        this.#message(`warning: ${event.message}`);
        return;
      case 'info':
        if (this.#verbose) this.#message(event.message);
        return;
      default:
        return;
    }
  };

  output(output: CommandOutput): void {
    this.#print(output.lines);
  }

  message(level: 'info' | 'warning', text: string): void {
    this.#message(level === 'warning' ? `warning: ${text}` : text);
  }

  async runSteps(pipeline: Pipeline): Promise<void> {
    const list = new Listr<unknown, 'default', 'simple'>(
      pipeline.steps.map((step) => ({
        title: step.title,
        task: async (_ctx, task) => {
          this.#tasks.set(step.index, {
            setOutput: (text) => {
              task.output = text;
            },
            title: step.title,
            started: performance.now(),
          });
          const end = await pipeline.runStep(step.index);
          const rate = end.bytes === undefined ? '' : ` ${formatRate(end.bytes, end.durationMs)}`;
          const text = `${step.title}: ${end.summary} (${formatDuration(end.durationMs)}${rate})`;
          if (end.status === 'skipped') task.skip(text);
          else task.title = text;
        },
      })),
      {
        concurrent: false,
        exitOnError: true,
        // flashwright handles Ctrl-C itself: stop at a safe point, then exit 130.
        registerSignalListeners: false,
        rendererOptions: { collapseErrors: false, showErrorMessage: false },
      },
    );
    this.#rendering = true;
    try {
      await list.run();
    } finally {
      this.#rendering = false;
      this.#print(this.#deferred.splice(0));
    }
  }

  finish(summary: Summary, error: FlashwrightError | undefined): void {
    this.#print(this.#deferred.splice(0));
    if (error !== undefined) {
      process.stderr.write(`${errorLines(error, this.#verbose).join('\n')}\n`);
      return;
    }
    const status = finalStatusLine(summary);
    if (status !== undefined) this.#print([status]);
  }

  #message(text: string): void {
    if (this.#rendering) this.#deferred.push(text);
    else process.stderr.write(`${text}\n`);
  }

  #print(lines: readonly string[]): void {
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
  }
}
