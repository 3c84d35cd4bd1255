import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FlashwrightError } from '@flashwright/core';
import type { ChipState } from './chip-model.js';

/**
 * The persisted state of a virtual board (`probe.options.state`): the chip's non-volatile
 * state (ChipModel.saveState: flash, option bytes, protection) plus board facts, so that
 * several CLI invocations see the same board. Written atomically: a temporary file in the
 * same directory, then rename over the old file, so a process that dies (kill -9, a crash)
 * leaves the old or the new state, never half of one (rename(2) replaces the name
 * atomically, POSIX.1-2017 rename()). There is no fsync: the file is a rehearsal board, not a
 * record, and it must survive its process, not a power cut of the host; an fsync per board
 * was most of a batch's time. The temporary file is `<state>.<pid>.tmp`: one per process (the
 * write is synchronous, so a process never has two); those of processes that died mid-write
 * are removed the first time this process reads or writes a state in that directory (once,
 * so that a batch of many boards in one directory does not list it for each board).
 */
export interface BoardStateFile {
  readonly format: typeof STATE_FORMAT;
  readonly version: typeof STATE_VERSION;
  readonly board: {
    readonly probe: string;
    readonly device: string;
    /** Virtual time the last session ran, for information. */
    readonly virtualMs: number;
    /** The last session ended in an injected power loss. */
    readonly powerLost: boolean;
  };
  readonly chip: ChipState;
}

export const STATE_FORMAT = 'flashwright-sim-state';
export const STATE_VERSION = 1;

/** Reads a state file; undefined when it does not exist. Throws RECIPE_INVALID when unusable. */
export function readStateFile(path: string): BoardStateFile | undefined {
  removeStaleTemps(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw stateError(path, `cannot be read: ${(error as Error).message}`, error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw stateError(path, 'is not valid JSON', error);
  }
  if (!isStateFile(parsed)) {
    throw stateError(path, `is not a ${STATE_FORMAT} file of version ${STATE_VERSION}`);
  }
  return parsed;
}

/** Writes a state file atomically (temp file + rename). */
export function writeStateFile(path: string, state: BoardStateFile): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temp, `${JSON.stringify(state, null, 1)}\n`);
    renameSync(temp, path);
    removeStaleTemps(path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new FlashwrightError(
      'RECIPE_INVALID',
      `cannot write the virtual board state ${path}: ${(error as Error).message}`,
      {
        hint: 'Point probe.options.state at a writable location.',
        source: { keyPath: 'probe.options.state' },
        cause: error,
      },
    );
  }
}

/** The temporary-looking names of each directory, as this process first listed it. */
const tempsByDirectory = new Map<string, Set<string>>();

/**
 * Removes the temporary files of `path` that no running process is writing: those of this
 * process (its writes are synchronous, so none is in progress) and of processes that are gone,
 * in the current `<state>.<pid>.tmp` form and the earlier `<state>.<pid>.<8 hex>.tmp` one.
 * The directory is listed once per process: a batch keeps hundreds of boards' states in one
 * directory, and listing it for each board made the batch quadratic. A writer that dies
 * later leaves its file to the next process.
 */
function removeStaleTemps(path: string): void {
  const directory = dirname(path);
  let temps = tempsByDirectory.get(directory);
  if (temps === undefined) {
    try {
      temps = new Set(readdirSync(directory).filter((name) => name.endsWith('.tmp')));
    } catch {
      return; // no directory yet: nothing to clean
    }
    tempsByDirectory.set(directory, temps);
  }
  const prefix = `${basename(path)}.`;
  for (const name of temps) {
    if (!name.startsWith(prefix)) continue;
    const pid = /^(\d+)(?:\.[0-9a-f]{8})?\.tmp$/.exec(name.slice(prefix.length))?.[1];
    if (pid === undefined) continue;
    if (Number(pid) !== process.pid && processAlive(Number(pid))) continue;
    try {
      rmSync(join(directory, name), { force: true });
      temps.delete(name);
    } catch {
      // left for the next attempt; the state itself is fine
    }
  }
}

/** Whether a process with this id exists (EPERM: it does, owned by someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStateFile(value: unknown): value is BoardStateFile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<BoardStateFile>;
  return (
    v.format === STATE_FORMAT &&
    v.version === STATE_VERSION &&
    typeof v.board === 'object' &&
    v.board !== null &&
    typeof v.board.device === 'string' &&
    typeof v.chip === 'object' &&
    v.chip !== null &&
    typeof v.chip.part === 'string'
  );
}

function stateError(path: string, what: string, cause?: unknown): FlashwrightError {
  return new FlashwrightError('RECIPE_INVALID', `virtual board state ${path} ${what}`, {
    hint: 'Delete the file to start with a new board, or point probe.options.state elsewhere.',
    source: { keyPath: 'probe.options.state' },
    cause,
  });
}
