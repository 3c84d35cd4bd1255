import type { CommandSpec, CommandTable } from '../engine.js';
import { clockCommands } from './clock.js';
import { dapCommands } from './dap.js';
import { memoryCommands } from './memory.js';
import { modeDebugCommands, modeTopCommands } from './mode.js';
import { registerCommands } from './registers.js';
import { rwMiscCommands } from './rw-misc.js';
import { rwStatusCommands } from './rw-status.js';
import { targetDebugCommands, targetTopCommands } from './target.js';
import { traceCommands } from './trace.js';
import { versionCommands } from './version.js';

/** Every command the virtual ST-Link decodes: top-level bytes and 0xF2 sub-commands. */
export const stlinkCommands: { readonly top: CommandTable; readonly debug: CommandTable } = {
  top: new Map<number, CommandSpec>([...versionCommands, ...modeTopCommands, ...targetTopCommands]),
  debug: new Map<number, CommandSpec>([
    ...modeDebugCommands,
    ...memoryCommands,
    ...rwStatusCommands,
    ...registerCommands,
    ...targetDebugCommands,
    ...clockCommands,
    ...dapCommands,
    ...traceCommands,
    ...rwMiscCommands,
  ]),
};
