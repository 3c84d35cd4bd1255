import type { Recipe, RecipeStep } from '../../config/recipe.js';
import type { FlashwrightError } from '../../errors/flashwright-error.js';
import type { FlashImage } from '../../image/flash-image.js';
import type { DeviceLayout } from '../../plugin/types.js';
import type { Session } from '../session.js';

/** Which step of the recipe is running, for events. */
export interface StepRef {
  readonly index: number;
  readonly id: string;
}

export interface StepOutcome {
  readonly status: 'done' | 'skipped';
  /** One line: what was done, or why nothing was. */
  readonly summary: string;
  readonly bytes?: number | undefined;
}

/** What planning knows without hardware. */
export interface PlanContext {
  readonly recipe: Recipe;
  readonly image?: FlashImage | undefined;
  /** From the family's database for `target.device`, when available. */
  readonly layout?: DeviceLayout | undefined;
  /** --yes */
  readonly yes: boolean;
  /** Phrases given with --confirm. */
  readonly confirmPhrases?: readonly string[] | undefined;
}

export interface StepPlan {
  readonly lines: readonly string[];
  readonly bytes?: number | undefined;
  readonly destructive: boolean;
  readonly confirmed?: boolean | undefined;
  /** The real run would refuse this step (no confirmation): dry-run fails the same way. */
  readonly refusal?: FlashwrightError | undefined;
}

/** A built-in step: a title before running, a plan for --dry-run, and the real thing. */
export interface StepHandler<S extends RecipeStep = RecipeStep> {
  title(step: S, ctx: PlanContext): string;
  plan(step: S, ctx: PlanContext): StepPlan;
  run(step: S, session: Session, ref: StepRef): Promise<StepOutcome>;
}
