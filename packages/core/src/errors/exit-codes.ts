/**
 * Process exit codes, the CLI's contract with scripts and CI (README.md lists them).
 * Every FlashwrightError maps to exactly one of these through its catalogue entry.
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  input: 3,
  probe: 4,
  target: 5,
  refused: 6,
  flash: 7,
  verify: 8,
  interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
