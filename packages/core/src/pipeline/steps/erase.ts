import {
  builtinStepDescription,
  MASS_ERASE_CONFIRMATION,
  parseBuiltinOptions,
  type EraseMode,
} from '../../config/steps-schema.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import type { AddressRange } from '../../image/address-range.js';
import type {
  StepDefinition,
  StepOutcome,
  StepPlanContext,
  StepRunContext,
} from '../../plugin/types.js';
import { chunkRanges, planFlash } from '../flash-plan.js';
import { formatBytes, formatRanges } from '../../image/units-text.js';
import { ensureInsideFlash } from './checks.js';
import { ensureNotWriteProtected, ensureUnprotected } from './protection.js';

export interface EraseOptions {
  readonly mode: EraseMode;
  /** `confirm: mass-erase` in the step. */
  readonly confirmed: boolean;
}

/** Sectors per device call: the pipeline can stop between calls (Ctrl-C). */
const ERASE_CHUNK_BYTES = 32 * 1024;

export const eraseStep: StepDefinition<EraseOptions> = {
  id: 'erase',
  description: builtinStepDescription('erase'),
  reads: ['erased', 'protection'],
  writes: ['erased', 'programImage', 'protection'],
  parseOptions: (raw, at) => {
    const o = parseBuiltinOptions('erase', raw, at.keyPath);
    if (typeof o === 'string') return { mode: o, confirmed: false };
    return { mode: o?.mode ?? 'auto', confirmed: o?.confirm === MASS_ERASE_CONFIRMATION };
  },
  confirmation: (options) =>
    options.mode === 'mass'
      ? {
          phrase: MASS_ERASE_CONFIRMATION,
          what: 'mass-erase the flash',
          inRecipe: options.confirmed,
        }
      : undefined,
  needsImage: (options) => options.mode === 'auto',
  title: (_ctx, options) =>
    options.mode === 'mass'
      ? 'Mass erase'
      : options.mode === 'none'
        ? 'Erase: none'
        : 'Erase touched sectors',
  plan: (ctx, options) => {
    if (options.mode === 'none') return { lines: ['no erase (the flash must already be erased)'] };
    if (options.mode === 'mass') return { lines: ['erase the whole flash'] };
    const image = ctx.image;
    if (image === undefined) return { lines: ['erase the sectors the image touches (no image)'] };
    if (ctx.layout === undefined) {
      return {
        lines: [
          `erase the sectors touching ${formatRanges(image.ranges())} (sector layout unknown without a chip or device database)`,
        ],
      };
    }
    ensureInsideFlash(image, ctx.layout.flash, ctx.layout.name);
    const plan = planFlash(image, ctx.layout.flash);
    const lines = [
      `erase ${plan.sectors.length} sector${plan.sectors.length === 1 ? '' : 's'} (${formatBytes(plan.eraseBytes)}): ${formatRanges(mergeAdjacent(plan.sectors))}`,
    ];
    if (plan.preserveBytes > 0 && writeFollows(ctx)) {
      lines.push(
        `keep ${formatBytes(plan.preserveBytes)} of existing data in partly covered sectors (read before erase, written back): ${formatRanges(plan.preserve)}`,
      );
    }
    return { lines, bytes: plan.eraseBytes };
  },
  run: (ctx, options) =>
    options.mode === 'mass'
      ? massErase(ctx)
      : options.mode === 'auto'
        ? eraseTouched(ctx, writeFollows(ctx))
        : Promise.resolve({ status: 'skipped', summary: 'erase: none' }),
};

/** The runner has checked the confirmation. */
async function massErase(ctx: StepRunContext): Promise<StepOutcome> {
  const device = await ctx.device();
  const protection = await ensureUnprotected(ctx, device);
  const flash = await ctx.flash();
  const total = flash.regions.reduce((sum, r) => sum + (r.end - r.start), 0);
  ctx.checkpoint();
  await flash.erase('mass', ctx.progress(0, total));
  return {
    status: 'done',
    summary: `erased all ${formatBytes(total)}`,
    bytes: total,
    state: { erased: 'all', programImage: ctx.image, protection },
  };
}

/**
 * Partly covered sectors are preserved only when a write step follows to put the bytes
 * back; an erase-only recipe erases whole sectors and says so.
 */
function writeFollows(ctx: StepPlanContext): boolean {
  return ctx.recipe.steps.slice(ctx.step.index + 1).some((s) => s.id === 'write');
}

async function eraseTouched(ctx: StepRunContext, preserve: boolean): Promise<StepOutcome> {
  const image = ctx.image;
  if (image === undefined)
    throw new FlashwrightError('INTERNAL', 'erase: auto ran without the image');
  const device = await ctx.device();
  const protection = await ensureUnprotected(ctx, device);
  ensureInsideFlash(image, device.flash, device.name);
  if (ctx.state.erased === 'all') {
    return {
      status: 'skipped',
      summary: 'the flash is already erased (mass erase or unprotect)',
      state: { programImage: image, protection },
    };
  }
  // The probe's flash driver, where it erases, has its own erase blocks: plan with those.
  const flash = await ctx.flash();
  const full = planFlash(image, flash.regions);
  const plan = preserve ? full : { ...full, preserve: [], preserveBytes: 0 };
  ensureNotWriteProtected(protection, plan.sectors, device);
  const total = plan.preserveBytes + plan.eraseBytes;

  // Partly covered sectors keep their other bytes: read them now, write them back later.
  let done = 0;
  const programImage = await image.fillGaps([...plan.sectors], async (gap) => {
    if (!preserve)
      return new Uint8Array(gap.end - gap.start).fill(regionErasedValue(device, gap.start));
    ctx.checkpoint();
    const length = gap.end - gap.start;
    const data = await flash.read(gap.start, length, ctx.progress(done, total));
    done += length;
    return data;
  });

  for (const chunk of chunkRanges(plan.sectors, ERASE_CHUNK_BYTES)) {
    ctx.checkpoint();
    const bytes = chunk.reduce((sum, r) => sum + (r.end - r.start), 0);
    await flash.erase(chunk, ctx.progress(done, total));
    done += bytes;
  }
  const kept =
    plan.preserveBytes > 0 ? `, kept ${formatBytes(plan.preserveBytes)} of existing data` : '';
  return {
    status: 'done',
    summary: `erased ${plan.sectors.length} sector${plan.sectors.length === 1 ? '' : 's'} (${formatBytes(plan.eraseBytes)})${kept}`,
    bytes: plan.eraseBytes,
    state: { erased: 'sectors', programImage, protection },
  };
}

function regionErasedValue(
  device: { flash: readonly { start: number; end: number; erasedValue: number }[] },
  address: number,
): number {
  return device.flash.find((r) => address >= r.start && address < r.end)?.erasedValue ?? 0xff;
}

function mergeAdjacent(ranges: readonly AddressRange[]): AddressRange[] {
  const out: AddressRange[] = [];
  for (const r of ranges) {
    const last = out.at(-1);
    if (last !== undefined && last.end === r.start)
      out[out.length - 1] = { start: last.start, end: r.end };
    else out.push(r);
  }
  return out;
}
