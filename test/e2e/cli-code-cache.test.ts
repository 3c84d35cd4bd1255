/**
 * Issue 17: the published `flashwright` (packages/cli/dist/bundle/bin.cjs) keeps V8's
 * compiled code of each command in the user's cache directory (packages/cli/src/code-cache.ts).
 * A command gives the same result with the cache, without it, with a broken one and with a
 * cache directory it cannot write.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/cli.js';

const bundleBin = join(repoRoot, 'packages/cli/dist/bundle/bin.cjs');

/** A 4-byte Intel HEX image at 0x08000000. */
const APP_HEX = ':020000040800F2\n:0400000001020304F2\n:00000001FF\n';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runBundle(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(FLASHWRIGHT_|XDG_CACHE_HOME$|NODE_DISABLE_COMPILE_CACHE$)/.test(key)) {
      childEnv[key] = value;
    }
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundleBin, ...args], {
      cwd,
      env: { ...childEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A project with a YAML recipe (a board preset) and a JavaScript one, which runs import(). */
async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fw-code-cache-'));
  await writeFile(join(dir, 'package.json'), '{"name":"firmware","private":true}\n');
  await writeFile(join(dir, 'app.hex'), APP_HEX);
  await writeFile(join(dir, 'flashwright.config.yaml'), 'extends: board:rak5205\nimage: app.hex\n');
  await writeFile(
    join(dir, 'recipe.mjs'),
    "export default { target: { family: 'stm32', device: 'STM32L151CBxxA' }, probe: { transport: 'stlink' }, image: 'app.hex' };\n",
  );
  return dir;
}

/** The dry run's output less its duration. */
function plan(run: Run): string {
  return run.stdout.replace(/dry run ok \([^)]*\)/, 'dry run ok');
}

async function cacheFiles(cache: string): Promise<string[]> {
  try {
    return (await readdir(join(cache, 'flashwright/code-cache'))).sort();
  } catch {
    return [];
  }
}

test('each command writes its cache once, and runs the same from it', async (t) => {
  const dir = await project();
  const env = { XDG_CACHE_HOME: join(dir, 'cache') };
  const uncached = await runBundle(['run', '--dry-run'], dir, {
    ...env,
    NODE_DISABLE_COMPILE_CACHE: '1',
  });
  t.is(uncached.code, 0, uncached.stderr);
  t.deepEqual(await cacheFiles(env.XDG_CACHE_HOME), [], 'NODE_DISABLE_COMPILE_CACHE');

  const first = await runBundle(['run', '--dry-run'], dir, env);
  t.is(first.code, 0, first.stderr);
  const files = await cacheFiles(env.XDG_CACHE_HOME);
  t.is(files.length, 1);
  t.regex(files[0]!, /-run\.bin$/);
  const path = join(env.XDG_CACHE_HOME, 'flashwright/code-cache', files[0]!);
  const written = await readFile(path);

  const second = await runBundle(['run', '--dry-run'], dir, env);
  t.is(second.code, 0, second.stderr);
  t.is(second.stderr, '');
  t.is(plan(second), plan(first));
  t.is(plan(second), plan(uncached));
  t.deepEqual(await readFile(path), written, 'taken, not written again');

  const version = await runBundle(['--version'], dir, env);
  t.is(version.code, 0);
  const devices = await runBundle(['devices', 'STM32F411RE'], dir, env);
  t.is(devices.code, 0, devices.stderr);
  t.deepEqual(
    (await cacheFiles(env.XDG_CACHE_HOME)).map((f) => /-(\w+)\.bin$/.exec(f)?.[1]),
    ['devices', 'main', 'run'],
  );
});

test('import() works from the cache: a JavaScript recipe, run twice', async (t) => {
  const dir = await project();
  const env = { XDG_CACHE_HOME: join(dir, 'cache') };
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const run = await runBundle(['run', '--dry-run', '-c', 'recipe.mjs'], dir, env);
    t.is(run.code, 0, run.stderr);
    runs.push(plan(run));
  }
  t.is(runs[1], runs[0]);
  t.regex(runs[0]!, /recipe\.mjs/);
});

test('a corrupt cache is compiled past and replaced', async (t) => {
  const dir = await project();
  const env = { XDG_CACHE_HOME: join(dir, 'cache') };
  const first = await runBundle(['run', '--dry-run'], dir, env);
  const [file] = await cacheFiles(env.XDG_CACHE_HOME);
  const path = join(env.XDG_CACHE_HOME, 'flashwright/code-cache', file!);
  const valid = await readFile(path);
  await writeFile(path, valid.subarray(0, valid.length >> 1));
  const corrupt = await runBundle(['run', '--dry-run'], dir, env);
  t.is(corrupt.code, 0, corrupt.stderr);
  t.is(plan(corrupt), plan(first));
  t.true((await readFile(path)).length > valid.length >> 1, 'written again');
});

test('a cache directory that cannot be written changes nothing for the command', async (t) => {
  const dir = await project();
  const cached = await runBundle(['run', '--dry-run'], dir, { XDG_CACHE_HOME: join(dir, 'c') });
  // A file where the directory should be: not even root can write below it.
  const blocked = join(dir, 'blocked');
  await writeFile(blocked, 'a file\n');
  const run = await runBundle(['run', '--dry-run'], dir, { XDG_CACHE_HOME: blocked });
  t.is(run.code, 0, run.stderr);
  t.is(run.stderr, '');
  t.is(plan(run), plan(cached));
  t.is(await readFile(blocked, 'utf8'), 'a file\n');
  // A failing command keeps its exit code.
  const missing = await runBundle(['run', '--dry-run', '-c', 'nope.yaml'], dir, {
    XDG_CACHE_HOME: blocked,
  });
  t.is(missing.code, 2, missing.stderr);
});
