import type { RecipeStep } from '../../config/recipe.js';
import { MASS_ERASE_CONFIRMATION } from '../../config/steps-schema.js';
import type { AddressRange } from '../../image/address-range.js';
import { flashAccessFor } from '../flash-access.js';
import { chunkRanges, planFlash } from '../flash-plan.js';
import type { Session } from '../session.js';
import { formatBytes, formatRanges } from '../units-text.js';
import { ensureInsideFlash } from './checks.js';
import { confirmationRequired, isConfirmed } from './confirm.js';
import { ensureNotWriteProtected, ensureUnprotected } from './protection.js';
import type { StepHandler, StepOutcome, StepRef } from './step-handler.js';

type EraseStep = Extract<RecipeStep, { id: 'erase' }>;

/** Sectors per device call: the pipeline can stop between calls (Ctrl-C). */
const ERASE_CHUNK_BYTES = 32 * 1024;

export const eraseStep: StepHandler<EraseStep> = {
  title: (step) =>
    step.mode === 'mass'
      ? 'Mass erase'
      : step.mode === 'none'
        ? 'Erase: none'
        : 'Erase touched sectors',
  plan: (step, ctx) => {
    if (step.mode === 'none')
      return { destructive: false, lines: ['no erase (the flash must already be erased)'] };
    const confirmed = isConfirmed(step.confirmed, MASS_ERASE_CONFIRMATION, ctx);
    if (step.mode === 'mass') {
      return {
        destructive: true,
        confirmed,
        lines: [
          'erase the whole flash',
          confirmed
            ? 'confirmed'
            : `needs confirmation: confirm: ${MASS_ERASE_CONFIRMATION} in the step, or --yes`,
        ],
        refusal: confirmed
          ? undefined
          : confirmationRequired(step.keyPath, 'mass-erase the flash', MASS_ERASE_CONFIRMATION),
      };
    }
    const image = ctx.image;
    if (image === undefined)
      return { destructive: false, lines: ['erase the sectors the image touches (no image)'] };
    if (ctx.layout === undefined) {
      return {
        destructive: false,
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
    if (plan.preserveBytes > 0 && writeFollows(ctx.recipe.steps, step)) {
      lines.push(
        `keep ${formatBytes(plan.preserveBytes)} of existing data in partly covered sectors (read before erase, written back): ${formatRanges(plan.preserve)}`,
      );
    }
    return { destructive: false, lines, bytes: plan.eraseBytes };
  },
  run: (step, session, ref) =>
    step.mode === 'mass'
      ? massErase(step, session, ref)
      : step.mode === 'auto'
        ? eraseTouched(session, ref, writeFollows(session.recipe.steps, step))
        : Promise.resolve({ status: 'skipped', summary: 'erase: none' }),
};

async function massErase(step: EraseStep, session: Session, ref: StepRef): Promise<StepOutcome> {
  if (!isConfirmed(step.confirmed, MASS_ERASE_CONFIRMATION, session.options)) {
    throw confirmationRequired(step.keyPath, 'mass-erase the flash', MASS_ERASE_CONFIRMATION);
  }
  const device = await session.requireDevice();
  await ensureUnprotected(session, device);
  const access = flashAccessFor(device, session.requireProbe(), session.log);
  const all = access.flash.map((r) => ({ start: r.start, end: r.end }));
  const total = all.reduce((sum, r) => sum + (r.end - r.start), 0);
  session.checkpoint();
  await session.tracked(all, 'erased', () =>
    access.erase('mass', session.progress(ref, 0, total), session.signal),
  );
  session.erased = 'all';
  session.programImage = session.image;
  return { status: 'done', summary: `erased all ${formatBytes(total)}`, bytes: total };
}

/**
 * Partly covered sectors are preserved only when a write step follows to put the bytes
 * back; an erase-only recipe erases whole sectors and says so.
 */
function writeFollows(steps: readonly RecipeStep[], step: EraseStep): boolean {
  return steps.slice(steps.indexOf(step) + 1).some((s) => s.id === 'write');
}

async function eraseTouched(
  session: Session,
  ref: StepRef,
  preserve: boolean,
): Promise<StepOutcome> {
  const image = session.requireImage('erase: auto');
  const device = await session.requireDevice();
  const state = await ensureUnprotected(session, device);
  ensureInsideFlash(image, device.flash, device.name);
  if (session.erased === 'all') {
    session.programImage = image;
    return { status: 'skipped', summary: 'the flash is already erased (mass erase or unprotect)' };
  }
  // The probe's flash driver, where it erases, has its own erase blocks: plan with those.
  const access = flashAccessFor(device, session.requireProbe(), session.log);
  const full = planFlash(image, access.flash);
  const plan = preserve ? full : { ...full, preserve: [], preserveBytes: 0 };
  ensureNotWriteProtected(state, plan.sectors, device);
  const total = plan.preserveBytes + plan.eraseBytes;

  // Partly covered sectors keep their other bytes: read them now, write them back later.
  let done = 0;
  const programImage = await image.fillGaps([...plan.sectors], async (gap) => {
    if (!preserve)
      return new Uint8Array(gap.end - gap.start).fill(regionErasedValue(device, gap.start));
    session.checkpoint();
    const length = gap.end - gap.start;
    const data = await access.read(
      gap.start,
      length,
      session.progress(ref, done, total),
      session.signal,
    );
    done += length;
    return data;
  });

  for (const chunk of chunkRanges(plan.sectors, ERASE_CHUNK_BYTES)) {
    session.checkpoint();
    const bytes = chunk.reduce((sum, r) => sum + (r.end - r.start), 0);
    await session.tracked(chunk, 'erased', () =>
      access.erase(chunk, session.progress(ref, done, total, 'erased'), session.signal),
    );
    done += bytes;
  }
  session.erased = 'sectors';
  session.programImage = programImage;
  const kept =
    plan.preserveBytes > 0 ? `, kept ${formatBytes(plan.preserveBytes)} of existing data` : '';
  return {
    status: 'done',
    summary: `erased ${plan.sectors.length} sector${plan.sectors.length === 1 ? '' : 's'} (${formatBytes(plan.eraseBytes)})${kept}`,
    bytes: plan.eraseBytes,
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
