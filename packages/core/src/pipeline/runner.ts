import type { RecipeStep } from '../config/recipe.js';
import { recoveryAdvice } from '../diagnose/recovery.js';
import { FlashwrightError, isFlashwrightError } from '../errors/flashwright-error.js';
import { subtractRanges, type AddressRange } from '../image/address-range.js';
import { FlashImage } from '../image/flash-image.js';
import type { Device, DeviceLayout, Probe } from '../plugin/types.js';
import type { ImageSummary, JournalSummary, PlanEvent, StepEndEvent } from '../events/events.js';
import { loadImages } from '../plugin/load-image.js';
import { builtinFamilies } from '../plugin/known-plugins.js';
import { bindStep, planStep, stateAfter, titleOf, type BoundStep } from './prepared-step.js';
import { Session, type PipelineOptions } from './session.js';
import { planContext, runContext } from './step-context.js';
import { checkConfirmPhrases } from './steps/confirm.js';

export type { PipelineOptions } from './session.js';

/** A step of the run, for the step list: its index, id, title and key path. */
export interface PipelineStep {
  readonly index: number;
  /** "erase", or the plugin step's id ("nrf/recover"). */
  readonly id: string;
  readonly title: string;
  readonly keyPath: string;
}

interface PreparedStep extends BoundStep {
  readonly title: string;
}

/** What a finished run reports, for the summary line. */
export interface PipelineResult {
  readonly steps: readonly StepEndEvent[];
  readonly journal: JournalSummary;
  readonly image?: ImageSummary | undefined;
  readonly virtualMs?: number | undefined;
}

/**
 * The pipeline runner: prepares a recipe (plugins, every step bound to its definition with
 * its options parsed, the image), then runs the steps one by one, built-in and plugin
 * alike, emitting typed events. Each step gets its context (step-context.ts) and leaves
 * the run state through its outcome. `plan()` describes the run without touching hardware
 * (for --dry-run). Any failure carries the flash journal.
 */
export class Pipeline {
  readonly steps: readonly PipelineStep[];
  readonly #prepared: readonly PreparedStep[];
  readonly #session: Session;
  readonly #results: StepEndEvent[] = [];
  /** A step that works from the image (erase auto, write, verify) has started. */
  #imageUsed = false;

  private constructor(session: Session, prepared: PreparedStep[]) {
    this.#session = session;
    this.#prepared = prepared;
    this.steps = prepared.map(({ index, id, title, keyPath }) => ({ index, id, title, keyPath }));
  }

  /** Loads the recipe's plugins and image, parses every step's options, emits warnings. */
  static async prepare(options: PipelineOptions): Promise<Pipeline> {
    const session = new Session(options);
    const { recipe } = options.resolved;
    for (const p of recipe.plugins) await options.plugins.add(p.name, p.options);
    const bound = recipe.steps.map((step, index) => bindStep(step, index, options.plugins));
    checkConfirmPhrases(
      options.confirmPhrases ?? [],
      bound.flatMap(
        (s) => s.definition.confirmation?.(s.options, planContext(session, s))?.phrase ?? [],
      ),
    );
    const imageStep = bound.find((s) => s.definition.needsImage?.(s.options) === true);
    if (imageStep !== undefined) {
      if (recipe.images.length === 0) {
        throw new FlashwrightError(
          'RECIPE_INVALID',
          `${imageStep.keyPath}: ${imageStep.id} needs an image, and the recipe has none`,
          {
            hint: 'Set image: in the recipe (a file, { file, format, base }, or a list), or pass --image FILE.',
            source: { keyPath: 'image' },
          },
        );
      }
      session.image = await (options.loadImages ?? loadImages)(recipe.images, options.plugins);
    }
    for (const s of bound) await s.definition.preflight?.(s.options, s);
    const prepared = bound.map((s) => ({ ...s, title: titleOf(s, planContext(session, s)) }));
    warnAboutMissingVerify(recipe.steps, session);
    return new Pipeline(session, prepared);
  }

  get image(): FlashImage | undefined {
    return this.#session.image;
  }

  /** The identified device, after a connect step (for `info`). */
  get device(): Device | undefined {
    return this.#session.device;
  }

  /**
   * Connects and identifies the chip now, if no step has yet (batch programming reads the
   * chip's unique ID before it lays the board's data over the image).
   */
  connect(): Promise<Device> {
    return this.#session.requireDevice();
  }

  /**
   * Lays per-board data (a serial number, calibration) over the image before it is written,
   * so that erase, write and verify all cover it. Refused once a step has used the image
   * (steps before that, such as unprotect, may have run).
   */
  overlayImage(patch: FlashImage): void {
    if (this.#imageUsed) {
      throw new FlashwrightError('INTERNAL', 'The image cannot change after a step used it');
    }
    const session = this.#session;
    session.image = (session.image ?? FlashImage.empty()).overlay(patch);
  }

  /** The open probe, after a connect step (for `info`). */
  get probe(): Probe | undefined {
    return this.#session.probe;
  }

  /**
   * The plan, without hardware. Sector layout comes from the family's database for
   * `target.device` when it has one; otherwise the plan is by image ranges only.
   */
  async plan(dryRun = true): Promise<PlanEvent> {
    return (await this.#plan(dryRun)).event;
  }

  async #plan(
    dryRun: boolean,
  ): Promise<{ event: PlanEvent; refusals: (FlashwrightError | undefined)[] }> {
    const session = this.#session;
    const notes: string[] = [];
    const layout = await databaseLayout(session, notes);
    const planned = this.#prepared.map((step) => planStep(session, step, layout));
    const event: PlanEvent = {
      type: 'plan',
      dryRun,
      layout: layout === undefined ? 'none' : 'database',
      deviceName: layout?.name,
      steps: planned.map((p) => p.planned),
      image: imageSummary(session),
      notes,
    };
    session.options.emit(event);
    return { event, refusals: planned.map((p) => p.refusal) };
  }

  /** --dry-run: emits the plan; throws the refusal a real run would hit (exit 6). */
  async dryRun(): Promise<PlanEvent> {
    const { event, refusals } = await this.#plan(true);
    const refusal = refusals.find((r) => r !== undefined);
    if (refusal !== undefined) throw refusal;
    return event;
  }

  /** Runs one step. On failure the error's details carry the flash journal. */
  async runStep(index: number): Promise<StepEndEvent> {
    const step = this.#prepared[index];
    if (step === undefined) throw new FlashwrightError('INTERNAL', `No step ${index}`);
    const session = this.#session;
    const { emit } = session.options;
    const started = performance.now();
    const virtualBefore = session.probe?.stats?.().virtualElapsedMs;
    try {
      session.checkpoint();
      emit({
        type: 'step-start',
        index,
        count: this.#prepared.length,
        id: step.id,
        title: step.title,
      });
      if (step.definition.needsImage?.(step.options) === true) this.#imageUsed = true;
      const ctx = runContext(session, step, step.definition.reads ?? []);
      // A step confirmed before it runs is refused here; the others ask when they need it.
      const confirmation = step.definition.confirmation?.(step.options, ctx);
      if (confirmation !== undefined && confirmation.whenNeeded !== true) ctx.confirm(confirmation);
      const outcome = await step.definition.run(ctx, step.options);
      session.state = stateAfter(session.state, step, outcome);
      const virtualAfter = session.probe?.stats?.().virtualElapsedMs;
      const end: StepEndEvent = {
        type: 'step-end',
        index,
        id: step.id,
        status: outcome.status,
        durationMs: Math.round(performance.now() - started),
        summary: outcome.summary,
        bytes: outcome.bytes,
        counts: outcome.counts,
        virtualMs: virtualAfter === undefined ? undefined : virtualAfter - (virtualBefore ?? 0),
      };
      this.#results.push(end);
      emit(end);
      return end;
    } catch (error) {
      const failure = this.#failure(error, step);
      const end: StepEndEvent = {
        type: 'step-end',
        index,
        id: step.id,
        status: 'failed',
        durationMs: Math.round(performance.now() - started),
        summary: failure.message.split('\n')[0] ?? failure.code,
      };
      this.#results.push(end);
      emit(end);
      throw failure;
    }
  }

  /** Runs every step in order; closes the probe whatever happens. */
  async run(): Promise<PipelineResult> {
    try {
      for (const step of this.#prepared) await this.runStep(step.index);
      return this.result();
    } finally {
      await this.close();
    }
  }

  result(): PipelineResult {
    return {
      steps: [...this.#results],
      journal: this.#session.journalSummary(),
      image: imageSummary(this.#session),
      virtualMs: this.#session.probe?.stats?.().virtualElapsedMs,
    };
  }

  async close(): Promise<void> {
    await this.#session.close();
  }

  /** Interruptions become INTERRUPTED; everything gets the journal and the step in its details. */
  #failure(error: unknown, step: PreparedStep): FlashwrightError {
    const session = this.#session;
    const journal = session.journalSummary();
    const touched = journal.erased.length + journal.written.length + journal.unknown.length > 0;
    const details = { step: step.keyPath, ...(touched ? { journal } : {}) };
    if (session.signal.aborted) {
      const cause = isFlashwrightError(error) && error.code === 'INTERRUPTED' ? error.cause : error;
      return new FlashwrightError(
        'INTERRUPTED',
        `Interrupted during ${step.id}: stopped at a safe point`,
        {
          cause,
          details,
          hint: touched
            ? 'Run the same recipe again: it erases and rewrites what is listed as erased or unknown.'
            : undefined,
        },
      );
    }
    if (isFlashwrightError(error)) {
      // A link or power loss mid-write: say what to restore and that a rerun finishes it.
      const recovery = recoveryAdvice(error, journal, preservedRanges(session));
      return new FlashwrightError(error.code, error.message, {
        hint: recovery ?? error.hint,
        cause: error.cause ?? error,
        source: error.source ?? { keyPath: step.keyPath },
        details: { ...error.details, ...details },
      });
    }
    return new FlashwrightError(
      'INTERNAL',
      `${step.id} failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
        details,
      },
    );
  }
}

/** Prepares a recipe and runs it (or only plans it, for dry-run). */
export async function runPipeline(
  options: PipelineOptions & { dryRun?: boolean },
): Promise<PipelineResult> {
  const pipeline = await Pipeline.prepare(options);
  if (options.dryRun === true) {
    await pipeline.dryRun();
    return pipeline.result();
  }
  return pipeline.run();
}

function warnAboutMissingVerify(steps: readonly RecipeStep[], session: Session): void {
  const lastWrite = steps.findLastIndex((s) => s.id === 'write');
  if (lastWrite < 0) return;
  if (!steps.slice(lastWrite + 1).some((s) => s.id === 'verify')) {
    session.log.warn(
      `The recipe writes without verifying (${steps[lastWrite]!.keyPath}): success will not be checked against the flash. Add "- verify" after write.`,
    );
  }
}

/** Bytes of partly covered sectors the erase step read to write back (not in the image). */
function preservedRanges(session: Session): AddressRange[] {
  const { image } = session;
  const { programImage } = session.state;
  if (image === undefined || programImage === undefined) return [];
  return subtractRanges(programImage.ranges(), image.ranges());
}

function imageSummary(session: Session): ImageSummary | undefined {
  const image = session.image;
  if (image === undefined) return undefined;
  return {
    files: session.recipe.images.map((i) => i.file),
    bytes: image.size,
    ranges: image.ranges(),
    crc32: image.crc32(),
  };
}

/** The flash layout of `target.device` from a family's database, or undefined (with a note). */
async function databaseLayout(
  session: Session,
  notes: string[],
): Promise<DeviceLayout | undefined> {
  const { target } = session.recipe;
  if (target.device === undefined) {
    notes.push('No target.device in the recipe: the plan is by image ranges only.');
    return undefined;
  }
  const plugins = session.options.plugins;
  try {
    if (target.family !== undefined) await plugins.family(target.family);
    else await plugins.addInstalled(builtinFamilies);
  } catch (error) {
    if (!isFlashwrightError(error)) throw error;
    notes.push(`${error.message}: the plan is by image ranges only.`);
    return undefined;
  }
  for (const family of plugins.families()) {
    const layout = family.layoutOf?.(target.device, { flashSizeBytes: target.flashSizeBytes });
    if (layout !== undefined) {
      notes.push(
        `Sector layout of ${target.device} from the ${family.id} device database (${layout.name}).`,
      );
      return layout;
    }
  }
  notes.push(
    `No device database knows the sector layout of ${target.device}: the plan is by image ranges only.`,
  );
  return undefined;
}
