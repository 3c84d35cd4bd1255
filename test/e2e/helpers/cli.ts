import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from test/dist/e2e/helpers). */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
/**
 * The CLI the tests run: the compiled sources, fresh after `tsc -b`. FLASHWRIGHT_TEST_CLI
 * names another build to run the same tests on, e.g. the published bundle
 * (`FLASHWRIGHT_TEST_CLI=packages/cli/dist/bundle/bin.cjs npx ava`, after `pnpm build`).
 */
export const cliBin = resolve(
  repoRoot,
  process.env.FLASHWRIGHT_TEST_CLI ?? 'packages/cli/dist/src/bin.js',
);
export const examplePlugin = join(repoRoot, 'test/fixtures/example-plugin');

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Called for each stdout line as it arrives (e.g. to send Ctrl-C at the right moment). */
  readonly onLine?: (line: string, child: { kill(signal: NodeJS.Signals): boolean }) => void;
}

/**
 * Runs the built CLI as a user would: `node packages/cli/dist/src/bin.js ARGS` in `cwd`,
 * without a terminal (so output is plain lines or NDJSON), FLASHWRIGHT_* variables cleared.
 */
export function runCli(args: readonly string[], options: CliOptions): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('FLASHWRIGHT_')) env[key] = value;
  }
  Object.assign(env, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, ...args], {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        options.onLine?.(pending.slice(0, newline), child);
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Parses NDJSON output; throws on any line that is not a JSON object. */
export function ndjson(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const value = JSON.parse(line) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new Error(`not a JSON object: ${line}`);
      }
      return value as Record<string, unknown>;
    });
}

export type CliEvents = Record<string, unknown>[];

/** `flashwright run --json ARGS` in `cwd`, which must succeed: its events. */
export async function runEvents(cwd: string, extra: readonly string[] = []): Promise<CliEvents> {
  const result = await runCli(['run', '--json', ...extra], { cwd });
  if (result.code !== 0) throw new Error(`run failed (${result.code}): ${result.stdout}`);
  return ndjson(result.stdout);
}

/** The step-end event of step `id`. */
export function stepEnd(events: CliEvents, id: string): Record<string, unknown> {
  const end = events.find((e) => e['type'] === 'step-end' && e['id'] === id);
  if (end === undefined) throw new Error(`no ${id} step`);
  return end;
}

/** A temporary project (with package.json, so the recipe search stops there). */
export async function project(
  files: Readonly<Record<string, string | Uint8Array>>,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'flashwright-e2e-'));
  await writeFile(join(dir, 'package.json'), '{"name":"e2e-project","private":true}\n');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** A recipe for the example plugin's loopback board, with extra probe options and steps. */
export function loopbackRecipe(
  options: { probeOptions?: string; steps?: string; device?: string } = {},
): string {
  return [
    `plugins: [${JSON.stringify(examplePlugin)}]`,
    `probe: { transport: loopback, options: { ${options.probeOptions ?? ''} } }`,
    `target: { family: example, device: ${options.device ?? 'EXAMPLE-64K'} }`,
    'image: app.fwtext',
    `steps: ${options.steps ?? '[connect, { erase: auto }, write, verify, reset]'}`,
    '',
  ].join('\n');
}

/** An fwtext image: 16 counting bytes at the flash base and 4 bytes in the second sector. */
export const appImage =
  '# fwtext\n0x08000000: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f\n0x08000410: de ad be ef\n';
