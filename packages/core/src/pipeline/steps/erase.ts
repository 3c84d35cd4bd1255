import {
  builtinStepDescription,
  MASS_ERASE_CONFIRMATION,
  parseBuiltinOptions,
  type CompareMode,
  type EraseMode,
} from '../../config/steps-schema.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import { chunkRanges, planSectors, type SectorPlan } from '../../flash/planner.js';
import { mergeRanges, subtractRanges } from '../../image/address-range.js';
import { FlashImage } from '../../image/flash-image.js';
import type {
  StepDefinition,
  StepOutcome,
  StepPlanContext,
  StepRunContext,
} from '../../plugin/types.js';
import { formatBytes, formatRanges, plural, totalBytes } from '../../image/units-text.js';
import { MemoryOnlyDevice } from '../memory-device.js';
import { ensureInsideFlash, optionsOrigin } from './checks.js';
import {
  eraseSelection,
  parseSelection,
  planSelection,
  selectionTitle,
  type EraseSelection,
} from './erase-selection.js';
import { ensureNotWriteProtected, ensureUnprotected } from './protection.js';
import { compareModeText } from './compare-method.js';
import { compareSectors, readRanges } from './sector-compare.js';

export interface EraseOptions {
  /** `sectors`: the step names sectors or ranges (`selection`). */
  readonly mode: EraseMode | 'sectors';
  readonly selection?: EraseSelection | undefined;
  /** `confirm: mass-erase` in the step. */
  readonly confirmed: boolean;
  /** `force: true`: rewrite every touched sector, as --force does. */
  readonly force: boolean;
  /** `compare`: how touched sectors are compared with the image (default auto). */
  readonly compare: CompareMode;
}

/** Sectors per device call, and bytes per read: the pipeline can stop between calls (Ctrl-C). */
const ERASE_CHUNK_BYTES = 32 * 1024;

export const eraseStep: StepDefinition<EraseOptions> = {
  id: 'erase',
  description: builtinStepDescription('erase'),
  reads: ['erased', 'protection'],
  writes: ['erased', 'programImage', 'protection', 'unchanged'],
  parseOptions: (raw, at) => {
    const o = parseBuiltinOptions('erase', raw, at.keyPath);
    if (typeof o === 'string') return { mode: o, confirmed: false, force: false, compare: 'auto' };
    const selection = o === null ? undefined : parseSelection(o, optionsOrigin(at));
    if (selection !== undefined)
      return { mode: 'sectors', selection, confirmed: false, force: false, compare: 'auto' };
    return {
      mode: o?.mode ?? 'auto',
      confirmed: o?.confirm === MASS_ERASE_CONFIRMATION,
      force: o?.force === true,
      compare: o?.compare ?? 'auto',
    };
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
    options.selection !== undefined
      ? selectionTitle(options.selection)
      : options.mode === 'mass'
        ? 'Mass erase'
        : options.mode === 'none'
          ? 'Erase: none'
          : 'Erase touched sectors',
  plan: (ctx, options) => {
    if (options.selection !== undefined) return planSelection(options.selection, ctx.layout);
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
    const plan = planSectors(image, ctx.layout.flash);
    const sectors = plan.sectors.map((s) => s.range);
    const lines = [
      `erase ${plural(sectors.length, 'sector')} (${formatBytes(plan.eraseBytes)}): ${formatRanges(mergeRanges(sectors))}`,
    ];
    if (compares(ctx, options)) {
      lines.push(
        `first compare them with the image ${compareModeText(options.compare, 'them')}: sectors that already hold the image are neither erased nor written (--force rewrites them)`,
      );
    }
    if (plan.keepBytes > 0 && writeFollows(ctx)) {
      const keep = plan.sectors.flatMap((s) => s.keep);
      lines.push(
        `keep ${formatBytes(plan.keepBytes)} of existing data in partly covered sectors (read before erase, written back): ${formatRanges(keep)}`,
      );
    }
    return { lines, bytes: plan.eraseBytes };
  },
  run: (ctx, options) =>
    options.selection !== undefined
      ? eraseSelection(ctx, options.selection, ERASE_CHUNK_BYTES)
      : options.mode === 'mass'
        ? massErase(ctx)
        : options.mode === 'auto'
          ? eraseTouched(ctx, options)
          : Promise.resolve({ status: 'skipped', summary: 'erase: none' }),
};

/** The runner has checked the confirmation. */
async function massErase(ctx: StepRunContext): Promise<StepOutcome> {
  const device = await ctx.device();
  // Its flash is only what the image covers: erasing that would be no mass erase.
  if (device instanceof MemoryOnlyDevice)
    throw device.notIdentified('mass-erase (the size of the flash is unknown)');
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

/**
 * Incremental flashing (J-Flash's "skip unchanged sectors"): with a write to follow and
 * neither `force` nor --force, each touched sector is read back and compared first.
 */
function compares(ctx: StepPlanContext, options: EraseOptions): boolean {
  return writeFollows(ctx) && !options.force && !ctx.force;
}

async function eraseTouched(ctx: StepRunContext, options: EraseOptions): Promise<StepOutcome> {
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
  const plan = planSectors(image, flash.regions);
  ensureNotWriteProtected(
    protection,
    plan.sectors.map((s) => s.range),
    device,
  );
  const preserve = writeFollows(ctx);
  const compared = compares(ctx, options)
    ? await compareSectors(ctx, device, flash, plan.sectors, image, options.compare)
    : undefined;
  const unchanged = compared?.unchanged ?? [];
  const changed = plan.sectors.filter((s) => !unchanged.includes(s));
  // The bytes to keep in the sectors to be erased, where the compare did not read them.
  const toRead = preserve
    ? subtractRanges(
        changed.flatMap((s) => s.keep),
        compared?.current.ranges() ?? [],
      )
    : [];
  const readBytes = totalBytes(toRead);
  const changedRanges = changed.map((s) => s.range);
  const erasedBytes = totalBytes(changedRanges);
  const kept = await readRanges(ctx, flash, toRead, readBytes + erasedBytes);
  const current = FlashImage.from([...(compared?.current.blocks ?? []), ...kept.blocks]);
  const programImage = await imageToProgram(image, changed, current, preserve);

  let done = readBytes;
  for (const chunk of chunkRanges(changedRanges, ERASE_CHUNK_BYTES)) {
    ctx.checkpoint();
    await flash.erase(chunk, ctx.progress(done, readBytes + erasedBytes));
    done += totalBytes(chunk);
  }
  const keptBytes = preserve ? totalBytes(changed.flatMap((s) => s.keep)) : 0;
  const unchangedBytes = totalBytes(unchanged.map((s) => s.range));
  const parts = [
    changed.length === 0
      ? 'erased nothing'
      : `erased ${plural(changed.length, 'sector')} (${formatBytes(erasedBytes)})`,
    ...(keptBytes > 0 ? [`kept ${formatBytes(keptBytes)} of existing data`] : []),
    ...(unchanged.length > 0
      ? [
          `${plural(unchanged.length, 'sector')} (${formatBytes(unchangedBytes)}) already ${unchanged.length === 1 ? 'holds' : 'hold'} the image: left untouched`,
        ]
      : []),
    ...(compared === undefined
      ? []
      : [
          compared.method === 'crc'
            ? `compared by CRC-32 on the chip${compared.readBytes > 0 ? ` (${formatBytes(compared.readBytes)} read back)` : ''}`
            : `compared by reading back ${formatBytes(compared.readBytes)}`,
        ]),
  ];
  return {
    status: changed.length === 0 ? 'skipped' : 'done',
    summary: parts.join(', '),
    bytes: erasedBytes,
    counts: {
      erasedSectors: changed.length,
      unchangedSectors: unchanged.length,
      comparedBytes: compared?.comparedBytes ?? 0,
      // Through the probe: the compare's readback and the bytes kept.
      readBytes: (compared?.readBytes ?? 0) + readBytes,
      crcBytes: compared?.crcBytes ?? 0,
    },
    state: {
      erased: 'sectors',
      programImage,
      protection,
      unchanged: unchanged.map((s) => s.range),
    },
  };
}

/**
 * What the write step programs: the image in the sectors being erased, with the rest of
 * each such sector kept from `current` (or left erased when no write follows). Sectors
 * that already hold the image are left out.
 */
function imageToProgram(
  image: FlashImage,
  changed: readonly SectorPlan[],
  current: FlashImage,
  preserve: boolean,
): Promise<FlashImage> {
  const ranges = changed.map((s) => s.range);
  const inChanged = FlashImage.from(
    ranges.flatMap((r) => [...image.slice(r).blocks]),
    { entryPoint: image.entryPoint },
  );
  return inChanged.fillGaps(ranges, (gap) => {
    const erasedValue = changed.find((s) => gap.start >= s.range.start && gap.start < s.range.end)
      ?.region.erasedValue;
    return preserve
      ? current.read(gap.start, gap.end - gap.start)
      : new Uint8Array(gap.end - gap.start).fill(erasedValue ?? 0xff);
  });
}
