import type { RecipeStep } from '../../config/recipe.js';
import type { StepHandler } from './step-handler.js';

type ResetStep = Extract<RecipeStep, { id: 'reset' }>;

export const resetStep: StepHandler<ResetStep> = {
  title: (step) => `Reset (${step.kind}${step.run ? ', run' : ', halt'})`,
  plan: (step) => ({
    destructive: false,
    lines: [`${step.kind} reset, then ${step.run ? 'let the core run' : 'keep the core halted'}`],
  }),
  run: async (step, session) => {
    await session.requireDevice();
    await session.requireProbe().reset(step.kind, { halt: !step.run, signal: session.signal });
    return { status: 'done', summary: `${step.kind} reset${step.run ? ', running' : ', halted'}` };
  },
};
