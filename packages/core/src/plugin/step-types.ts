// Steps: the built-in ones (connect, erase, write, ...) and plugin steps are defined alike.
import type { ValueSource } from '../config/provenance.js';
import type { Recipe } from '../config/recipe.js';
import type { FlashwrightError } from '../errors/flashwright-error.js';
import type { AddressRange } from '../image/address-range.js';
import type { FlashImage } from '../image/flash-image.js';
import type {
  Device,
  DeviceLayout,
  FlashRegion,
  Logger,
  Probe,
  ProgressCallback,
  ProtectionState,
} from './types.js';

/**
 * What one run has established so far, passed from step to step. A step reads the keys
 * its definition lists in `reads` (through `ctx.state`) and changes the ones it lists in
 * `writes`, by returning them in its outcome; nothing else changes it.
 */
export interface RunState {
  /** "all" after a mass erase or an RDP regression: nothing left to erase or keep. */
  readonly erased: 'nothing' | 'sectors' | 'all';
  /** After erase: the image plus the kept bytes of partly covered sectors, to write. */
  readonly programImage?: FlashImage | undefined;
  /** After write: what the flash now holds where it was written, to verify. */
  readonly expected?: FlashImage | undefined;
  /** The chip's protection as last read; undefined when a step may have changed it. */
  readonly protection?: ProtectionState | undefined;
  /**
   * Sectors found to hold the image already (incremental flashing compares before it
   * erases): left untouched, and counted as verified in the same run.
   */
  readonly unchanged?: readonly AddressRange[] | undefined;
}

/** Where a step stands in the recipe, for its option errors. */
export interface StepLocation {
  /** Key path of the step's options, e.g. "steps[2].acme/recover". */
  readonly keyPath: string;
  /**
   * The recipe layer that wrote the step: kind "file" is the user's own recipe, "extends"
   * a preset (origin names it). Undefined for steps a command builds (`flashwright erase`).
   */
  readonly layer?: ValueSource | undefined;
}

/**
 * What confirms a destructive step. The runner decides for every step alike: the phrase in
 * the step's own options (`inRecipe`), `--confirm PHRASE`, or --yes where `allowYes`.
 */
export interface StepConfirmation {
  /** E.g. "mass-erase": written `confirm: mass-erase` in the step, or `--confirm mass-erase`. */
  readonly phrase: string;
  /** What the step would do, for the refusal: "mass-erase the flash". */
  readonly what: string;
  /** Whether the step's options carry the phrase (as the step counts it). */
  readonly inRecipe: boolean;
  /** Whether --yes confirms it (default true; false for what can never be undone). */
  readonly allowYes?: boolean | undefined;
  /**
   * False (default): the runner refuses the unconfirmed step before it runs, and --dry-run
   * fails the same way. True: the step may find nothing to destroy (an unprotected chip,
   * option bytes already set), so it calls `ctx.confirm()` at the point where it would.
   */
  readonly whenNeeded?: boolean | undefined;
}

/** What planning knows, without hardware. */
export interface StepPlanContext {
  readonly recipe: Recipe;
  /** This step's place in the recipe: `recipe.steps[index]`, "steps[2]". */
  readonly step: { readonly index: number; readonly keyPath: string };
  readonly image?: FlashImage | undefined;
  /** The flash layout of `target.device` from a family's database (for --dry-run only). */
  readonly layout?: DeviceLayout | undefined;
  readonly log: Logger;
  /** --force: rewrite every sector the image touches, even one that already holds it. */
  readonly force: boolean;
  /** The refusal (exit 6) when `confirmation` is not given; undefined when it is. */
  refusal(confirmation: StepConfirmation): FlashwrightError | undefined;
}

/** A step's plan, for --dry-run. */
export interface StepPlan {
  readonly lines: readonly string[];
  /** Bytes it moves, for progress totals. */
  readonly bytes?: number | undefined;
  /** The real run would refuse the step: --dry-run fails the same way. */
  readonly refusal?: FlashwrightError | undefined;
}

/**
 * Erase, program and read of the chip's flash, each region by its route (the family's
 * algorithm, the probe's own flash driver, or plain memory writes). Erases and programs
 * are recorded in the flash journal, so a failure says what the flash holds.
 */
export interface StepFlash {
  /** The regions as erased here: the device's, in the probe driver's blocks where it erases. */
  readonly regions: readonly FlashRegion[];
  /** How each region the ranges touch is programmed (decided once, and logged). */
  routes(ranges: readonly AddressRange[]): Promise<ReadonlyMap<FlashRegion, FlashRouteKind>>;
  /** Erases whole sectors of `regions`, or everything. */
  erase(target: readonly AddressRange[] | 'mass', progress: ProgressCallback): Promise<void>;
  /** Programs erased flash: each block a run of whole write units from the planner. */
  program(image: FlashImage, progress: ProgressCallback): Promise<void>;
  read(address: number, length: number, progress: ProgressCallback): Promise<Uint8Array>;
}

/** "device": the family's algorithm; "native": the probe's flash driver; "memory": plain writes. */
export type FlashRouteKind = 'device' | 'native' | 'memory';

/** What a running step gets: the same services for built-in and plugin steps. */
export interface StepRunContext extends StepPlanContext {
  readonly signal: AbortSignal;
  /** The run state keys the definition `reads`. */
  readonly state: Readonly<Partial<RunState>>;
  /** Opens the probe, connects and identifies the chip (once per run): the connect step. */
  connect(): Promise<Device>;
  /** The identified chip; connects first (and says so) when no step has. */
  device(): Promise<Device>;
  /** The open probe; connects first, as device() does. */
  probe(): Promise<Probe>;
  /** The chip's flash by route, journalled; connects first, as device() does. */
  flash(): Promise<StepFlash>;
  /**
   * Progress events of this step for a call that covers bytes [offset, offset + its own
   * total) of the `totalBytes` the step moves.
   */
  progress(offsetBytes: number, totalBytes: number): ProgressCallback;
  /**
   * Journals an operation on flash ranges that does not go through `flash()` (an RDP
   * regression, a vendor's recover): unknown while it runs, then erased or written.
   */
  journal<T>(
    ranges: readonly AddressRange[],
    outcome: 'erased' | 'written',
    operation: () => Promise<T>,
  ): Promise<T>;
  /** Writes an image file in the format its extension names (a plugin's, else raw binary). */
  writeImageFile(file: string, image: FlashImage): Promise<void>;
  /** Stops here if Ctrl-C was pressed: call it between units of work. */
  checkpoint(): void;
  /** Throws the refusal (exit 6) unless `confirmation` is given. */
  confirm(confirmation: StepConfirmation): void;
}

export interface StepOutcome {
  readonly status: 'done' | 'skipped';
  /** One line: what was done, or why nothing was. */
  readonly summary: string;
  readonly bytes?: number | undefined;
  /** Counts for the summary, e.g. { unchangedSectors: 63 }. */
  readonly counts?: Readonly<Record<string, number>> | undefined;
  /** The run state this step leaves: only keys its definition `writes`. */
  readonly state?: Partial<RunState> | undefined;
}

/**
 * A recipe step. The built-in steps are defined with this too (core's `builtinSteps`);
 * plugin steps are namespaced ("nrf/recover"). The runner parses every step's options
 * before any runs, checks confirmations, plans for --dry-run, and runs steps in order.
 */
export interface StepDefinition<Options = unknown> {
  readonly id: string;
  readonly description: string;
  /** Run state keys the step reads (`ctx.state`) and changes (its outcome's `state`). */
  readonly reads?: readonly (keyof RunState)[] | undefined;
  readonly writes?: readonly (keyof RunState)[] | undefined;
  /** Checks and normalises the step's options (null when written as a bare name); throws RECIPE_INVALID. */
  parseOptions(raw: unknown, at: StepLocation): Options;
  /** What confirms the step, or undefined when it destroys nothing. */
  confirmation?(options: Options, ctx: StepPlanContext): StepConfirmation | undefined;
  /** True when the step needs the recipe's image (loaded before any step runs). */
  needsImage?(options: Options): boolean;
  /**
   * Checks that need no hardware, run before any step connects (the read step checks that
   * its output file can be created), so a long run does not fail at its end.
   */
  preflight?(options: Options, at: StepLocation): Promise<void>;
  /** One line for the step list; default "id: description". */
  title?(ctx: StepPlanContext, options: Options): string;
  /** What the step would do, for --dry-run. Must not touch hardware. */
  plan(ctx: StepPlanContext, options: Options): StepPlan;
  run(ctx: StepRunContext, options: Options): Promise<StepOutcome>;
}
