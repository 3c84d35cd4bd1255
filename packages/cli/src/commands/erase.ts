import type { Command } from 'commander';
import { runCommand } from '../context.js';
import { withCommonOptions, withExamples, type CommonOptions } from '../options.js';
import { commandStep, executeRecipe, withSteps } from './execute.js';

interface EraseOptions extends CommonOptions {
  readonly sectors?: string | undefined;
  readonly range?: readonly string[] | undefined;
  readonly widen?: boolean | undefined;
}

export function registerErase(program: Command): void {
  const command = withCommonOptions(
    program
      .command('erase')
      .description(
        'Erase sectors or address ranges, or without them the whole flash (mass erase, needs --yes)',
      )
      .option(
        '--sectors <list>',
        'erase these sectors, e.g. 0-3,7: numbered from 0 at the lowest flash address, across banks',
      )
      .option(
        '--range <range>',
        'erase ADDR:LENGTH or ADDR..LAST (last byte included), e.g. 0x08004000:16K; it must be whole sectors unless --widen; repeatable',
        (range: string, previous: readonly string[] = []) => [...previous, range],
      )
      .option(
        '--widen',
        'erase the whole sectors a --range lies in when it does not start and end on sector boundaries (like OpenOCD’s pad)',
      ),
  );
  command.addHelpText(
    'after',
    '\nNamed sectors and ranges are erased without asking: they name exactly what goes. Erasing the whole\nflash (no --sectors or --range) needs --yes or --confirm mass-erase.',
  );
  withExamples(command, [
    ['flashwright erase --sectors 0-3,7', 'erase sectors 0 to 3 and 7'],
    ['flashwright erase --range 0x08004000:16K', 'erase 16 KB from 0x08004000 (whole sectors)'],
    ['flashwright erase --range 0x08004000..0x08007FFF', 'the same, as first and last address'],
    ['flashwright erase --range 0x08004100:256 --widen', 'erase the sector that holds these bytes'],
    ['flashwright erase --sectors 5 --dry-run', 'show which addresses sector 5 covers'],
    ['flashwright erase --yes', 'mass-erase the chip named by the recipe'],
  ]);
  command.action(async (options: EraseOptions) =>
    runCommand('erase', options, async (ctx) => {
      const { FlashwrightError, parseRangeSpec, parseSectorList } = ctx.core;
      const ranges = options.range ?? [];
      const selects = options.sectors !== undefined || ranges.length > 0;
      if (options.widen === true && ranges.length === 0) {
        throw new FlashwrightError('USAGE', '--widen applies to --range only', {
          hint: 'Add --range ADDR:LENGTH, or leave out --widen.',
        });
      }
      // Syntax now, with the flag's name; sector bounds once the chip or its layout is known.
      for (const [flag, parsed] of [
        ...(options.sectors === undefined
          ? []
          : [['--sectors', parseSectorList(options.sectors)] as const]),
        ...ranges.map((r) => ['--range', parseRangeSpec(r)] as const),
      ]) {
        if ('problem' in parsed) {
          throw new FlashwrightError('USAGE', `${flag}: ${parsed.problem}`, {
            hint: 'Run `flashwright help erase` for examples.',
          });
        }
      }
      const resolved = await ctx.loadRecipe({ optional: true });
      // Without --sectors or --range: a mass erase, confirmed by --yes or --confirm mass-erase.
      const erase = selects
        ? {
            ...(options.sectors === undefined ? {} : { sectors: options.sectors }),
            ...(ranges.length === 0 ? {} : { ranges }),
            ...(options.widen === true ? { widen: true } : {}),
          }
        : 'mass';
      return executeRecipe(
        ctx,
        withSteps(resolved, [
          commandStep('erase', 'connect', null),
          commandStep('erase', 'erase', erase),
        ]),
      );
    }),
  );
}
