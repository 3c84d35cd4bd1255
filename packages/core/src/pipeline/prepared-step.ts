import type { RecipeStep } from '../config/recipe.js';
import { FlashwrightError } from '../errors/flashwright-error.js';
import type {
  DeviceLayout,
  RunState,
  StepDefinition,
  StepOutcome,
  StepPlanContext,
} from '../plugin/types.js';
import { didYouMeanText } from '../util/did-you-mean.js';
import type { PlannedStep } from '../events/events.js';
import type { PluginSet } from '../plugin/plugin-set.js';
import type { Session } from './session.js';
import { planContext, type StepSlot } from './step-context.js';
import { builtinSteps, isBuiltinStep } from './steps/builtin-steps.js';
import { confirmationLine, isConfirmed } from './steps/confirm.js';

/** A recipe step bound to its definition, with its options parsed. */
export interface BoundStep extends StepSlot {
  readonly definition: StepDefinition;
  readonly options: unknown;
}

/**
 * Finds the step's definition (core's built-ins, then the loaded plugins' steps) and
 * parses its options, so that a bad option fails the recipe before any step runs.
 */
export function bindStep(step: RecipeStep, index: number, plugins: PluginSet): BoundStep {
  const definition: StepDefinition | undefined = isBuiltinStep(step.id)
    ? builtinSteps[step.id]
    : plugins.step(step.id);
  if (definition === undefined) {
    const known = plugins.stepIds();
    throw new FlashwrightError(
      'RECIPE_INVALID',
      `${step.keyPath}: no loaded plugin provides the step "${step.id}".${didYouMeanText(step.id, known)}`,
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
  const options = definition.parseOptions(step.options, {
    keyPath: `${step.keyPath}.${step.id}`,
    layer: step.source,
  });
  return { index, id: step.id, keyPath: step.keyPath, definition, options };
}

/** The step's title for the step list: its own, or "id: description". */
export function titleOf(step: BoundStep, ctx: StepPlanContext): string {
  return step.definition.title?.(ctx, step.options) ?? `${step.id}: ${step.definition.description}`;
}

/**
 * Plans a step for --dry-run, checking its confirmation as the run would: a step confirmed
 * before it runs gets a line saying whether it is, and the refusal when it is not.
 */
export function planStep(
  session: Session,
  step: BoundStep & { readonly title: string },
  layout: DeviceLayout | undefined,
): { planned: PlannedStep; refusal: FlashwrightError | undefined } {
  const ctx = planContext(session, step, layout);
  const plan = step.definition.plan(ctx, step.options);
  const confirmation = step.definition.confirmation?.(step.options, ctx);
  const base = { index: step.index, id: step.id, title: step.title, bytes: plan.bytes };
  if (confirmation === undefined) {
    return {
      planned: { ...base, lines: plan.lines, destructive: false },
      refusal: plan.refusal,
    };
  }
  const confirmed = isConfirmed(confirmation, session.options);
  const beforeRun = confirmation.whenNeeded !== true;
  const refusal = plan.refusal ?? (beforeRun ? ctx.refusal(confirmation) : undefined);
  return {
    planned: {
      ...base,
      lines: beforeRun ? [...plan.lines, confirmationLine(confirmation, confirmed)] : plan.lines,
      destructive: true,
      confirmed: confirmed && refusal === undefined,
    },
    refusal,
  };
}

/** The run state after a step: its outcome's `state`, only within what it declares. */
export function stateAfter(
  state: RunState,
  step: BoundStep,
  outcome: StepOutcome | undefined,
): RunState {
  const pluginBug = (message: string): FlashwrightError =>
    new FlashwrightError('PLUGIN_INVALID', `Step ${step.id}: ${message}`, {
      hint: `A bug in the plugin that provides ${step.id}: tell its authors.`,
    });
  if (typeof outcome !== 'object' || outcome === null)
    throw pluginBug('run() returned no outcome ({ status, summary })');
  const changes = outcome.state ?? {};
  const writes: readonly string[] = step.definition.writes ?? [];
  const undeclared = Object.keys(changes).filter((key) => !writes.includes(key));
  if (undeclared.length > 0)
    throw pluginBug(
      `run() changed run state it does not declare in writes: ${undeclared.join(', ')}`,
    );
  return { ...state, ...changes };
}
