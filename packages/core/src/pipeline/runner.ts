import type { RecipeStep } from '../config/recipe.js';
import { recoveryAdvice } from '../diagnose/recovery.js';
import { FlashwrightError, isFlashwrightError } from '../errors/flashwright-error.js';
import { subtractRanges, type AddressRange } from '../image/address-range.js';
import type { FlashImage } from '../image/flash-image.js';
import type { Device, DeviceLayout, Probe, StepDefinition } from '../plugin/types.js';
import { checkOutputPath } from '../util/bounded-file.js';
import { didYouMeanText } from '../util/did-you-mean.js';
import type {
  ImageSummary,
  JournalSummary,
  PlannedStep,
  PlanEvent,
  StepEndEvent,
} from './events.js';
import { loadImages } from './load-image.js';
import { builtinFamilies } from './plugin-set.js';
import { Session, type PipelineOptions } from './session.js';
import { checkConfirmPhrases } from './steps/confirm.js';
import { connectAndIdentify, connectStep } from './steps/connect.js';
import { eraseStep } from './steps/erase.js';
import { optionBytesStep } from './steps/option-bytes.js';
import { readStep } from './steps/read.js';
import { resetStep } from './steps/reset.js';
import type { PlanContext, StepHandler, StepOutcome, StepPlan } from './steps/step-handler.js';
import { unprotectStep } from './steps/unprotect.js';
import { verifyStep } from './steps/verify.js';
import { writeStep } from './steps/write.js';

export type { PipelineOptions } from './session.js';

const handlers: {
  [K in Exclude<RecipeStep['id'], 'plugin'>]: StepHandler<Extract<RecipeStep, { id: K }>>;
} = {
  connect: connectStep,
  unprotect: unprotectStep,
  erase: eraseStep,
  write: writeStep,
  verify: verifyStep,
  'option-bytes': optionBytesStep,
  reset: resetStep,
  read: readStep,
};

/** A step ready to run: its display id and title, and how to plan and run it. */
export interface PipelineStep {
  readonly index: number;
  /** "erase", or the plugin step's id ("nrf/recover"). */
  readonly id: string;
  readonly title: string;
  readonly keyPath: string;
}

interface PreparedStep extends PipelineStep {
  readonly plan: (ctx: PlanContext) => StepPlan;
  readonly run: (session: Session) => Promise<StepOutcome>;
}

/** What a finished run reports, for the summary line. */
export interface PipelineResult {
  readonly steps: readonly StepEndEvent[];
  readonly journal: JournalSummary;
  readonly image?: ImageSummary | undefined;
  readonly virtualMs?: number | undefined;
}

/** Steps that need the image loaded before they run (and for planning). */
const IMAGE_STEPS = new Set(['erase', 'write', 'verify']);

/**
 * The pipeline runner: prepares a recipe (plugins, image, plugin step options), then runs
 * its steps one by one over the plugin API, emitting typed events. `plan()` describes the
 * run without touching hardware (for --dry-run). Any failure carries the flash journal.
 */
export class Pipeline {
  readonly steps: readonly PipelineStep[];
  readonly #prepared: readonly PreparedStep[];
  readonly #session: Session;
  readonly #results: StepEndEvent[] = [];

  private constructor(session: Session, prepared: PreparedStep[]) {
    this.#session = session;
    this.#prepared = prepared;
    this.steps = prepared.map(({ index, id, title, keyPath }) => ({ index, id, title, keyPath }));
  }

  /** Loads the recipe's plugins and image, checks plugin steps and emits warnings. */
  static async prepare(options: PipelineOptions): Promise<Pipeline> {
    checkConfirmPhrases(options.confirmPhrases ?? []);
    const session = new Session(options);
    const { recipe } = options.resolved;
    for (const p of recipe.plugins) await options.plugins.add(p.name, p.options);
    const needsImage = recipe.steps.some(
      (s) => IMAGE_STEPS.has(s.id) && !(s.id === 'erase' && s.mode !== 'auto'),
    );
    if (needsImage) {
      if (recipe.images.length === 0) {
        const step = recipe.steps.find((s) => IMAGE_STEPS.has(s.id));
        throw new FlashwrightError(
          'RECIPE_INVALID',
          `${step?.keyPath ?? 'steps'}: ${step?.id ?? 'this step'} needs an image, and the recipe has none`,
          {
            hint: 'Set image: in the recipe (a file, { file, format, base }, or a list), or pass --image FILE.',
            source: { keyPath: 'image' },
          },
        );
      }
      session.image = await loadImages(recipe.images, options.plugins);
    }
    // Before connecting: a long read should not end in "cannot write the file".
    for (const step of recipe.steps) {
      if (step.id === 'read') await checkOutputPath(step.file, { keyPath: step.keyPath });
    }
    const ctx: PlanContext = {
      recipe,
      image: session.image,
      yes: options.yes,
      confirmPhrases: options.confirmPhrases,
    };
    const prepared = recipe.steps.map((step, index) => prepareStep(step, index, ctx, session));
    warnAboutMissingVerify(recipe.steps, session);
    session.connect = () => connectAndIdentify(session);
    return new Pipeline(session, prepared);
  }

  get image(): FlashImage | undefined {
    return this.#session.image;
  }

  /** The identified device, after a connect step (for `info`). */
  get device(): Device | undefined {
    return this.#session.device;
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

  async #plan(dryRun: boolean): Promise<{ event: PlanEvent; ctx: PlanContext }> {
    const session = this.#session;
    const notes: string[] = [];
    const layout = await databaseLayout(session, notes);
    const ctx: PlanContext = {
      recipe: session.recipe,
      image: session.image,
      layout,
      yes: session.options.yes,
      confirmPhrases: session.options.confirmPhrases,
    };
    const steps: PlannedStep[] = this.#prepared.map((step) => {
      const plan = step.plan(ctx);
      return {
        index: step.index,
        id: step.id,
        title: step.title,
        lines: plan.lines,
        bytes: plan.bytes,
        destructive: plan.destructive,
        confirmed: plan.destructive ? plan.confirmed : undefined,
      };
    });
    const event: PlanEvent = {
      type: 'plan',
      dryRun,
      layout: layout === undefined ? 'none' : 'database',
      deviceName: layout?.name,
      steps,
      image: imageSummary(session),
      notes,
    };
    session.options.emit(event);
    return { event, ctx };
  }

  /** --dry-run: emits the plan; throws the refusal a real run would hit (exit 6). */
  async dryRun(): Promise<PlanEvent> {
    const { event, ctx } = await this.#plan(true);
    for (const step of this.#prepared) {
      const refusal = step.plan(ctx).refusal;
      if (refusal !== undefined) throw refusal;
    }
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
      const outcome = await step.run(session);
      const virtualAfter = session.probe?.stats?.().virtualElapsedMs;
      const end: StepEndEvent = {
        type: 'step-end',
        index,
        id: step.id,
        status: outcome.status,
        durationMs: Math.round(performance.now() - started),
        summary: outcome.summary,
        bytes: outcome.bytes,
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

function prepareStep(
  step: RecipeStep,
  index: number,
  ctx: PlanContext,
  session: Session,
): PreparedStep {
  if (step.id === 'plugin') return preparePluginStep(step, index, ctx, session);
  const handler = handlers[step.id] as StepHandler;
  const ref = { index, id: step.id };
  return {
    index,
    id: step.id,
    keyPath: step.keyPath,
    title: handler.title(step, ctx),
    plan: (planCtx) => handler.plan(step, planCtx),
    run: (s) => handler.run(step, s, ref),
  };
}

function preparePluginStep(
  step: Extract<RecipeStep, { id: 'plugin' }>,
  index: number,
  ctx: PlanContext,
  session: Session,
): PreparedStep {
  const definition: StepDefinition | undefined = session.options.plugins.step(step.name);
  if (definition === undefined) {
    const known = session.options.plugins.stepIds();
    throw new FlashwrightError(
      'RECIPE_INVALID',
      `${step.keyPath}: no loaded plugin provides the step "${step.name}".${didYouMeanText(step.name, known)}`,
      {
        hint: `List the plugin that provides it under plugins: in the recipe.${known.length > 0 ? ` Loaded plugin steps: ${known.join(', ')}.` : ''}`,
        source: {
          keyPath: step.keyPath,
          file:
            step.source?.kind === 'file' || step.source?.kind === 'extends'
              ? step.source.origin
              : undefined,
        },
      },
    );
  }
  const options = definition.parseOptions(step.options, `${step.keyPath}.${step.name}`);
  const ref = { index, id: step.name };
  const confirmedInRecipe =
    typeof step.options === 'object' && step.options !== null && 'confirm' in step.options;
  return {
    index,
    id: step.name,
    keyPath: step.keyPath,
    title: `${step.name}: ${definition.description}`,
    plan: (planCtx) => {
      const confirmed = !definition.destructive || confirmedInRecipe || planCtx.yes;
      return {
        destructive: definition.destructive,
        confirmed,
        lines: [
          ...definition.plan({ image: planCtx.image, log: session.log }, options),
          ...(confirmed ? [] : ['needs confirmation: add confirm: to its options, or pass --yes']),
        ],
        refusal: confirmed ? undefined : pluginRefusal(step.keyPath, step.name),
      };
    },
    run: async (s) => {
      const confirmed = !definition.destructive || confirmedInRecipe || s.options.yes;
      if (!confirmed) throw pluginRefusal(step.keyPath, step.name);
      const device = await s.requireDevice();
      await definition.run(
        {
          image: s.image,
          log: s.log,
          probe: s.requireProbe(),
          device,
          signal: s.signal,
          progress: s.progress(ref, 0, 0),
          confirmed,
        },
        options,
      );
      return { status: 'done', summary: 'done' };
    },
  };
  void ctx;
}

function pluginRefusal(keyPath: string, name: string): FlashwrightError {
  return new FlashwrightError(
    'CONFIRMATION_REQUIRED',
    `Refusing to run the destructive step ${name} without confirmation`,
    {
      hint: `Add a confirm: key to its options at ${keyPath}, or pass --yes.`,
      source: { keyPath },
    },
  );
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
  const { image, programImage } = session;
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
