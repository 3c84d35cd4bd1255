import { setTimeout as sleep } from 'node:timers/promises';
import type { ProbeListing, TransportFactory } from '@flashwright/core/plugin';
import { boardOf, listProbes } from './batch.js';
import { runBoard, sharingImages, type BoardResult, type BoardRunContext } from './board-run.js';

export interface StationOptions {
  /** How often the probes and their target voltage are polled. */
  readonly pollMs: number;
  /** Boards programmed at once. */
  readonly jobs: number;
  /**
   * A probe whose target reads less than this has no board powered on it (the lowest
   * STM32 supply is 1.7 V, e.g. DS10314 STM32F411 section 6.3.1 VDD; the margin covers
   * probes that read a few tenths low).
   */
  readonly minimumVolts: number;
}

export const defaultStationOptions: StationOptions = { pollMs: 500, jobs: 8, minimumVolts: 1.5 };

/**
 * What the station knows of a probe: a board is being programmed on it, it was programmed
 * and is still there, or the probe is there with no powered board.
 */
type ProbeState = 'busy' | 'done' | 'unpowered';

/**
 * Station mode: waits for boards and programs each as it appears, until `ctx.signal` aborts.
 * A board appears when its probe is plugged in, or when target voltage appears on a probe
 * that stayed connected (the board was swapped on a fixture). A probe stays 'done' until it
 * is unplugged or its target voltage drops. On abort no new board starts, boards in
 * progress stop at their next safe point, and every result is returned.
 */
export async function runStation(
  ctx: BoardRunContext,
  transport: TransportFactory,
  options: StationOptions = defaultStationOptions,
): Promise<BoardResult[]> {
  ctx = sharingImages(ctx);
  const states = new Map<string, ProbeState>();
  const running = new Set<Promise<void>>();
  const results: BoardResult[] = [];
  let boards = 0;
  while (!ctx.signal.aborted) {
    let listings: readonly ProbeListing[] = [];
    try {
      listings = await listProbes(ctx.resolved, transport, ctx.signal);
    } catch {
      // USB hiccup or the signal: try again next poll
    }
    const present = new Map<string, { listing: ProbeListing; listIndex: number }>();
    listings.forEach((listing, listIndex) => {
      if (listing.usable && listing.serial !== undefined) {
        present.set(listing.serial, { listing, listIndex });
      }
    });
    for (const [serial, state] of states) {
      if (state !== 'busy' && !present.has(serial)) states.delete(serial);
    }
    for (const [serial, { listing, listIndex }] of present) {
      const state = states.get(serial);
      if (state === 'busy' || running.size >= options.jobs || ctx.signal.aborted) continue;
      const volts = await targetVolts(ctx, transport, serial);
      const powered = volts === undefined || volts >= options.minimumVolts;
      if (!powered) {
        states.set(serial, 'unpowered');
        continue;
      }
      if (state === 'done') continue;
      states.set(serial, 'busy');
      const board = boardOf(listing, listIndex, boards++);
      const job = runBoard(ctx, board).then((result) => {
        results.push(result);
        states.set(serial, 'done');
        running.delete(job);
      });
      running.add(job);
    }
    await sleep(options.pollMs, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
  await Promise.all(running);
  return results.sort((a, b) => a.board.index - b.board.index);
}

/** The probe's target voltage (undefined when the probe cannot tell or cannot be opened). */
async function targetVolts(
  ctx: BoardRunContext,
  transport: TransportFactory,
  serial: string,
): Promise<number | undefined> {
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined };
  try {
    const probe = await transport.open(
      {
        serial,
        options: ctx.resolved.recipe.probe.options,
        recipeDir: ctx.resolved.baseDir,
        log,
        targetDevice: ctx.resolved.recipe.target.device,
      },
      ctx.signal,
    );
    try {
      // A clone ST-Link does not sense the target's supply: it always reads 0 V.
      if (probe.warnings.some((w) => w.code === 'clone')) return undefined;
      return await probe.targetVoltage?.(ctx.signal);
    } finally {
      await probe.close();
    }
  } catch {
    return undefined;
  }
}
