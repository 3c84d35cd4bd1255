import type { Command } from 'commander';
import { runCommand } from '../context.js';
import { withCommonOptions, withExamples, type CommonOptions } from '../options.js';
import { notAvailableYet } from './stubs.js';

export function registerSim(program: Command): void {
  const command = withCommonOptions(
    program
      .command('sim')
      .description('Serve the recipe’s virtual hardware to other tools (e.g. OpenOCD)')
      .option('--stlink-server <host:port>', 'listen as an ST-Link TCP server'),
  );
  withExamples(command, [
    ['flashwright sim --stlink-server localhost:7184', 'OpenOCD: st-link backend tcp 7184'],
  ]);
  command.action(async (options: CommonOptions) =>
    runCommand('sim', options, (ctx) =>
      Promise.resolve(
        notAvailableYet(ctx, 'sim', 'the virtual hardware server is still being written'),
      ),
    ),
  );
}
