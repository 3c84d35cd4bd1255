/**
 * Shared by the doctor, recovery and demo end-to-end tests: recipes for the virtual
 * transport (a simulated STM32 behind a virtual ST-Link driven by the real ST-Link code),
 * and `flashwright doctor --json` parsed into its check events.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ndjson, project, repoRoot, runCli, type CliRun } from './helpers/cli.js';

export const blinkHex = join(repoRoot, 'test/fixtures/firmware/blink-l151/out/blink.hex');

export function blinkText(): Promise<string> {
  return readFile(blinkHex, 'utf8');
}

export interface VirtualBoard {
  readonly device: string;
  /** More `probe.options` as YAML flow entries, e.g. `rdp: 1, voltage: 0`. */
  readonly options?: string;
  /** More keys of `probe`, e.g. `speed: 4000, connect: under-reset`. */
  readonly probe?: string;
  /** The part the recipe expects (defaults to the simulated one). */
  readonly expect?: string;
  /** `target.flashSize`, e.g. 128K. */
  readonly flashSize?: string;
  readonly image?: string;
  /** YAML for `steps:` (a flow list), e.g. `[connect, write]`. */
  readonly steps?: string;
  /** `flash.loader`: auto (the default), ram or host. */
  readonly loader?: 'auto' | 'ram' | 'host';
}

/** A recipe for one simulated board. */
export function virtualRecipe(board: VirtualBoard): string {
  const options = [`device: ${board.device}`, board.options].filter(Boolean).join(', ');
  const probe = ['transport: virtual', board.probe, `options: { ${options} }`]
    .filter(Boolean)
    .join(', ');
  const target = [
    'family: stm32',
    `device: ${board.expect ?? board.device}`,
    board.flashSize === undefined ? undefined : `flashSize: ${board.flashSize}`,
  ]
    .filter(Boolean)
    .join(', ');
  return [
    `probe: { ${probe} }`,
    `target: { ${target} }`,
    board.loader === undefined ? '' : `flash: { loader: ${board.loader} }`,
    board.image === undefined ? '' : `image: ${board.image}`,
    board.steps === undefined ? '' : `steps: ${board.steps}`,
    '',
  ].join('\n');
}

export interface CheckEvent {
  readonly type: 'check';
  readonly index: number;
  readonly id: string;
  readonly title: string;
  readonly verdict: 'ok' | 'warn' | 'fail' | 'skipped';
  readonly message: string;
  readonly code?: string;
  readonly exitCode?: number;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;
}

export interface SummaryEvent {
  readonly type: 'summary';
  readonly command: string;
  readonly status: string;
  readonly exitCode: number;
  readonly error?: { code: string; exitCode: number; message: string; hint?: string };
  readonly journal?: { erased: Range[]; written: Range[]; unknown: Range[]; lines: string[] };
  readonly result?: Record<string, unknown>;
}

export interface Range {
  readonly start: number;
  readonly end: number;
}

export interface DoctorRun {
  readonly code: number | null;
  readonly checks: readonly CheckEvent[];
  readonly summary: SummaryEvent;
  readonly stderr: string;
}

/** `flashwright doctor --json` in `cwd`; the checks in the order they were printed. */
export async function doctor(cwd: string, args: readonly string[] = []): Promise<DoctorRun> {
  const run = await runCli(['doctor', '--json', ...args], { cwd });
  const events = ndjson(run.stdout);
  return {
    code: run.code,
    checks: events.filter((e) => e['type'] === 'check') as unknown as CheckEvent[],
    summary: events.at(-1) as unknown as SummaryEvent,
    stderr: run.stderr,
  };
}

/** One check of a doctor run, by id; fails the test helpfully when it is missing. */
export function checkOf(run: DoctorRun, id: string): CheckEvent {
  const found = run.checks.find((c) => c.id === id);
  if (found === undefined) {
    throw new Error(`no "${id}" check in: ${run.checks.map((c) => c.id).join(', ')}`);
  }
  return found;
}

/** Any command with --json: exit code and summary. */
export async function jsonRun(
  cwd: string,
  args: readonly string[],
): Promise<{ code: number | null; summary: SummaryEvent; events: Record<string, unknown>[] }> {
  const run: CliRun = await runCli([...args, '--json'], { cwd });
  const events = ndjson(run.stdout);
  return { code: run.code, summary: events.at(-1) as unknown as SummaryEvent, events };
}

/** A project with one recipe (flashwright.config.yaml) and the blink image as app.hex. */
export async function boardProject(
  board: VirtualBoard,
  files: Readonly<Record<string, string>> = {},
): Promise<string> {
  return project({
    'flashwright.config.yaml': virtualRecipe({ image: 'app.hex', ...board }),
    'app.hex': await blinkText(),
    ...files,
  });
}

/** A module URL inside this repository, for plugins the tests write into a project. */
export function repoModule(path: string): string {
  return pathToFileURL(join(repoRoot, path)).href;
}

/** Intel HEX for one block (16-byte records, blocks aligned to 16 bytes), then end of file. */
export function ihex(address: number, data: Uint8Array): string {
  const record = (type: number, offset: number, bytes: readonly number[]): string => {
    const body = [bytes.length, (offset >> 8) & 0xff, offset & 0xff, type, ...bytes];
    const sum = (0x100 - (body.reduce((a, b) => a + b, 0) & 0xff)) & 0xff;
    return `:${[...body, sum].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('')}`;
  };
  const lines: string[] = [];
  let upper = -1;
  for (let i = 0; i < data.length; i += 16) {
    const at = address + i;
    // A new extended linear address record whenever the upper 16 bits change.
    if (at >>> 16 !== upper) {
      upper = at >>> 16;
      lines.push(record(4, 0, [(upper >>> 8) & 0xff, upper & 0xff]));
    }
    lines.push(record(0, at & 0xffff, [...data.subarray(i, i + 16)]));
  }
  lines.push(record(1, 0, []));
  return `${lines.join('\n')}\n`;
}
