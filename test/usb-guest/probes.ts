/**
 * The virtual probes a guest run attaches, and the host-side helpers around them: their
 * `flashwright sim` recipes and state files, and `flashwright read` on a state afterwards.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { repoRoot, runCli } from '../e2e/helpers/cli.js';
import { startSim, type SimProcess } from './rig.js';

export interface GuestProbe {
  readonly name: string;
  readonly probe: 'stlink-v2' | 'stlink-v2-1' | 'stlink-v3' | 'cmsis-dap-v1' | 'cmsis-dap-v2';
  readonly device: string;
  /** USB serial number; undefined keeps the probe's own (the demo clone's binary one). */
  readonly serial?: string;
  /** Extra probe.options of the sim recipe (timing is realtime unless set here). */
  readonly options?: Readonly<Record<string, unknown>>;
}

export const FLASH = 0x08000000;
export const SRAM = 0x20000000;
export const DEMO_RECIPE = join(repoRoot, 'configs/examples/rak5205-demo.yaml');
/** The demo clone's serial as hosts print it (its 12 binary bytes in hex). */
export const CLONE_SERIAL_HEX = '55FF6D066684564928211687';

/** The recipe's target family of a simulated part. */
export function family(p: GuestProbe): 'nrf' | 'stm32' {
  return /^nRF/i.test(p.device) ? 'nrf' : 'stm32';
}

export function statePath(share: string, name: string): string {
  return join(share, `${name}.state.json`);
}

/** Writes the sim recipe of a probe; the demo probe takes the demo recipe's board. */
export function simRecipe(share: string, p: GuestProbe): string {
  const file = join(share, `${p.name}.sim.yaml`);
  const options = {
    probe: p.probe,
    device: p.device,
    state: statePath(share, p.name),
    // Real host software times flash operations on the wall clock: the board keeps up with it.
    timing: 'realtime',
    ...(p.serial === undefined ? {} : { serialNumber: p.serial }),
    ...p.options,
  };
  writeFileSync(
    file,
    YAML.stringify({ probe: { transport: 'virtual', options }, target: { family: family(p) } }),
  );
  return file;
}

/**
 * The demo recipe twice: for the host, with its virtual board kept in a state file (and
 * instant timing: the guest's own speed is what it is); for the guest, with the real ST-Link
 * transport (the clone chosen by serial), the same image and the same steps.
 */
export function demoRecipes(share: string): { sim: string; guest: string; image: string } {
  const demo = YAML.parse(readFileSync(DEMO_RECIPE, 'utf8')) as {
    probe: { options: Record<string, unknown> };
    image: string;
  } & Record<string, unknown>;
  const image = join(repoRoot, 'configs/examples', demo.image);
  const sim = join(share, 'demo.sim.yaml');
  writeFileSync(
    sim,
    YAML.stringify({
      ...demo,
      image,
      probe: {
        transport: 'virtual',
        options: { ...demo.probe.options, timing: 'instant', state: statePath(share, 'demo') },
      },
    }),
  );
  const guest = join(share, 'demo.guest.yaml');
  writeFileSync(
    guest,
    YAML.stringify({ ...demo, image, probe: { transport: 'stlink', serial: CLONE_SERIAL_HEX } }),
  );
  return { sim, guest, image };
}

export async function startSims(
  share: string,
  probes: readonly GuestProbe[],
  demo?: string,
): Promise<SimProcess[]> {
  const started: SimProcess[] = [];
  try {
    for (const p of probes) {
      const recipe = p.name === 'demo' && demo !== undefined ? demo : simRecipe(share, p);
      started.push(await startSim(p.name, recipe, share));
    }
    return started;
  } catch (error) {
    await Promise.all(started.map((s) => s.stop()));
    throw error;
  }
}

/** `flashwright read` on the host, through the virtual probe on the probe's state file. */
export async function hostRead(
  share: string,
  p: GuestProbe,
  address: number,
  length: number,
): Promise<Uint8Array> {
  const recipe = join(share, `${p.name}.read.yaml`);
  writeFileSync(
    recipe,
    YAML.stringify({
      probe: {
        transport: 'virtual',
        options: { probe: p.probe, device: p.device, state: statePath(share, p.name) },
      },
      target: { family: family(p) },
    }),
  );
  const out = join(share, `${p.name}.host-read.bin`);
  const run = await runCli(
    ['read', `0x${address.toString(16)}`, String(length), '-o', out, '-c', recipe],
    {
      cwd: share,
    },
  );
  if (run.code !== 0)
    throw new Error(`flashwright read exited ${run.code}:\n${run.stderr}${run.stdout}`);
  return new Uint8Array(readFileSync(out));
}

/** `flashwright flash` on the host into a probe's state, before the guest boots. */
export async function hostProgram(share: string, p: GuestProbe, file: string): Promise<void> {
  const run = await runCli(
    ['flash', file, '--base', `0x${FLASH.toString(16)}`, '--no-reset', '-c', simRecipe(share, p)],
    {
      cwd: share,
    },
  );
  if (run.code !== 0)
    throw new Error(`flashwright flash exited ${run.code}:\n${run.stderr}${run.stdout}`);
}

/** The virtual time a probe's sessions took, from its state file. */
export function virtualMs(share: string, name: string): number {
  const state = JSON.parse(readFileSync(statePath(share, name), 'utf8')) as {
    board: { virtualMs: number };
  };
  return state.board.virtualMs;
}
