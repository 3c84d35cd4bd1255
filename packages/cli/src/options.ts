import type { Command } from 'commander';

/** Flags every command takes (DESIGN.md, CLI contract). */
export interface CommonOptions {
  readonly config?: string | undefined;
  readonly probe?: string | undefined;
  readonly json?: boolean | undefined;
  readonly yes?: boolean | undefined;
  readonly dryRun?: boolean | undefined;
  readonly verbose?: boolean | undefined;
}

export function withCommonOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'recipe file (default: searched from the current directory up)')
    .option('--probe <spec>', 'probe to use: stlink, stlink:SERIAL, virtual, gdb:HOST:PORT')
    .option('--json', 'newline-delimited JSON events on stdout; the last line is a summary')
    .option('-y, --yes', 'confirm destructive steps (mass erase, unprotect, option bytes)')
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
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) throw new Error(`not a number: ${value}`);
  return Number(text);
}
