import { builtinStepDescription, parseBuiltinOptions } from '../../config/steps-schema.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import { FlashImage } from '../../image/flash-image.js';
import type { FlashRegion, StepDefinition } from '../../plugin/types.js';
import { alignToUnits, dropErasedUnits, splitForProgramming } from '../flash-plan.js';
import { formatBytes } from '../../image/units-text.js';
import { ensureInsideFlash } from './checks.js';
import { ensureNotWriteProtected, ensureUnprotected } from './protection.js';

/** Bytes per device call; safe points sit between calls, and calls never split a sector. */
const WRITE_CHUNK_BYTES = 32 * 1024;

export const writeStep: StepDefinition<null> = {
  id: 'write',
  description: builtinStepDescription('write'),
  reads: ['programImage', 'protection'],
  writes: ['expected', 'protection'],
  parseOptions: (raw, at) => {
    parseBuiltinOptions('write', raw, at.keyPath);
    return null;
  },
  needsImage: () => true,
  title: (ctx) => (ctx.image === undefined ? 'Write' : `Write ${formatBytes(ctx.image.size)}`),
  plan: (ctx) => {
    const image = ctx.image;
    if (image === undefined) return { lines: ['write the image (no image)'] };
    const lines = [
      `write ${formatBytes(image.size)} in ${image.blocks.size} block${image.blocks.size === 1 ? '' : 's'}`,
    ];
    if (ctx.layout !== undefined) {
      const units = [...new Set(ctx.layout.flash.map((r) => r.writeUnitBytes))].join('/');
      lines.push(`in ${units}-byte write units; units equal to the erased value are skipped`);
    }
    return { lines, bytes: image.size };
  },
  run: async (ctx) => {
    const device = await ctx.device();
    const protection = await ensureUnprotected(ctx, device);
    // After an erase step: the image with the kept bytes of partly covered sectors.
    const source = ctx.state.programImage ?? ctx.image;
    if (source === undefined) throw new FlashwrightError('INTERNAL', 'write ran without the image');
    ensureInsideFlash(source, device.flash, device.name);
    ensureNotWriteProtected(protection, source.ranges(), device);

    const flash = await ctx.flash();
    const routes = await flash.routes(source.ranges());
    // Plain memory writes need no erase first, and an "erase: none" recipe may not have
    // blanked the memory: there every unit is written, erased-looking or not.
    const program = await programmable(
      source,
      flash.regions,
      (region) => routes.get(region) === 'memory',
    );
    const total = program.size;
    let done = 0;
    for (const chunk of splitForProgramming(program, flash.regions, WRITE_CHUNK_BYTES)) {
      ctx.checkpoint();
      await flash.program(chunk, ctx.progress(done, total));
      done += chunk.size;
    }
    const skipped = source.size - total;
    return {
      status: 'done',
      summary: `wrote ${formatBytes(total)}${skipped > 0 ? ` (skipped ${formatBytes(skipped)} already erased)` : ''}`,
      bytes: total,
      state: { expected: source, protection },
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
