import { InvalidArgumentError, type Command } from 'commander';

/** Flags every command takes. */
export interface CommonOptions {
  readonly config?: string | undefined;
  readonly probe?: string | undefined;
  readonly json?: boolean | undefined;
  readonly yes?: boolean | undefined;
  /** Phrases given with --confirm (repeatable). */
  readonly confirm?: readonly string[] | undefined;
  readonly dryRun?: boolean | undefined;
  readonly verbose?: boolean | undefined;
}

/** How a command finds its recipe: searched for, or only named with -c (convert, devices, probes). */
export type RecipeUse = 'search' | 'named-only';

export function withCommonOptions(command: Command, recipe: RecipeUse = 'search'): Command {
  return command
    .option(
      '-c, --config <file>',
      recipe === 'search'
        ? 'recipe file (default: searched from the current directory up to the project root)'
        : 'recipe whose plugins to use (this command searches for none)',
    )
    .option(
      '--probe <spec>',
      'probe to use: stlink, stlink:SERIAL, cmsis-dap, cmsis-dap:SERIAL, virtual, gdb:HOST:PORT',
    )
    .option('--json', 'newline-delimited JSON events on stdout; the last line is a summary')
    .option('-y, --yes', 'confirm destructive steps (mass erase, unprotect, option bytes)')
    .option(
      '--confirm <phrase>',
      'confirm by phrase: mass-erase, write-option-bytes, permanently-disable-debug (the only command-line confirmation of a permanent setting such as RDP level 2; --yes never covers it), or the phrase a plugin step names; repeatable',
      (phrase: string, previous: readonly string[] = []) => [...previous, phrase],
    )
    .option('--dry-run', 'show what would happen without touching hardware')
    .option('-v, --verbose', 'more detail, and causes of errors');
}

/** Appends an "Examples:" section to a command's --help. */
export function withExamples(command: Command, examples: readonly [string, string][]): Command {
  const width = Math.max(...examples.map(([cmd]) => cmd.length));
  const lines = examples.map(([cmd, what]) => `  $ ${cmd.padEnd(width)}  # ${what}`);
  return command.addHelpText('after', `\nExamples:\n${lines.join('\n')}\n`);
}

/** Parses a decimal or 0x-hex integer argument; commander calls this. */
export function parseInteger(value: string): number {
  const text = value.trim();
  // InvalidArgumentError: commander reports it as a usage error (exit 2), not a crash.
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) throw new InvalidArgumentError(`not a number: ${value}`);
  return Number(text);
}

/** Parses a byte value, 0-255 in decimal or 0x00-0xFF; commander calls this. */
export function parseByte(value: string): number {
  const byte = parseInteger(value);
  if (byte > 0xff) throw new InvalidArgumentError(`not a byte (0-255 or 0x00-0xFF): ${value}`);
  return byte;
}
