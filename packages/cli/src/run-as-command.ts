/** Runs `main` as the `flashwright` process: its exit code, and a quiet end on EPIPE. */
export async function runAsCommand(
  main: (argv: readonly string[]) => Promise<number>,
): Promise<void> {
  // `flashwright devices | head` closes stdout early: that is the reader's choice, not a
  // failure. Stop quietly instead of dying on an unhandled EPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    });
  }
  process.exitCode = await main(process.argv);
}
