import type { Command } from 'commander';
import { runCommand, type CommandContext } from '../context.js';
import { parseInteger, withCommonOptions, withExamples, type CommonOptions } from '../options.js';
import { executeRecipe, reportRecipe } from './execute.js';

interface RunOptions extends CommonOptions {
  readonly image?: string;
  readonly speed?: number;
  readonly force?: boolean;
}

export function registerRun(program: Command): void {
  const command = withCommonOptions(
    program
      .command('run')
      .argument('[recipe]', 'recipe file (the same as -c)')
      .description('Run the recipe: connect, erase, write, verify, option bytes, reset'),
  )
    .option('--image <file>', 'image file (overrides the recipe’s image)')
    .option('--speed <kHz>', 'SWD clock in kHz (overrides probe.speed)', parseInteger)
    .option(
      '--force',
      'rewrite every sector the image touches; by default sectors that already hold the image are compared (by readback or CRC-32 on the chip, whichever is estimated faster: erase { compare } in the recipe) and left untouched',
    );
  withExamples(command, [
    ['flashwright run', 'find flashwright.config.yaml and run it'],
    ['flashwright run --dry-run', 'show the plan: sectors to erase, bytes to write'],
    ['flashwright run -c board.yaml --probe virtual', 'rehearse on virtual hardware'],
    ['flashwright run --json | jq .', 'NDJSON events, summary last (for CI)'],
    ['flashwright run --image build/app.hex --yes', 'another image; confirm destructive steps'],
    ['flashwright run --force', 'erase and write every touched sector, changed or not'],
  ]);
  command.action(async (recipe: string | undefined, options: RunOptions) =>
    runCommand('run', options, async (ctx) => {
      const resolved = await ctx
        .loadRecipe({ file: recipe, flags: { image: options.image, speedKhz: options.speed } })
        .catch((error: unknown) => {
          throw withFlashHint(ctx, error, options.image);
        });
      reportRecipe(ctx, resolved);
      return executeRecipe(ctx, resolved, { force: options.force });
    }),
  );
}

/** `run --image FILE` without a recipe: `flash` programs a file with none. */
function withFlashHint(ctx: CommandContext, error: unknown, image: string | undefined): unknown {
  const { FlashwrightError, isFlashwrightError } = ctx.core;
  if (!isFlashwrightError(error) || error.code !== 'RECIPE_NOT_FOUND') return error;
  return new FlashwrightError(error.code, error.message, {
    hint: `${error.hint ?? ''} To program a file without a recipe: \`flashwright flash ${image ?? 'FILE'}\`.`.trim(),
  });
}
