import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { FlashwrightError } from '@flashwright/core';
import type { ChipState } from './chip-model.js';

/**
 * The persisted state of a virtual board (`probe.options.state`): the chip's non-volatile
 * state (ChipModel.saveState: flash, option bytes, protection) plus board facts, so that
 * several CLI invocations see the same board. Written atomically: a temporary file in the
 * same directory, fsync, then rename over the old file, so a crash leaves the old or the new
 * state, never half of one.
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

/** Writes a state file atomically (temp file + fsync + rename). */
export function writeStateFile(path: string, state: BoardStateFile): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, `${JSON.stringify(state, null, 1)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
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
