/**
 * Starts QEMU's emulated STM32VLDISCOVERY (STM32F100) with its GDB stub on loopback, for
 * the GDB transport's end-to-end test and benchmark. Not a test file itself.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '@flashwright/core/plugin';
import { freePort } from './helpers/peer.js';

const here = dirname(fileURLToPath(import.meta.url));
/** test/fixtures/firmware/qemu-usart, from test/dist/e2e. */
export const fixtureDir = join(here, '..', '..', 'fixtures', 'firmware', 'qemu-usart');

/** The QEMU machine: STM32F100RB, 128 KiB flash at 0x08000000, USART1 at 0x40013800. */
export const QEMU_MACHINE = 'stm32vldiscovery';
export const FLASH_BASE = 0x08000000;
export const FLASH_BYTES = 128 * 1024;

/** Why the QEMU tests cannot run here, or undefined when they can. */
export function qemuMissing(): string | undefined {
  const result = spawnSync('qemu-system-arm', ['--version'], { encoding: 'utf8' });
  if (result.error !== undefined)
    return 'qemu-system-arm is not installed (Debian: apt-get install --no-install-recommends qemu-system-arm)';
  if (!/QEMU emulator/.test(result.stdout))
    return `qemu-system-arm --version printed ${JSON.stringify(result.stdout.slice(0, 80))}`;
  const machines = spawnSync('qemu-system-arm', ['-M', 'help'], { encoding: 'utf8' });
  if (!machines.stdout.includes(QEMU_MACHINE))
    return `this qemu-system-arm has no ${QEMU_MACHINE} machine`;
  return undefined;
}

/** Peers are required in CI: missing QEMU fails there instead of skipping. */
export const peersRequired = process.env['FLASHWRIGHT_REQUIRE_PEERS'] === '1';

export interface QemuInstance {
  readonly port: number;
  readonly address: string;
  /** Everything the firmware printed on USART1 so far. */
  serialOutput(): Promise<string>;
  /** Waits until the serial output matches, or fails after timeoutMs with what it saw. */
  waitForSerial(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** QEMU's own stderr, for failure messages. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts QEMU halted (-S) with its GDB stub on a free loopback port. */
export async function startQemu(): Promise<QemuInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'flashwright-qemu-'));
  const serialFile = join(dir, 'usart1.txt');
  const port = await freePort();
  const child: ChildProcess = spawn(
    'qemu-system-arm',
    [
      '-M',
      QEMU_MACHINE,
      '-S',
      '-gdb',
      `tcp:127.0.0.1:${port}`,
      '-nographic',
      '-monitor',
      'none',
      '-serial',
      `file:${serialFile}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port, child, () => stderr);
  const serialOutput = (): Promise<string> => readFile(serialFile, 'latin1').catch(() => '');
  return {
    port,
    address: `127.0.0.1:${port}`,
    serialOutput,
    async waitForSerial(pattern, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = await serialOutput();
        const match = pattern.exec(text);
        if (match !== null) return match;
        if (Date.now() > deadline)
          throw new Error(
            `USART1 output ${JSON.stringify(text)} does not match ${pattern} after ${timeoutMs} ms`,
          );
        await sleep(25);
      }
    },
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until QEMU accepts TCP connections (its stub takes a new one after a close). */
async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`qemu-system-arm exited with ${child.exitCode}: ${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(20);
  }
  throw new Error(`qemu-system-arm did not listen on ${port} within 10 s: ${stderr()}`);
}
