import type { AddressRange } from '../image/address-range.js';
import type {
  Device,
  DeviceLayout,
  ProgressCallback,
  RunState,
  StepFlash,
  StepPlanContext,
  StepRunContext,
} from '../plugin/types.js';
import { flashAccessFor } from './flash-access.js';
import type { Session } from './session.js';
import { refusalOf } from './steps/confirm.js';
import { writeImageFile } from '../plugin/write-image.js';

/** Which step of the recipe a context is for. */
export interface StepSlot {
  readonly index: number;
  /** "erase", or the plugin step's id. */
  readonly id: string;
  /** "steps[2]". */
  readonly keyPath: string;
}

/** What a step's title, confirmation and plan see: the recipe, the image, the layout. */
export function planContext(
  session: Session,
  slot: StepSlot,
  layout?: DeviceLayout,
): StepPlanContext {
  return {
    recipe: session.recipe,
    step: { index: slot.index, keyPath: slot.keyPath },
    image: session.image,
    layout,
    log: session.log,
    force: session.options.force === true,
    refusal: (confirmation) =>
      refusalOf(
        confirmation,
        {
          keyPath: slot.keyPath,
          fromCommand: session.recipe.steps[slot.index]?.source?.kind === 'flag',
        },
        session.options,
      ),
  };
}

/**
 * What a running step gets, built-in or plugin alike: the device on demand, the flash by
 * route and journalled, progress events, safe points, confirmations, and the run state
 * keys it `reads`.
 */
export function runContext(
  session: Session,
  slot: StepSlot,
  reads: readonly (keyof RunState)[],
): StepRunContext {
  const plan = planContext(session, slot);
  const state: Partial<Record<keyof RunState, unknown>> = {};
  for (const key of reads) state[key] = session.state[key];
  return {
    ...plan,
    signal: session.signal,
    state: state as Partial<RunState>,
    connect: () => session.connect(),
    device: () => session.requireDevice(),
    probe: async () => {
      await session.requireDevice();
      return session.requireProbe();
    },
    flash: async () => stepFlash(session, await session.requireDevice()),
    progress: (offset, total) => session.progress(slot, offset, total),
    journal: (ranges, outcome, operation) => session.tracked(ranges, outcome, operation),
    writeImageFile: async (file, image) => {
      await writeImageFile(file, image, session.options.plugins);
    },
    checkpoint: () => session.checkpoint(),
    confirm: (confirmation) => {
      const refusal = plan.refusal(confirmation);
      if (refusal !== undefined) throw refusal;
    },
  };
}

/** The device's FlashAccess with the run's signal, recording erases and programs in the journal. */
function stepFlash(session: Session, device: Device): StepFlash {
  const access = flashAccessFor(device, session.requireProbe(), session.log);
  const { signal } = session;
  // Each range the device reports finished is settled in the journal as it goes.
  const journalling =
    (progress: ProgressCallback, outcome: 'erased' | 'written'): ProgressCallback =>
    (p) => {
      if (p.range !== undefined) session.journal[outcome](p.range);
      progress(p);
    };
  return {
    regions: access.flash,
    routes: async (ranges) => {
      const routes = await access.routesFor(ranges, signal);
      return new Map([...routes].map(([region, route]) => [region, route.kind]));
    },
    erase: (target, progress) => {
      const ranges: readonly AddressRange[] =
        target === 'mass' ? access.flash.map((r) => ({ start: r.start, end: r.end })) : target;
      return session.tracked(ranges, 'erased', () =>
        access.erase(target, journalling(progress, 'erased'), signal),
      );
    },
    program: (image, progress) =>
      session.tracked(image.ranges(), 'written', () =>
        access.program(image, journalling(progress, 'written'), signal),
      ),
    read: (address, length, progress) => access.read(address, length, progress, signal),
  };
}
