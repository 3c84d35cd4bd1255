import type { ResolvedRecipe } from '../config/load-recipe.js';
import type { Recipe } from '../config/recipe.js';
import { FlashwrightError, isFlashwrightError } from '../errors/flashwright-error.js';
import type { AddressRange } from '../image/address-range.js';
import type { FlashImage } from '../image/flash-image.js';
import type {
  Device,
  FlashProgress,
  Logger,
  Probe,
  ProgressCallback,
  RunState,
} from '../plugin/types.js';
import type { EventSink, JournalSummary } from '../events/events.js';
import { FlashJournal } from '../flash/journal.js';
import type { ImageLoader } from '../plugin/load-image.js';
import type { PluginSet } from '../plugin/plugin-set.js';
import { connectAndIdentify } from './steps/connect.js';

export interface PipelineOptions {
  readonly resolved: Pick<ResolvedRecipe, 'recipe' | 'baseDir'>;
  readonly plugins: PluginSet;
  readonly emit: EventSink;
  /** Ctrl-C: the pipeline stops at the next safe point (between flash units). */
  readonly signal: AbortSignal;
  /** --yes: confirms destructive steps (never a permanent option value). */
  readonly yes: boolean;
  /**
   * Phrases given with --confirm: each confirms what its recipe phrase does, and
   * `permanently-disable-debug` is the command line's way to confirm a permanent value.
   */
  readonly confirmPhrases?: readonly string[] | undefined;
  /** --force: rewrite every touched sector, even one that already holds the image. */
  readonly force?: boolean | undefined;
  /** How the recipe's images are loaded (default loadImages); a batch shares one. */
  readonly loadImages?: ImageLoader | undefined;
}

/**
 * One run's services and state: the open probe and identified device (opened on demand),
 * the image, the run state the steps pass on, and the journal of every flash range touched.
 * Steps see it only through their context (step-context.ts).
 */
export class Session {
  readonly options: PipelineOptions;
  readonly journal = new FlashJournal();
  probe: Probe | undefined;
  device: Device | undefined;
  image: FlashImage | undefined;
  /** Changed only by the runner, from each step's outcome. */
  state: RunState = { erased: 'nothing' };

  constructor(options: PipelineOptions) {
    this.options = options;
  }

  get recipe(): Recipe {
    return this.options.resolved.recipe;
  }

  get signal(): AbortSignal {
    return this.options.signal;
  }

  /** Warnings already shown: a transport logs its open warnings and lists them too. */
  readonly #warned = new Set<string>();

  readonly log: Logger = {
    debug: () => undefined,
    info: (message) => this.options.emit({ type: 'info', message }),
    warn: (message) => {
      if (this.#warned.has(message)) return;
      this.#warned.add(message);
      this.options.emit({ type: 'warning', message });
    },
  };

  /** Opens the probe, connects and identifies the chip, once per run. */
  connect(): Promise<Device> {
    return connectAndIdentify(this);
  }

  async requireDevice(): Promise<Device> {
    if (this.device !== undefined) return this.device;
    this.log.info('Connecting first: no connect step ran before this one.');
    return this.connect();
  }

  requireProbe(): Probe {
    if (this.probe === undefined) throw new FlashwrightError('INTERNAL', 'Probe is not open');
    return this.probe;
  }

  /** Stops here if Ctrl-C was pressed: the caller is between flash units. */
  checkpoint(): void {
    if (this.signal.aborted) {
      throw new FlashwrightError('INTERRUPTED', 'Interrupted: stopped at a safe point', {
        cause: this.signal.reason,
      });
    }
  }

  /**
   * A progress callback for a device call that covers bytes [offset, offset + its total)
   * of a step moving `total` bytes.
   */
  progress(step: { index: number; id: string }, offset: number, total: number): ProgressCallback {
    return (p: FlashProgress) => {
      this.options.emit({
        type: 'progress',
        index: step.index,
        id: step.id,
        operation: p.operation,
        doneBytes: Math.min(total, offset + p.doneBytes),
        totalBytes: total,
      });
    };
  }

  /** Marks ranges as in flight, runs the operation, then marks them done. */
  async tracked<T>(
    ranges: readonly AddressRange[],
    done: 'erased' | 'written',
    operation: () => Promise<T>,
  ): Promise<T> {
    for (const r of ranges) this.journal.begin(r);
    const result = await operation();
    for (const r of ranges) this.journal[done](r);
    return result;
  }

  journalSummary(): JournalSummary {
    return { ...this.journal.report(), lines: this.journal.describe() };
  }

  async close(): Promise<void> {
    const probe = this.probe;
    this.probe = undefined;
    this.device = undefined;
    if (probe !== undefined) {
      try {
        await probe.close();
      } catch (error) {
        if (!isFlashwrightError(error)) throw error;
        this.log.warn(`Closing the probe failed: ${error.message}`);
      }
    }
  }
}
