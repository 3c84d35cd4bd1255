/**
 * The harness of the seeded fuzz test: a deterministic PRNG, a guard that notices any change
 * to Object.prototype (and undoes it, so one polluting input does not spoil the rest), the
 * CLI run in this process, and the checks every outcome must pass.
 */
import { exitCodeOf, isFlashwrightError } from '@flashwright/core';
import { main } from '@flashwright/cli';

/** mulberry32: a small, fast 32-bit PRNG; the same seed gives the same sequence everywhere. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  u32(): number {
    return Math.floor(this.next() * 2 ** 32);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)]!;
  }
}

/** The seed of mutant `index` of `kind`: independent of how many mutants other kinds run. */
export function mutantSeed(seed: number, kind: string, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const c of `${kind}#${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

type Snapshot = Map<string | symbol, PropertyDescriptor>;

function snapshot(): Snapshot {
  const out: Snapshot = new Map();
  for (const key of Reflect.ownKeys(Object.prototype)) {
    out.set(key, Object.getOwnPropertyDescriptor(Object.prototype, key)!);
  }
  return out;
}

/**
 * Watches Object.prototype: `check()` names every key added or changed since the guard was
 * made, then restores the original so later inputs run on a clean prototype.
 */
export class PrototypeGuard {
  readonly #before = snapshot();

  check(): string[] {
    const changed: string[] = [];
    const now = snapshot();
    for (const [key, descriptor] of now) {
      const before = this.#before.get(key);
      if (before === undefined) {
        changed.push(`added ${String(key)}`);
        Reflect.deleteProperty(Object.prototype, key);
      } else if (before.value !== descriptor.value || before.get !== descriptor.get) {
        changed.push(`changed ${String(key)}`);
        Object.defineProperty(Object.prototype, key, before);
      }
    }
    for (const [key, before] of this.#before) {
      if (!now.has(key)) {
        changed.push(`deleted ${String(key)}`);
        Object.defineProperty(Object.prototype, key, before);
      }
    }
    return changed;
  }
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The thrown value, when main itself threw (an uncaught exception in the CLI). */
  readonly thrown?: unknown;
}

/** Sends a stream's writes to `sink` until the returned function is called. */
function capture(stream: NodeJS.WriteStream, sink: (text: string) => void): () => void {
  const own = Object.getOwnPropertyDescriptor(stream, 'write');
  stream.write = (chunk: string | Uint8Array) => {
    sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  };
  return () => {
    if (own === undefined) Reflect.deleteProperty(stream, 'write');
    else Object.defineProperty(stream, 'write', own);
  };
}

/**
 * Runs the CLI's main in this process (a child process costs about half a second), with
 * stdout and stderr captured. Paths must be absolute: the cwd is the test runner's.
 */
export async function runCliInProcess(args: readonly string[]): Promise<CliResult> {
  const exitCode = process.exitCode;
  let stdout = '';
  let stderr = '';
  const restoreOut = capture(process.stdout, (text) => (stdout += text));
  const restoreErr = capture(process.stderr, (text) => (stderr += text));
  try {
    const code = await main(['node', 'flashwright', ...args]);
    return { code, stdout, stderr };
  } catch (error) {
    return { code: -1, stdout, stderr, thrown: error };
  } finally {
    restoreOut();
    restoreErr();
    process.exitCode = exitCode;
  }
}

/** What a CLI run did wrong, or undefined: it threw, exited 1, or printed no JSON summary. */
export function cliProblem(run: CliResult): string | undefined {
  if (run.thrown !== undefined) return `main threw ${describeThrown(run.thrown)}`;
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  let summary: { type?: string; exitCode?: number; error?: { code?: string; message?: string } };
  try {
    summary = JSON.parse(last) as typeof summary;
  } catch {
    return `no JSON summary (exit ${run.code}); stdout ${run.stdout.slice(-300)} stderr ${run.stderr.slice(-300)}`;
  }
  if (run.code === 1) {
    return `exit 1: ${summary.error?.code ?? ''} ${summary.error?.message ?? ''}`;
  }
  if (summary.type !== 'summary' || summary.exitCode !== run.code) {
    return `summary ${last.slice(0, 200)} does not match exit ${run.code}`;
  }
  return undefined;
}

/** What a thrown value says about itself, for failure messages. */
export function describeThrown(error: unknown): string {
  if (isFlashwrightError(error)) return `${error.code} (exit ${error.exitCode}): ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}\n${error.stack ?? ''}`;
  return String(error);
}

/** A thrown value is acceptable when it is one of ours and not an internal error (exit 1). */
export function thrownProblem(error: unknown): string | undefined {
  if (!isFlashwrightError(error)) return `uncaught ${describeThrown(error)}`;
  if (exitCodeOf(error) === 1) return `exit 1: ${describeThrown(error)}`;
  return undefined;
}

/** Examples shown in a failure message (FUZZ_EXAMPLES=N shows more). */
const MAX_EXAMPLES = Number(process.env.FUZZ_EXAMPLES ?? 20);

/** Collects failures with what reproduces them; the test shows the first of each kind. */
export class Findings {
  readonly #items: string[] = [];
  readonly #kinds = new Map<string, number>();
  readonly #outcomes = new Map<string, number>();
  #count = 0;

  constructor(
    readonly seed: number,
    readonly kind: string,
  ) {}

  add(index: number, mutations: readonly string[], problem: string, sample: string): void {
    this.#count++;
    // Problems of one kind differ in paths and numbers only.
    const key = problem
      .replace(/\s+/g, ' ')
      .replace(/\/\S+/g, 'PATH')
      .replace(/\d+/g, 'N')
      .slice(0, 90);
    const seen = this.#kinds.get(key) ?? 0;
    this.#kinds.set(key, seen + 1);
    if (seen > 0 || this.#items.length >= MAX_EXAMPLES) return;
    this.#items.push(
      `${this.kind} mutant #${index} (FUZZ_SEED=${this.seed}; mutations: ${mutations.join(', ')}): ${problem}\n    input: ${sample}`,
    );
  }

  /** Counts what a mutant came to ("ok", or an error code), to show what the inputs reach. */
  outcome(what: string): void {
    this.#outcomes.set(what, (this.#outcomes.get(what) ?? 0) + 1);
  }

  outcomes(): string {
    const sorted = [...this.#outcomes].sort((a, b) => b[1] - a[1]);
    return `${this.kind} outcomes: ${sorted.map(([what, n]) => `${what} ${n}`).join(', ')}`;
  }

  get count(): number {
    return this.#count;
  }

  report(): string {
    const kinds = [...this.#kinds].map(([key, n]) => `${n} x ${key}`).join('\n  ');
    return `${this.#count} finding(s) for ${this.kind} with FUZZ_SEED=${this.seed}:\n  ${kinds}\nExamples:\n  ${this.#items.join('\n  ')}`;
  }
}

/** The first bytes of an input, printable, for failure messages. */
export function sample(bytes: Uint8Array | string, max = 240): string {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('latin1');
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
