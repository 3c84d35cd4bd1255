import type * as Production from '@flashwright/production';
import type { CommandContext } from './context.js';

/**
 * `@flashwright/production` (batch programming, the production database), imported when a
 * command needs it. It is not a dependency of the CLI: its SQLite driver is a native addon
 * that only a production line should have to build, so it is installed next to the CLI.
 */
export async function importProduction(
  ctx: Pick<CommandContext, 'core'>,
): Promise<typeof Production> {
  try {
    return await import('@flashwright/production');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' || !String(error).includes('@flashwright/production')) {
      throw error;
    }
    throw new ctx.core.FlashwrightError(
      'COMMAND_UNAVAILABLE',
      'The production commands (batch, log) need @flashwright/production, which is not installed',
      {
        hint: 'Install it next to flashwright: `npm install -D @flashwright/production` (it brings the SQLite and PostgreSQL drivers).',
        cause: error,
      },
    );
  }
}
