import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runCommand } from '../context.js';
import { parseInteger, withCommonOptions, withExamples, type CommonOptions } from '../options.js';
import { executeRecipe, withSteps } from './execute.js';

/** A Cortex-M bus address is 32 bits: addresses 0 to 0xFFFFFFFF. */
const ADDRESS_SPACE_BYTES = 2 ** 32;

interface ReadOptions extends CommonOptions {
  readonly output: string;
}

export function registerRead(program: Command): void {
  const command = withCommonOptions(
    program
      .command('read')
      .argument('<address>', 'start address, e.g. 0x08000000', parseInteger)
      .argument('<length>', 'number of bytes, e.g. 0x20000', parseInteger)
      .requiredOption('-o, --output <file>', 'file to write (.hex, .srec, else raw binary)')
      .description('Read target memory into a file'),
  );
  withExamples(command, [
    ['flashwright read 0x08000000 0x20000 -o backup.bin', 'back up 128 KB of flash'],
    ['flashwright read 0x08000000 4096 -o head.hex --probe stlink', 'the first 4 KB, as Intel HEX'],
  ]);
  command.action(async (address: number, length: number, options: ReadOptions) =>
    runCommand('read', options, async (ctx) => {
      const { FlashwrightError, formatAddress } = ctx.core;
      const room = ADDRESS_SPACE_BYTES - address;
      if (room <= 0 || length > room) {
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
      return executeRecipe(
        ctx,
        withSteps(resolved, [
          { id: 'connect', options: null, keyPath: 'read' },
          { id: 'read', options: { address, length, file }, keyPath: 'read' },
        ]),
      );
    }),
  );
}
