import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { FlashwrightError } from '@flashwright/core';
import {
  STATE_FORMAT,
  STATE_VERSION,
  readStateFile,
  writeStateFile,
  type BoardStateFile,
} from '../src/state-file.js';

const state: BoardStateFile = {
  format: STATE_FORMAT,
  version: STATE_VERSION,
  board: { probe: 'stlink-v2', device: 'TESTCHIP', virtualMs: 0, powerLost: false },
  chip: { part: 'TESTCHIP' },
};

/** The id of a process that has exited (a child that ran and ended). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}

function directoryWithStrays(): { dir: string; path: string; live: string; unrelated: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'fw-state-'));
  const path = join(dir, 'board.json');
  const dead = deadPid();
  // Left by writers that died before their rename: today's form and the earlier random one.
  writeFileSync(`${path}.${dead}.tmp`, 'half a state');
  writeFileSync(`${path}.${dead}.0badc0de.tmp`, 'half a state');
  writeFileSync(`${path}.${process.pid}.tmp`, 'left by an earlier failed write of this process');
  // A live process may be writing this one (the test runner's parent is alive).
  const live = `board.json.${process.ppid}.tmp`;
  writeFileSync(join(dir, live), 'being written');
  const unrelated = ['board.json.bak', 'other.json.12345.tmp', 'board.json.x.tmp'];
  for (const name of unrelated) writeFileSync(join(dir, name), '');
  return { dir, path, live, unrelated };
}

test('writes leave no temporary file and remove those of writers that died', (t) => {
  const { dir, path, live, unrelated } = directoryWithStrays();
  for (let i = 0; i < 5; i++) writeStateFile(path, state);
  t.deepEqual(readdirSync(dir).sort(), ['board.json', live, ...unrelated].sort());
  t.is(readStateFile(path)?.board.device, 'TESTCHIP');
});

test('loading a state removes the temporary files of writers that died', (t) => {
  const { dir, path, live, unrelated } = directoryWithStrays();
  t.is(readStateFile(path), undefined, 'no state yet');
  t.deepEqual(readdirSync(dir).sort(), [live, ...unrelated].sort());
});

test('a failed write removes its temporary file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-state-'));
  const path = join(dir, 'board.json');
  mkdirSync(path); // renaming a file over a directory fails
  const error = t.throws(() => writeStateFile(path, state), { instanceOf: FlashwrightError });
  t.is(error.code, 'RECIPE_INVALID');
  t.deepEqual(readdirSync(dir), ['board.json']);
});
