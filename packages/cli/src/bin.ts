#!/usr/bin/env node
import module from 'node:module';
import { runAsCommand } from './run-as-command.js';

// The `flashwright` of the workspace (the compiled sources); the published one is
// bundle-bin.ts. Node 22.1 and later keep V8's compiled code of the CLI between runs (in the
// OS temporary directory, or where NODE_COMPILE_CACHE says), which saves most of the parsing
// at start-up. Node 20 has no such function: nothing happens there. It must run before the
// rest of the CLI is imported, hence the import() below.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { main } = await import('./main.js');
await runAsCommand(main);
