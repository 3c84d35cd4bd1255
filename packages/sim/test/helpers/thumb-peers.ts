/**
 * The peers of the Thumb differential test: arm-none-eabi-gcc builds the programs in
 * test/fixtures/thumb, and QEMU runs them under gdb-multiarch. One QEMU per machine type
 * serves all programs: gdb loads each program, zeroes the RAM, resets the machine (which
 * takes SP and PC from the new vector table), runs to a breakpoint at `test_end` (or
 * `fault_default`) and prints the registers and memory. BKPT cannot end a program on QEMU
 * (without a debugger of its own it escalates to HardFault), hence the GDB breakpoint.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Peers are required in CI: missing tools fail there instead of skipping. */
export const peersRequired = process.env['FLASHWRIGHT_REQUIRE_PEERS'] === '1';

export interface QemuMachine {
  readonly name: string;
  readonly architecture: 'v6-m' | 'v7-m';
  /** CPUID the simulated core gets (CCR.STKALIGN resets to 1 as on QEMU, which sets it always). */
  readonly cpuId: number;
}

export const MACHINES: readonly QemuMachine[] = [
  { name: 'microbit', architecture: 'v6-m', cpuId: 0x410cc200 },
  { name: 'lm3s6965evb', architecture: 'v7-m', cpuId: 0x412fc231 },
  { name: 'mps2-an386', architecture: 'v7-m', cpuId: 0x410fc241 },
];

/** The result area and the top of the stack, compared word by word. */
export const MEMORY_WINDOWS: readonly { readonly start: number; readonly words: number }[] = [
  { start: 0x20000000, words: 96 },
  { start: 0x20003f00, words: 64 },
];

export const RAM_BYTES = 16 * 1024;

/** Why the peers cannot run here, or undefined. */
export function peersMissing(): string | undefined {
  const checks: [string, string[], string][] = [
    ['arm-none-eabi-gcc', ['--version'], 'gcc-arm-none-eabi'],
    ['make', ['--version'], 'make'],
    ['qemu-system-arm', ['--version'], 'qemu-system-arm'],
    ['gdb-multiarch', ['--version'], 'gdb-multiarch'],
  ];
  for (const [tool, args, pkg] of checks) {
    const result = spawnSync(tool, args, { encoding: 'utf8' });
    if (result.error !== undefined) {
      return `${tool} is not installed (Debian: apt-get install --no-install-recommends ${pkg})`;
    }
  }
  const machines = spawnSync('qemu-system-arm', ['-M', 'help'], { encoding: 'utf8' }).stdout;
  for (const m of MACHINES) {
    if (!machines.includes(m.name)) return `this qemu-system-arm has no ${m.name} machine`;
  }
  return undefined;
}

/** Builds every program into `outDir` (NAME.elf, NAME.bin, NAME.sym). */
export function buildPrograms(fixtureDir: string, outDir: string): void {
  const result = spawnSync('make', ['-s', '-C', fixtureDir, `OUT=${outDir}`, '-j2'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`make failed (${result.status}):\n${result.stdout}${result.stderr}`);
  }
}

export interface MachineState {
  /** r0-r12, sp, lr, pc, xpsr. */
  readonly registers: readonly number[];
  /** The words of MEMORY_WINDOWS, in order. */
  readonly memory: readonly number[];
}

const REGISTER_NAMES = [
  'r0',
  'r1',
  'r2',
  'r3',
  'r4',
  'r5',
  'r6',
  'r7',
  'r8',
  'r9',
  'r10',
  'r11',
  'r12',
  'sp',
  'lr',
  'pc',
  'xpsr',
];

/**
 * Runs the programs (ELF paths) on one QEMU machine through one gdb session. Resolves
 * with the final state by program path; a program whose state is missing did not reach
 * a breakpoint (the session timed out or gdb failed), with gdb's output as the reason.
 */
export async function runOnQemu(
  machine: QemuMachine,
  elfs: readonly string[],
  workDir: string,
  timeoutMs: number,
): Promise<{ states: Map<string, MachineState>; log: string }> {
  const zeros = join(workDir, `zeros-${machine.name}.bin`);
  writeFileSync(zeros, new Uint8Array(RAM_BYTES));
  const lines = [
    'set pagination off',
    'set confirm off',
    'set width 0',
    `target remote | qemu-system-arm -M ${machine.name} -S -gdb stdio -nographic -monitor none -serial none`,
  ];
  for (const elf of elfs) {
    lines.push(
      `file ${elf}`,
      'load',
      `restore ${zeros} binary 0x20000000`,
      'monitor system_reset',
      'maintenance flush register-cache',
      'delete',
      'break test_end',
      'break fault_default',
      'continue',
      `echo @@BEGIN ${elf}\\n`,
      'info registers',
      ...MEMORY_WINDOWS.map((w) => `x/${w.words}xw 0x${w.start.toString(16)}`),
      'echo @@END\\n',
    );
  }
  lines.push('monitor quit');
  const script = join(workDir, `run-${machine.name}.gdb`);
  writeFileSync(script, lines.join('\n') + '\n');
  const log = await runProcess('gdb-multiarch', ['-nx', '-batch', '-x', script], timeoutMs);
  return { states: parseStates(log), log };
}

function runProcess(command: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}

function parseStates(log: string): Map<string, MachineState> {
  const states = new Map<string, MachineState>();
  const blocks = log.split('@@BEGIN ').slice(1);
  for (const block of blocks) {
    const name = block.slice(0, block.indexOf('\n')).trim();
    const body = block.slice(0, block.indexOf('@@END'));
    const registers: number[] = [];
    for (const reg of REGISTER_NAMES) {
      const match = new RegExp(`^${reg}\\s+0x([0-9a-f]+)`, 'm').exec(body);
      if (!match?.[1]) break;
      registers.push(parseInt(match[1], 16) >>> 0);
    }
    const memory: number[] = [];
    for (const match of body.matchAll(/^0x[0-9a-f]+(?: <[^>]*>)?:\s+((?:0x[0-9a-f]+\s*)+)$/gm)) {
      for (const word of (match[1] ?? '').trim().split(/\s+/))
        memory.push(parseInt(word, 16) >>> 0);
    }
    if (registers.length === REGISTER_NAMES.length) states.set(name, { registers, memory });
  }
  return states;
}
