import { builtinStepDescription, parseBuiltinOptions } from '../../config/steps-schema.js';
import type { ResetKind, StepDefinition } from '../../plugin/types.js';

export interface ResetOptions {
  /** Let the core run after the reset (else it stays halted). */
  readonly run: boolean;
  readonly kind: ResetKind;
}

export const resetStep: StepDefinition<ResetOptions> = {
  id: 'reset',
  description: builtinStepDescription('reset'),
  parseOptions: (raw, at) => {
    const o = parseBuiltinOptions('reset', raw, at.keyPath);
    return { run: o?.run !== false, kind: o?.kind ?? 'software' };
  },
  title: (_ctx, options) => `Reset (${options.kind}${options.run ? ', run' : ', halt'})`,
  plan: (_ctx, options) => ({
    lines: [
      `${options.kind} reset, then ${options.run ? 'let the core run' : 'keep the core halted'}`,
    ],
  }),
  run: async (ctx, options) => {
    const probe = await ctx.probe();
    await probe.reset(options.kind, { halt: !options.run, signal: ctx.signal });
    return {
      status: 'done',
      summary: `${options.kind} reset${options.run ? ', running' : ', halted'}`,
    };
  },
};
