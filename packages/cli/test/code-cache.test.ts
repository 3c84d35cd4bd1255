/**
 * The published bin's code cache (src/code-cache.ts). Each case runs a small CommonJS file
 * through requireWithCodeCache in a child process, since the cache is written as the process
 * exits; the child prints whether V8 took the cache and what the file computed.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCodeCacheDirectory } from '../src/code-cache.js';

const codeCache = fileURLToPath(new URL('../src/code-cache.js', import.meta.url));

/**
 * A CommonJS file that uses what Node's module wrapper gives it, and the caller's import()
 * (its own would fail once compiled from the cache on Node 20).
 */
const MODULE_SOURCE = `'use strict';
const { basename } = require('node:path');
const helper = require('./helper.cjs');
function strict() { return this === undefined; }
module.exports = {
  answer: helper.twice(21),
  file: basename(__filename),
  dir: basename(__dirname),
  thisIsExports: this === exports,
  strict: strict(),
  imported: () => __flashwrightImport('node:path').then((m) => typeof m.join),
};
`;

const HARNESS = `import { requireWithCodeCache } from ${JSON.stringify(codeCache)};
const [file, directory, exitCode] = process.argv.slice(2);
const { exports, state } = requireWithCodeCache(file, {
  directory: directory === '-' ? undefined : directory,
  name: 'test',
  contentHash: 'c0ffee',
  importModule: (specifier) => import(specifier),
});
const imported = await exports.imported();
console.log(JSON.stringify({ ...exports, imported, accepted: state.accepted, path: state.path }));
process.exitCode = Number(exitCode);
`;

interface Result {
  readonly answer: number;
  readonly file: string;
  readonly dir: string;
  readonly thisIsExports: boolean;
  readonly strict: boolean;
  readonly imported: string;
  readonly accepted: boolean;
  readonly path: string | null;
}

function project(source = MODULE_SOURCE): { dir: string; file: string; cache: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fw-code-cache-'));
  writeFileSync(join(dir, 'module.cjs'), source);
  writeFileSync(join(dir, 'helper.cjs'), 'exports.twice = (n) => 2 * n;\n');
  writeFileSync(join(dir, 'harness.mjs'), HARNESS);
  return { dir, file: join(dir, 'module.cjs'), cache: join(dir, 'cache') };
}

function load(p: { dir: string; file: string }, cache: string, exitCode = 0): Result {
  const child = spawnSync(
    process.execPath,
    [join(p.dir, 'harness.mjs'), p.file, cache, `${exitCode}`],
    {
      encoding: 'utf8',
    },
  );
  if (child.status !== exitCode) throw new Error(`harness exited ${child.status}: ${child.stderr}`);
  return JSON.parse(child.stdout) as Result;
}

function cacheFiles(cache: string): string[] {
  try {
    return readdirSync(cache);
  } catch {
    return [];
  }
}

/** The one cache file's bytes. */
function cacheBytes(cache: string): Buffer {
  const files = cacheFiles(cache);
  if (files.length !== 1) throw new Error(`cache files: ${files.join(', ')}`);
  return readFileSync(join(cache, files[0]!));
}

const EXPECTED = {
  answer: 42,
  file: 'module.cjs',
  thisIsExports: true,
  strict: true,
  imported: 'function',
};

test('the file runs as require() would run it, with and without a cache', (t) => {
  const p = project();
  for (const cache of ['-', p.cache, p.cache]) {
    t.like(load(p, cache), EXPECTED);
  }
});

test('the first run writes the cache, the next takes it and leaves it as it is', (t) => {
  const p = project();
  const first = load(p, p.cache);
  t.false(first.accepted);
  const written = cacheBytes(p.cache);
  t.is(written.subarray(0, 4).toString('latin1'), 'FWCC');
  t.is(first.path, join(p.cache, cacheFiles(p.cache)[0]!));
  const mtime = statSync(first.path!).mtimeMs;
  const second = load(p, p.cache);
  t.true(second.accepted);
  t.like(second, EXPECTED);
  t.deepEqual(cacheBytes(p.cache), written);
  t.is(statSync(second.path!).mtimeMs, mtime);
  t.true(load(p, p.cache).accepted);
});

test('a corrupt cache file is compiled past and replaced', (t) => {
  const p = project();
  const path = load(p, p.cache).path!;
  const valid = readFileSync(path);
  for (const corrupt of [
    Buffer.from('not a cache at all'),
    valid.subarray(0, valid.length >> 1),
    Buffer.concat([valid.subarray(0, 8), Buffer.alloc(valid.length - 8, 0xa5)]),
    Buffer.alloc(0),
  ]) {
    writeFileSync(path, corrupt);
    const result = load(p, p.cache);
    t.false(result.accepted);
    t.like(result, EXPECTED);
    t.true(load(p, p.cache).accepted, 'rewritten');
  }
});

test('a cache made for another source is refused, and replaced', (t) => {
  const p = project();
  const other = project(`${MODULE_SOURCE}module.exports.answer = 43;\n`);
  const path = load(p, p.cache).path!;
  writeFileSync(path, readFileSync(load(other, other.cache).path!));
  const result = load(p, p.cache);
  t.false(result.accepted);
  t.like(result, EXPECTED);
  t.true(load(p, p.cache).accepted);
});

test('a changed file gets a cache of its own', (t) => {
  const p = project();
  const before = load(p, p.cache).path;
  writeFileSync(p.file, `${MODULE_SOURCE}module.exports.answer = 7;\n`);
  const after = load(p, p.cache);
  t.false(after.accepted);
  t.is(after.answer, 7);
  t.not(after.path, before);
});

test('a failed run’s cache is replaced by the next successful run, not by another failure', (t) => {
  const p = project();
  const path = load(p, p.cache, 3).path!;
  const partial = readFileSync(path);
  t.is(partial[5], 0, 'made by a failed run');
  const failedAgain = load(p, p.cache, 3);
  t.true(failedAgain.accepted);
  t.deepEqual(readFileSync(path), partial);
  t.true(load(p, p.cache).accepted);
  const complete = readFileSync(path);
  t.is(complete[5], 1, 'made by a successful run');
  load(p, p.cache, 3);
  t.deepEqual(readFileSync(path), complete);
});

test('a cache directory that cannot be written does not fail the run', (t) => {
  const p = project();
  // A file where the directory should be: even root cannot create it.
  const blocked = join(p.dir, 'blocked');
  writeFileSync(blocked, 'a file');
  for (const cache of [blocked, join(blocked, 'below')]) {
    const result = load(p, cache);
    t.false(result.accepted);
    t.like(result, EXPECTED);
  }
  t.is(readFileSync(blocked, 'utf8'), 'a file');
  t.deepEqual(
    readdirSync(p.dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

test('the cache directory: XDG_CACHE_HOME, else the platform’s, none when disabled', (t) => {
  const home = () => '/home/ada';
  t.is(
    defaultCodeCacheDirectory({ XDG_CACHE_HOME: '/var/cache/ada' }, home, 'linux'),
    '/var/cache/ada/flashwright/code-cache',
  );
  // The XDG base directory specification ignores a relative path.
  t.is(
    defaultCodeCacheDirectory({ XDG_CACHE_HOME: 'rel' }, home, 'linux'),
    '/home/ada/.cache/flashwright/code-cache',
  );
  t.is(
    defaultCodeCacheDirectory({}, home, 'darwin'),
    '/home/ada/Library/Caches/flashwright/code-cache',
  );
  t.is(
    defaultCodeCacheDirectory({ LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }, home, 'win32'),
    join('C:\\Users\\ada\\AppData\\Local', 'flashwright', 'code-cache'),
  );
  t.is(
    defaultCodeCacheDirectory({}, () => '', 'linux'),
    undefined,
  );
  t.is(
    defaultCodeCacheDirectory(
      {},
      () => {
        throw new Error('no home');
      },
      'linux',
    ),
    undefined,
  );
  t.is(defaultCodeCacheDirectory({ NODE_DISABLE_COMPILE_CACHE: '1' }, home, 'linux'), undefined);
});
