import type { Command } from 'commander';
import { runCommand } from '../context.js';
import { withCommonOptions, withExamples, type CommonOptions } from '../options.js';
import { executeRecipe, withSteps } from './execute.js';

export function registerErase(program: Command): void {
  const command = withCommonOptions(
    program.command('erase').description('Erase the whole flash (needs --yes)'),
  );
  withExamples(command, [
    ['flashwright erase --yes', 'mass-erase the chip named by the recipe'],
    ['flashwright erase --dry-run', 'show what would be erased'],
  ]);
  command.action(async (options: CommonOptions) =>
    runCommand('erase', options, async (ctx) => {
      const resolved = await ctx.loadRecipe({ optional: true });
      return executeRecipe(
        ctx,
        withSteps(resolved, [
          { id: 'connect', options: null, keyPath: 'erase' },
          // Confirmation comes from --yes or --confirm mass-erase: there is no recipe step to confirm in.
          { id: 'erase', options: 'mass', keyPath: 'erase' },
        ]),
      );
    }),
  );
}
