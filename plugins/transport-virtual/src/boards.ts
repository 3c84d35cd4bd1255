import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { FlashwrightError } from '@flashwright/core';
import { didYouMean } from '@flashwright/core/plugin';

/**
 * Several simulated boards behind one recipe (`probe.options.boards`), each its own virtual
 * ST-Link with its own serial, chip UID and state file, so that a batch can be rehearsed:
 *
 *   boards: 8                      # VB0001..VB0008, generated UIDs
 *   boards:                        # or each board spelled out
 *     - { serial: A1, uid: 0123456789abcdef01234567, faults: [...] }
 *
 * The other keys of `probe.options` are every board's defaults; a board's own keys win.
 * `state` may hold `{serial}`, replaced by the board's serial (required with several boards,
 * so that they do not share one file). `present` and `powered` name files: while `present`
 * is missing the board's probe is unplugged (not listed, cannot be opened), while `powered`
 * is missing its target reads 0 V, so that station mode can be rehearsed.
 */
export interface VirtualBoard {
  readonly serial: string;
  /** 24 hex digits, U_ID[7:0] first. */
  readonly uid: string;
  /** The board's own option overrides (device, state, faults, ...), not yet validated. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly present?: string | undefined;
  readonly powered?: string | undefined;
}

const BOARD_KEYS = [
  'serial',
  'uid',
  'present',
  'powered',
  'device',
  'state',
  'rdp',
  'flashSizeRaw',
  'voltage',
  'timing',
  'faults',
  'clone',
] as const;

const MAX_BOARDS = 1000;

function invalid(key: string, message: string): FlashwrightError {
  return new FlashwrightError('RECIPE_INVALID', `probe.options.${key}: ${message}`, {
    hint: 'boards: a count (1 to 1000) or a list of { serial, uid, state, faults, present, powered, device }.',
    source: { keyPath: `probe.options.${key}` },
  });
}

/** Serial of the nth generated board (0-based): VB0001, VB0002, ... */
export function generatedSerial(index: number): string {
  return `VB${String(index + 1).padStart(4, '0')}`;
}

/**
 * UID of the nth generated board: ST's layout (X and Y wafer coordinates, wafer number,
 * 7-character lot; RM0383 section 24.2) with the board's number as its X coordinate.
 */
export function generatedUid(index: number): string {
  const x = index + 1;
  const bytes = [x & 0xff, (x >> 8) & 0xff, 0x34, 0x00, 0x05, ...Buffer.from('SIMLOT1')];
  return Buffer.from(bytes).toString('hex');
}

/** The boards of `probe.options.boards`, or undefined when the recipe has one plain board. */
export function parseBoards(
  raw: Readonly<Record<string, unknown>>,
  recipeDir: string,
): VirtualBoard[] | undefined {
  const spec = raw['boards'];
  if (spec === undefined) return undefined;
  let boards: VirtualBoard[];
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < 1 || spec > MAX_BOARDS) {
      throw invalid('boards', `expected a count from 1 to ${MAX_BOARDS}, got ${spec}`);
    }
    boards = Array.from({ length: spec }, (_, i) => ({
      serial: generatedSerial(i),
      uid: generatedUid(i),
      options: {},
    }));
  } else if (Array.isArray(spec) && spec.length > 0 && spec.length <= MAX_BOARDS) {
    boards = spec.map((entry, i) => parseBoard(entry, i, recipeDir));
  } else {
    throw invalid('boards', 'expected a count or a non-empty list of boards');
  }
  const serials = new Set<string>();
  for (const [i, board] of boards.entries()) {
    if (serials.has(board.serial)) {
      throw invalid(`boards[${i}].serial`, `"${board.serial}" is used by two boards`);
    }
    serials.add(board.serial);
  }
  const state = raw['state'];
  if (typeof state === 'string' && boards.length > 1 && !state.includes('{serial}')) {
    throw invalid('state', 'several boards need a state file each: put {serial} in the path');
  }
  return boards;
}

function parseBoard(entry: unknown, index: number, recipeDir: string): VirtualBoard {
  const at = `boards[${index}]`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw invalid(at, 'expected { serial, uid, ... }');
  }
  const record = entry as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if ((BOARD_KEYS as readonly string[]).includes(key)) continue;
    const close = didYouMean(key, BOARD_KEYS);
    throw invalid(`${at}.${key}`, `unknown option${close ? ` (did you mean ${close}?)` : ''}`);
  }
  const text = (key: string): string | undefined => {
    const value = record[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      throw invalid(`${at}.${key}`, 'expected a non-empty string');
    }
    return value;
  };
  const uid = text('uid')
    ?.replaceAll(/[\s:-]/g, '')
    .toLowerCase();
  if (uid !== undefined && !/^[0-9a-f]{24}$/.test(uid)) {
    throw invalid(`${at}.uid`, 'expected 24 hex digits (the 96-bit unique ID)');
  }
  const present = text('present');
  const powered = text('powered');
  const options: Record<string, unknown> = {};
  for (const key of [
    'device',
    'state',
    'rdp',
    'flashSizeRaw',
    'voltage',
    'timing',
    'faults',
    'clone',
  ]) {
    if (record[key] !== undefined) options[key] = record[key];
  }
  return {
    serial: text('serial') ?? generatedSerial(index),
    uid: uid ?? generatedUid(index),
    options,
    present: present === undefined ? undefined : resolve(recipeDir, present),
    powered: powered === undefined ? undefined : resolve(recipeDir, powered),
  };
}

/** Whether the board's probe is plugged in (its `present` file exists, or it has none). */
export function isPresent(board: VirtualBoard): boolean {
  return board.present === undefined || existsSync(board.present);
}

/**
 * The options of one board's session: the shared ones, the board's own over them, its
 * serial in the state path, and 0 V while its `powered` file is missing.
 */
export function boardOptions(
  shared: Readonly<Record<string, unknown>>,
  board: VirtualBoard,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...shared, ...board.options };
  delete merged['boards'];
  if (typeof merged['state'] === 'string') {
    merged['state'] = merged['state'].replaceAll('{serial}', board.serial);
  }
  if (board.powered !== undefined && !existsSync(board.powered)) merged['voltage'] = 0;
  return merged;
}
