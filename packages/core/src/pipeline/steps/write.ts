import type { RecipeStep } from '../../config/recipe.js';
import { FlashImage } from '../../image/flash-image.js';
import type { FlashRegion } from '../../plugin/types.js';
import { flashAccessFor } from '../flash-access.js';
import { alignToUnits, dropErasedUnits, splitForProgramming } from '../flash-plan.js';
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

    const access = flashAccessFor(device, session.requireProbe(), session.log);
    const routes = await access.routesFor(source.ranges(), session.signal);
    // Plain memory writes need no erase first, and an "erase: none" recipe may not have
    // blanked the memory: there every unit is written, erased-looking or not.
    const program = await programmable(
      source,
      access.flash,
      (region) => routes.get(region)?.kind === 'memory',
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
 * Aligns each region's data to its write unit and drops units equal to the erased value,
 * except in regions where `writesEveryUnit` says so.
 */
export async function programmable(
  image: FlashImage,
  flash: readonly FlashRegion[],
  writesEveryUnit: (region: FlashRegion) => boolean = () => false,
): Promise<FlashImage> {
  const parts: [number, Uint8Array][] = [];
  for (const region of flash) {
    const inRegion = image.slice(region);
    if (inRegion.isEmpty) continue;
    const aligned = await alignToUnits(inRegion, region.writeUnitBytes, region.erasedValue);
    const kept = writesEveryUnit(region)
      ? aligned
      : dropErasedUnits(aligned, region.writeUnitBytes, region.erasedValue);
    parts.push(...kept.blocks);
  }
  return FlashImage.from(parts, { entryPoint: image.entryPoint });
}
