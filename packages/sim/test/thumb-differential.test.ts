/**
 * Differential test of the Thumb interpreter: each program in test/fixtures/thumb runs on
 * QEMU (micro:bit Cortex-M0, LM3S6965 Cortex-M3, MPS2 AN386 Cortex-M4) and on the
 * simulator, and both must end with the same registers (r0-r12, SP, LR, PC, xPSR) and the
 * same result area and stack top. v6-* programs run on all three machines, v7-* on the
 * Cortex-M3 and M4. Needs arm-none-eabi-gcc, make, qemu-system-arm and gdb-multiarch;
 * without them the test skips locally and fails in CI (FLASHWRIGHT_REQUIRE_PEERS=1).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import {
  buildPrograms,
  MACHINES,
  MEMORY_WINDOWS,
  peersMissing,
  peersRequired,
  runOnQemu,
  type MachineState,
  type QemuMachine,
} from './helpers/thumb-peers.js';
import { runOnSim } from './helpers/thumb-sim.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The sources, from packages/sim/dist/test. */
const fixtureDir = join(here, '..', '..', 'test', 'fixtures', 'thumb');
const programs = readdirSync(fixtureDir)
  .filter((f) => /^v[67]-.*\.(S|c)$/.test(f))
  .map((f) => f.replace(/\.(S|c)$/, ''))
  .sort();

/**
 * Where a QEMU board, not the architecture, decides the outcome: QEMU's LM3S6965 board
 * maps a background region that reads unmapped addresses as zero, where the silicon (and
 * the MPS2 board) answers with a bus error.
 */
const BOARD_EXCEPTIONS: Readonly<Record<string, readonly string[]>> = {
  'v7-busfault': ['lm3s6965evb'],
};

function machinesFor(program: string): QemuMachine[] {
  return MACHINES.filter(
    (m) =>
      (program.startsWith('v6-') || m.architecture === 'v7-m') &&
      !BOARD_EXCEPTIONS[program]?.includes(m.name),
  );
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

/** Registers by name and memory by address, in hex, so that a difference reads well. */
function readable(state: MachineState): Record<string, string> {
  const hex = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
  const out: Record<string, string> = {};
  state.registers.forEach((value, i) => (out[REGISTER_NAMES[i] ?? `r${i}`] = hex(value)));
  let index = 0;
  for (const window of MEMORY_WINDOWS) {
    for (let i = 0; i < window.words; i++) {
      out[`[${hex(window.start + 4 * i)}]`] = hex(state.memory[index++] ?? -1);
    }
  }
  return out;
}

const missing = peersMissing();
if (missing !== undefined) {
  if (peersRequired) test('Thumb differential peers are required', (t) => t.fail(missing));
  else test.skip(`Thumb differential tests skipped: ${missing}`, () => {});
} else {
  const workDir = mkdtempSync(join(tmpdir(), 'fw-thumb-'));
  // Built once and run once per machine (one QEMU each, concurrently); the tests share it.
  const qemuRuns = (async () => {
    buildPrograms(fixtureDir, workDir);
    const runs = await Promise.all(
      MACHINES.map((m) =>
        runOnQemu(
          m,
          programs.filter((p) => machinesFor(p).includes(m)).map((p) => join(workDir, `${p}.elf`)),
          workDir,
          90_000,
        ),
      ),
    );
    return new Map(MACHINES.map((m, i) => [m.name, runs[i]!]));
  })();

  for (const program of programs) {
    for (const machine of machinesFor(program)) {
      test(`${program} on ${machine.name}: the simulator ends as QEMU does`, async (t) => {
        const run = (await qemuRuns).get(machine.name)!;
        const expected = run.states.get(join(workDir, `${program}.elf`));
        if (!expected)
          return t.fail(`QEMU did not reach the end of ${program}:\n${run.log.slice(-3000)}`);
        const image = new Uint8Array(readFileSync(join(workDir, `${program}.bin`)));
        const actual = runOnSim(machine, image);
        t.true(actual.halted, 'the simulated core halted on BKPT');
        t.deepEqual(readable(actual), readable(expected));
      });
    }
  }
}
