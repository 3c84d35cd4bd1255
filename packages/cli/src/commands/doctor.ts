import type { Command } from 'commander';
import { runCommand } from '../context.js';
import { withCommonOptions, withExamples, type CommonOptions } from '../options.js';
import { notAvailableYet } from './stubs.js';

export function registerDoctor(program: Command): void {
  const command = withCommonOptions(
    program
      .command('doctor')
      .description('Diagnose the setup: USB access, udev rules, probes, the recipe'),
  );
  withExamples(command, [
    ['flashwright doctor', 'check this machine and the recipe'],
    ['flashwright doctor --json', 'the same, as JSON'],
  ]);
  command.action(async (options: CommonOptions) =>
    runCommand('doctor', options, (ctx) =>
      Promise.resolve(notAvailableYet(ctx, 'doctor', 'the diagnostics are still being written')),
    ),
  );
}
