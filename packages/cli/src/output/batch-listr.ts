import type { BoardEvent, BoardRef } from '@flashwright/production';
import { Listr } from 'listr2';
import type { BatchView } from './batch-view.js';
import { resultLines, rowProgress } from './batch-view.js';

interface Row {
  title: (text: string) => void;
  output: (text: string) => void;
  stepStarted: number;
  step: string;
  done: (error?: Error) => void;
}

/**
 * On a terminal: one listr2 row per board, all running at once, titled with the probe's
 * serial, then the chip UID and serial number, and below it the current step with bytes,
 * rate and ETA.
 */
export class ListrBatchView implements BatchView {
  readonly #rows = new Map<number, Row>();
  readonly #pending = new Map<number, BoardEvent[]>();
  readonly #verbose: boolean;

  constructor(verbose: boolean) {
    this.#verbose = verbose;
  }

  readonly event = (board: BoardRef, event: BoardEvent): void => {
    const row = this.#rows.get(board.index);
    if (row === undefined) {
      // The row's task has not started drawing yet.
      this.#pending.set(board.index, [...(this.#pending.get(board.index) ?? []), event]);
      return;
    }
    this.#apply(board, row, event);
  };

  #apply(board: BoardRef, row: Row, event: BoardEvent): void {
    switch (event.type) {
      case 'step-start':
        row.step = event.id;
        row.stepStarted = performance.now();
        row.output(event.title);
        return;
      case 'progress':
        if (event.totalBytes > 0) {
          row.output(
            rowProgress(
              row.step,
              event.doneBytes,
              event.totalBytes,
              performance.now() - row.stepStarted,
            ),
          );
        }
        return;
      case 'board-identified':
        row.title(
          [
            board.probe,
            event.device,
            `uid ${event.chipUid ?? '-'}`,
            event.serial === undefined ? undefined : `serial ${event.serial}`,
          ]
            .filter((p) => p !== undefined)
            .join('  '),
        );
        return;
      case 'board-end': {
        const lines = resultLines(event.result, this.#verbose);
        if (event.result.status === 'pass') {
          row.output(lines.join('\n'));
          row.done();
        } else row.done(new Error(lines.join('\n')));
        return;
      }
      default:
        return;
    }
  }

  async run<T>(boards: readonly BoardRef[] | undefined, work: () => Promise<T>): Promise<T> {
    if (boards === undefined) return work();
    const list = new Listr<unknown, 'default', 'simple'>(
      boards.map((board) => ({
        title: board.probe,
        task: (_ctx, task) =>
          new Promise<void>((resolve, reject) => {
            const row: Row = {
              title: (text) => {
                task.title = text;
              },
              output: (text) => {
                task.output = text;
              },
              stepStarted: performance.now(),
              step: '',
              done: (error) => (error === undefined ? resolve() : reject(error)),
            };
            this.#rows.set(board.index, row);
            for (const event of this.#pending.get(board.index) ?? [])
              this.#apply(board, row, event);
            this.#pending.delete(board.index);
          }),
      })),
      {
        concurrent: true,
        exitOnError: false,
        registerSignalListeners: false,
        rendererOptions: { collapseErrors: false, showErrorMessage: true },
      },
    );
    const drawing = list.run().catch(() => undefined);
    try {
      return await work();
    } finally {
      await drawing;
    }
  }
}
