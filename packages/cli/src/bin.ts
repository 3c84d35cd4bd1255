#!/usr/bin/env node
import module from 'node:module';

// Node 22.1 and later keep V8's compiled code of the CLI between runs (in the OS temporary
// directory, or where NODE_COMPILE_CACHE says), which saves most of the parsing at start-up.
// Node 20 has no such cache for ES modules and no such function: nothing happens there.
// It must run before the rest of the CLI is imported, hence the import() below.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { main } = await import('./main.js');

// `flashwright devices | head` closes stdout early: that is the reader's choice, not a
// failure. Stop quietly instead of dying on an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

process.exitCode = await main(process.argv);
