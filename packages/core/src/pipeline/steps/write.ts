import { builtinStepDescription, parseBuiltinOptions } from '../../config/steps-schema.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import type { StepDefinition } from '../../plugin/types.js';
import { groupRuns, programRuns, runsImage } from '../../flash/planner.js';
import { formatBytes, plural } from '../../image/units-text.js';
import { ensureInsideFlash } from './checks.js';
import { ensureNotWriteProtected, ensureUnprotected } from './protection.js';

/** Bytes per device call; safe points sit between calls, and calls never split a sector. */
const WRITE_CHUNK_BYTES = 32 * 1024;

export const writeStep: StepDefinition<null> = {
  id: 'write',
  description: builtinStepDescription('write'),
  reads: ['programImage', 'protection', 'unchanged'],
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
    // The probe's cost of one more transfer decides which erased gaps are written through.
    const limits = (await ctx.probe()).memory.limits;
    const runs = programRuns(source, flash.regions, {
      skipErased: (region) => routes.get(region) !== 'memory',
      transfer: limits === undefined ? undefined : { startUs: limits.transferStartUs },
    });
    const total = runs.reduce((sum, r) => sum + r.data.length, 0);
    let done = 0;
    for (const group of groupRuns(runs, flash.regions, WRITE_CHUNK_BYTES)) {
      ctx.checkpoint();
      const chunk = runsImage(group, source.entryPoint);
      await flash.program(chunk, ctx.progress(done, total));
      done += chunk.size;
    }
    const skipped = source.size - total;
    const unchanged = ctx.state.unchanged?.length ?? 0;
    return {
      status: source.isEmpty ? 'skipped' : 'done',
      summary: source.isEmpty
        ? 'nothing to write: every sector the image touches already holds it'
        : `wrote ${formatBytes(total)}${skipped > 0 ? ` (skipped ${formatBytes(skipped)} already erased)` : ''}${unchanged > 0 ? `; ${plural(unchanged, 'unchanged sector')} left alone` : ''}`,
      bytes: total,
      state: { expected: source, protection },
    };
  },
};
