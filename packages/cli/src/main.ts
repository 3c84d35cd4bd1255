import { Command, CommanderError } from 'commander';
import { registerBatch } from './commands/batch.js';
import { registerConvert } from './commands/convert.js';
import { registerDevices } from './commands/devices.js';
import { registerDoctor } from './commands/doctor.js';
import { registerErase } from './commands/erase.js';
import { registerFlash } from './commands/flash.js';
import { registerInfo } from './commands/info.js';
import { registerLog } from './commands/log.js';
import { registerOptionBytes } from './commands/option-bytes.js';
import { registerProbes } from './commands/probes.js';
import { registerRead } from './commands/read.js';
import { registerRun } from './commands/run.js';
import { registerSim } from './commands/sim.js';
import { COMMAND_NAMES, commandNamed, type CommandName } from './command-names.js';
import { withExamples } from './options.js';
import { cliVersion } from './version.js';

/** Exit code for command-line mistakes: 2, usage or recipe error (README.md, exit codes). */
const USAGE_EXIT_CODE = 2;

/** Every command, by name; `--help` lists them in COMMAND_NAMES's order. */
const commands: Readonly<Record<CommandName, (program: Command) => void>> = {
  run: registerRun,
  flash: registerFlash,
  batch: registerBatch,
  info: registerInfo,
  probes: registerProbes,
  read: registerRead,
  erase: registerErase,
  'option-bytes': registerOptionBytes,
  convert: registerConvert,
  devices: registerDevices,
  doctor: registerDoctor,
  sim: registerSim,
  log: registerLog,
};

/**
 * Builds the command tree. Command modules import only commander and types at load time:
 * core, plugins and listr2 are imported when a command runs. A command line that starts
 * with a command's name gets that command only, since defining the other ten (their options,
 * help texts and examples) is start-up time spent for nothing; anything else (`--help`,
 * `help run`, `--version`, a mistyped command) gets them all, for the listing and the
 * did-you-mean.
 */
function buildProgram(argv: readonly string[]): Command {
  const program = new Command()
    .name('flashwright')
    .description('Program microcontrollers from a recipe checked into the firmware project.')
    .version(cliVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  withExamples(program, [
    ['flashwright run', 'run flashwright.config.yaml from this directory up'],
    ['flashwright run --dry-run', 'show what would be erased and written'],
    ['flashwright flash app.hex', 'program a file, no recipe needed'],
    ['flashwright info --probe stlink', 'identify the chip on an ST-Link'],
    ['flashwright probes', 'list connected probes'],
    ['flashwright help run', 'options of one command'],
  ]);
  const named = commandNamed(argv);
  const register = (named !== undefined ? [named] : COMMAND_NAMES).map((name) => commands[name]);
  for (const add of register) add(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram(argv);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.exitCode === 0
    ) {
      return 0;
    }
    if (argv.includes('--json')) {
      // Keep the --json promise even for a bad command line: the last line is a summary.
      process.stdout.write(
        `${JSON.stringify({
          type: 'summary',
          command: argv[2] ?? '',
          status: 'failed',
          exitCode: USAGE_EXIT_CODE,
          durationMs: 0,
          dryRun: argv.includes('--dry-run'),
          error: { code: 'USAGE', exitCode: USAGE_EXIT_CODE, message: error.message },
        })}\n`,
      );
    }
    return USAGE_EXIT_CODE;
  }
}
