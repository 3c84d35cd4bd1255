#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { defaultCodeCacheDirectory, requireWithCodeCache } from './code-cache.js';
import { commandNamed } from './command-names.js';
import type { main } from './main.js';
import { runAsCommand } from './run-as-command.js';

/** The start of cli.cjs's SHA-256, written in by scripts/bundle.js. */
declare const FLASHWRIGHT_BUNDLE_HASH: string;

// The published `flashwright` (scripts/bundle.js builds it as dist/bundle/bin.cjs): the CLI
// is one CommonJS file, cli.cjs, compiled with V8's code cache of the command that runs, on
// every Node version (code-cache.ts). Its modules still run only when a command needs them.
const cli = requireWithCodeCache(fileURLToPath(new URL('cli.cjs', import.meta.url)), {
  directory: defaultCodeCacheDirectory(),
  name: commandNamed(process.argv) ?? 'main',
  contentHash: FLASHWRIGHT_BUNDLE_HASH,
  // From beside cli.cjs: plugins, usb, node-hid, cosmiconfig and @flashwright/production
  // resolve as from cli.cjs.
  importModule: (specifier) => import(specifier),
}).exports as { main: typeof main };
void runAsCommand(cli.main);
