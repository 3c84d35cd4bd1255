import type { RecipeStep } from '../../config/recipe.js';
import { programRuns, runsImage } from '../../flash/planner.js';
import type { FlashImage } from '../../image/flash-image.js';
import type { FlashRegion } from '../../plugin/types.js';
import type { MemoryPortLimits } from '../../ports/memory-port.js';
import { flashAccessFor } from '../flash-access.js';
import { splitForProgramming } from '../flash-plan.js';
import { formatBytes } from '../units-text.js';
import { ensureInsideFlash } from './checks.js';
import { ensureNotWriteProtected, ensureUnprotected } from './protection.js';
import type { StepHandler } from './step-handler.js';

/** Bytes per device call; safe points sit between calls, and calls never split a sector. */
const WRITE_CHUNK_BYTES = 32 * 1024;

export const writeStep: StepHandler<Extract<RecipeStep, { id: 'write' }>> = {
  title: (_step, ctx) =>
    ctx.image === undefined ? 'Write' : `Write ${formatBytes(ctx.image.size)}`,
  plan: (_step, ctx) => {
    const image = ctx.image;
    if (image === undefined) return { destructive: false, lines: ['write the image (no image)'] };
    const lines = [
      `write ${formatBytes(image.size)} in ${image.blocks.size} block${image.blocks.size === 1 ? '' : 's'}`,
    ];
    if (ctx.layout !== undefined) {
      const units = [...new Set(ctx.layout.flash.map((r) => r.writeUnitBytes))].join('/');
      lines.push(`in ${units}-byte write units; units equal to the erased value are skipped`);
    }
    return { destructive: false, lines, bytes: image.size };
  },
  run: async (_step, session, ref) => {
    const image = session.requireImage('write');
    const device = await session.requireDevice();
    const state = await ensureUnprotected(session, device);
    const source = session.programImage ?? image;
    ensureInsideFlash(source, device.flash, device.name);
    ensureNotWriteProtected(state, source.ranges(), device);

    const probe = session.requireProbe();
    const access = flashAccessFor(device, probe, session.log);
    const routes = await access.routesFor(source.ranges(), session.signal);
    // Plain memory writes need no erase first, and an "erase: none" recipe may not have
    // blanked the memory: there every unit is written, erased-looking or not.
    const program = programmable(
      source,
      access.flash,
      (region) => routes.get(region)?.kind === 'memory',
      probe.memory.limits,
    );
    const total = program.size;
    let done = 0;
    for (const chunk of splitForProgramming(program, access.flash, WRITE_CHUNK_BYTES)) {
      session.checkpoint();
      await session.tracked(chunk.ranges(), 'written', () =>
        access.program(chunk, session.progress(ref, done, total, 'written'), session.signal),
      );
      done += chunk.size;
    }
    session.expected = source;
    const skipped = source.size - total;
    return {
      status: 'done',
      summary: `wrote ${formatBytes(total)}${skipped > 0 ? ` (skipped ${formatBytes(skipped)} already erased)` : ''}`,
      bytes: total,
    };
  },
};

/**
 * The program runs of the planner (flash/planner.ts) as one image: each region's data in
 * whole write units, erased stretches left out where that saves time on this probe (its
 * declared transfer cost), except in regions where `writesEveryUnit` says so. Every block
 * the device receives is one run.
 */
export function programmable(
  image: FlashImage,
  flash: readonly FlashRegion[],
  writesEveryUnit: (region: FlashRegion) => boolean = () => false,
  limits?: MemoryPortLimits,
): FlashImage {
  const runs = programRuns(image, flash, {
    skipErased: (region) => !writesEveryUnit(region),
    transfer: limits === undefined ? undefined : { startUs: limits.transferStartUs },
  });
  return runsImage(runs, image.entryPoint);
}
