import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * V8's code cache for a CommonJS bundle: what the published `flashwright` uses to start
 * without compiling its JavaScript again on every run. Node's own compile cache
 * (module.enableCompileCache) exists from Node 22.1 only, and keeps what the first run
 * compiled; this works on Node 20 too, and keeps one cache per command, each made by a run
 * of that command, so that `run` does not start from what `--version` happened to compile.
 *
 * The cache is V8's serialized bytecode (vm.Script `cachedData`, made with
 * `createCachedData()` when the process exits, so that it holds the functions the run
 * compiled, not only the top level). V8 refuses data made by another V8 version, with other
 * flags, or for a source of another length (v8 src/snapshot/code-serializer.cc,
 * SerializedCodeData::SanityCheck); a source of the same length with other content is kept
 * apart by the file name, which carries the bundle's content hash, its size and modification
 * time, and Node's version. A file is written to a temporary name and renamed, so that a
 * reader never sees half of one. Nothing here fails the command: an unreadable, foreign or
 * refused cache is compiled past (and replaced at exit), an unwritable directory is skipped.
 *
 * `import()` written in the file fails once the file is compiled from a cache, on Node 20:
 * the dynamic import callback Node keeps in the script's host-defined options is not in the
 * deserialized script (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING; the same loss as
 * nodejs/node#43663 for vm.SourceTextModule). The file calls a sixth argument of its
 * wrapper, `__flashwrightImport`, instead (scripts/bundle.js rewrites the bundle's import()
 * so), which is the caller's `importModule`: its import() is compiled by Node as usual.
 */

/** First bytes of a cache file: "FWCC", format 1, then whether its run succeeded. */
const MAGIC = Buffer.from('FWCC\x01', 'latin1');
const HEADER_BYTES = 8;
const COMPLETE_OFFSET = MAGIC.length;

/** Cache files untouched this long are removed when another one is written. */
const STALE_AFTER_MS = 30 * 24 * 3600_000;

export interface CodeCacheOptions {
  /** Where cache files go; undefined: no cache (compiled as Node's require would). */
  readonly directory: string | undefined;
  /** Names the cache among the file's others, e.g. the command that runs. */
  readonly name: string;
  /** The file's content hash (written in at build time: hashing it here costs a start-up). */
  readonly contentHash: string;
  /** What the file's `__flashwrightImport(specifier)` calls: the caller's own import(). */
  readonly importModule: (specifier: string) => Promise<unknown>;
}

/** What became of the cache (for tests). */
export interface CodeCacheState {
  /** The cache file of this file and name, or undefined without a directory. */
  readonly path: string | undefined;
  /** True when V8 took the cache and compiled nothing it held. */
  accepted: boolean;
}

/** The per-user cache directory: $XDG_CACHE_HOME, else the platform's usual place. */
export function defaultCodeCacheDirectory(
  env: NodeJS.ProcessEnv = process.env,
  home: () => string = homedir,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  // Node's own switch for its compile cache means the same here.
  if (env.NODE_DISABLE_COMPILE_CACHE !== undefined && env.NODE_DISABLE_COMPILE_CACHE !== '') {
    return undefined;
  }
  const xdg = env.XDG_CACHE_HOME;
  let base: string | undefined;
  if (xdg !== undefined && isAbsolute(xdg)) base = xdg;
  else if (platform === 'win32') base = env.LOCALAPPDATA;
  else {
    let userHome = '';
    try {
      userHome = home();
    } catch {
      // No home directory (a system user): no cache.
    }
    if (userHome !== '') {
      base = platform === 'darwin' ? join(userHome, 'Library/Caches') : join(userHome, '.cache');
    }
  }
  return base === undefined || base === '' ? undefined : join(base, 'flashwright', 'code-cache');
}

/**
 * Loads a CommonJS file as require() would (module, exports, require, __filename and
 * __dirname), compiled with the code cache of `options.name` when there is one. When V8 took
 * no cache, one is written as the process exits; one made by a failed run (a command that
 * stopped early compiled only part of what it needs) is replaced by the next successful run.
 */
export function requireWithCodeCache(
  file: string,
  options: CodeCacheOptions,
): { exports: unknown; state: CodeCacheState } {
  const source = readFileSync(file, 'utf8');
  const path = cachePath(file, options);
  const cached = path === undefined ? undefined : readCache(path);
  // Node's own wrapper (lib/internal/modules/cjs/loader.js), on the source's first line, so
  // that line and column numbers in stack traces stay those of the file.
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname, __flashwrightImport) { ${source}\n})`,
    { filename: file, cachedData: cached?.data },
  );
  const state: CodeCacheState = {
    path,
    accepted: cached !== undefined && script.cachedDataRejected === false,
  };
  if (path !== undefined && !(state.accepted && cached?.complete === true)) {
    process.once('exit', (code) => {
      if (state.accepted && code !== 0) return;
      writeCache(path, script, code === 0);
    });
  }
  const module = { exports: {} as unknown };
  const wrapper = script.runInThisContext() as (this: unknown, ...args: unknown[]) => void;
  wrapper.call(
    module.exports,
    module.exports,
    createRequire(file),
    module,
    file,
    dirname(file),
    options.importModule,
  );
  return { exports: module.exports, state };
}

function cachePath(file: string, options: CodeCacheOptions): string | undefined {
  if (options.directory === undefined) return undefined;
  let stamp: string;
  try {
    const stats = statSync(file);
    stamp = `${stats.size}-${Math.trunc(stats.mtimeMs)}`;
  } catch {
    return undefined;
  }
  const key = [options.contentHash, stamp, process.version, process.arch, options.name];
  return join(options.directory, `${key.join('-').replace(/[^\w.-]/g, '_')}.bin`);
}

function readCache(path: string): { data: Buffer; complete: boolean } | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  if (bytes.length <= HEADER_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    return undefined;
  }
  return { data: bytes.subarray(HEADER_BYTES), complete: bytes[COMPLETE_OFFSET] === 1 };
}

function writeCache(path: string, script: Script, complete: boolean): void {
  const temporary = `${path}.${process.pid}.tmp`;
  let fd: number | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    // Opened before the data is made: making it costs a good part of a start-up, spent for
    // nothing when the directory cannot be written.
    fd = openSync(temporary, 'wx', 0o644);
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(header);
    header[COMPLETE_OFFSET] = complete ? 1 : 0;
    writeSync(fd, header);
    writeSync(fd, script.createCachedData());
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, path);
    removeStale(dirname(path), path);
  } catch {
    // A cache that cannot be written is only a slower next start.
    try {
      if (fd !== undefined) closeSync(fd);
      rmSync(temporary, { force: true });
    } catch {
      // Nothing more to clean up.
    }
  }
}

/** Removes cache files of other builds and Node versions that no run has written for long. */
function removeStale(directory: string, keep: string): void {
  const now = Date.now();
  for (const entry of readdirSync(directory)) {
    const path = join(directory, entry);
    if (path === keep) continue;
    try {
      if (now - statSync(path).mtimeMs > STALE_AFTER_MS) rmSync(path, { force: true });
    } catch {
      // Removed by another run meanwhile.
    }
  }
}
