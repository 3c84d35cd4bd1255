/**
 * Long-running processes for the e2e tests that put a peer (OpenOCD, `flashwright sim`) on
 * a loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { cliBin } from './cli.js';

/** A loopback TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Peer {
  readonly child: ChildProcess;
  /** Its stdout and stderr so far. */
  output(): string;
  /** Sends `signal` unless it has exited already, and resolves with its exit code. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

/**
 * Spawns a long-running peer and resolves once its output matches `ready`; rejects if it
 * cannot start, exits first, or is not ready after `timeoutMs` (then it is killed).
 */
export function startPeer(
  command: string,
  args: readonly string[],
  cwd: string,
  ready: RegExp,
  timeoutMs = 30_000,
): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    const peer: Peer = {
      child,
      output: () => output,
      async stop(signal) {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      },
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not get ready:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve(peer);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${output}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** `flashwright sim ARGS` in `cwd`, once it says it is serving. */
export function startSim(args: readonly string[], cwd: string): Promise<Peer> {
  return startPeer(process.execPath, [cliBin, 'sim', ...args], cwd, /Serving a virtual/);
}
