import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runCommand } from '../context.js';
import { parseInteger, withCommonOptions, withExamples, type CommonOptions } from '../options.js';
import { commandStep, executeRecipe, withSteps } from './execute.js';

/** A Cortex-M bus address is 32 bits: addresses 0 to 0xFFFFFFFF. */
const ADDRESS_SPACE_BYTES = 2 ** 32;

interface ReadOptions extends CommonOptions {
  readonly output: string;
}

export function registerRead(program: Command): void {
  const command = withCommonOptions(
    program
      .command('read')
      .argument(
        '[address]',
        'start address, e.g. 0x08000000 (default: the whole flash)',
        parseInteger,
      )
      .argument(
        '[length]',
        'number of bytes, e.g. 0x20000 (default: to the end of the flash that holds the address)',
        parseInteger,
      )
      .requiredOption('-o, --output <file>', 'file to write (.hex, .srec, else raw binary)')
      .description('Read target memory into a file: a range, or flash up to its end'),
  );
  withExamples(command, [
    ['flashwright read -o backup.bin', 'back up the whole flash, whatever its size'],
    ['flashwright read 0x08004000 -o tail.hex', 'from 0x08004000 to the end of the flash'],
    ['flashwright read 0x08000000 4096 -o head.hex', 'the first 4 KB, as Intel HEX'],
    ['flashwright read 0x20000000 0x1000 -o ram.bin --probe stlink', '4 KB of RAM'],
  ]);
  command.action(
    async (address: number | undefined, length: number | undefined, options: ReadOptions) =>
      runCommand('read', options, async (ctx) => {
        const { FlashwrightError, formatAddress } = ctx.core;
        const room = ADDRESS_SPACE_BYTES - (address ?? 0);
        if (address !== undefined && length !== undefined && (room <= 0 || length > room)) {
          throw new FlashwrightError(
            'USAGE',
            `${formatAddress(address)} + ${length} bytes runs past 0xFFFFFFFF, the end of the 32-bit address space`,
            {
              hint:
                room <= 0
                  ? 'Give an address from 0 to 0xFFFFFFFF.'
                  : `Read at most ${room} byte${room === 1 ? '' : 's'} from ${formatAddress(address)}, or start lower.`,
              details: { address, length },
            },
          );
        }
        const resolved = await ctx.loadRecipe({ optional: true });
        const file = resolve(ctx.cwd, options.output);
        // Without a length the read step reads to the end of the flash (all of it without an address).
        const read = {
          ...(address === undefined ? {} : { address }),
          ...(length === undefined ? {} : { length }),
          file,
        };
        return executeRecipe(
          ctx,
          withSteps(resolved, [
            commandStep('read', 'connect', null),
            commandStep('read', 'read', read),
          ]),
        );
      }),
  );
}
