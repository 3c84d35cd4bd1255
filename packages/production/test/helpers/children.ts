import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A child process running one of the fixtures, with its output as lines. */
export interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line matching, rejects if the child exits first. */
  waitFor(pattern: RegExp): Promise<string>;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  stderr(): string;
}

export function startFixture(name: string, args: readonly string[]): Child {
  const file = fileURLToPath(new URL(`../fixtures/${name}.js`, import.meta.url));
  const child = spawn(process.execPath, [file, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters: { pattern: RegExp; resolve(line: string): void; reject(e: Error): void }[] = [];
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) {
        w.reject(new Error(`${name} exited (${code ?? signal}) before ${w.pattern}: ${stderr}`));
      }
      resolve(code ?? signal ?? -1);
    }),
  );
  return {
    process: child,
    lines,
    exited,
    stderr: () => stderr,
    waitFor: (pattern) => {
      const seen = lines.find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      if (child.exitCode !== null || child.signalCode !== null) {
        return Promise.reject(new Error(`${name} has exited: ${stderr}`));
      }
      return new Promise((resolve, reject) => waiters.push({ pattern, resolve, reject }));
    },
  };
}
