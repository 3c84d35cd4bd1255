import type { CommandContext } from '../context.js';

/** A command whose implementation has not landed yet says so plainly (exit 2). */
export function notAvailableYet(ctx: CommandContext, command: string, what: string): never {
  throw new ctx.core.FlashwrightError(
    'COMMAND_UNAVAILABLE',
    `\`flashwright ${command}\` is not available yet: ${what}`,
    {
      hint: 'See the issues for its status; `flashwright --help` lists what works today.',
    },
  );
}
