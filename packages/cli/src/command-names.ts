/**
 * The commands, in the order `--help` lists them. Apart from main.ts, so that the published
 * bin can name a command's code cache (code-cache.ts) before it loads the CLI.
 */
export const COMMAND_NAMES = [
  'run',
  'flash',
  'batch',
  'info',
  'probes',
  'read',
  'erase',
  'option-bytes',
  'convert',
  'devices',
  'doctor',
  'sim',
  'log',
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

/** The command a command line names, if its first argument is one. */
export function commandNamed(argv: readonly string[]): CommandName | undefined {
  const named = argv[2];
  return COMMAND_NAMES.find((name) => name === named);
}
