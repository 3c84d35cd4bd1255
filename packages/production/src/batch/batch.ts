import { FlashwrightError } from '@flashwright/core';
import type { ProbeListing, TransportFactory } from '@flashwright/core/plugin';
import type { ResolvedRecipe } from '@flashwright/core/runner';
import {
  runBoard,
  sharingImages,
  type BoardRef,
  type BoardResult,
  type BoardRunContext,
} from './board-run.js';

/** Which probes a batch programs: all that are connected, named serials, or list positions. */
export type BoardSelection =
  | { readonly kind: 'all' }
  | { readonly kind: 'serials'; readonly serials: readonly string[] }
  | { readonly kind: 'indexes'; readonly indexes: readonly number[] };

/** The recipe's transport, and the probes it lists for the recipe. */
export async function listProbes(
  resolved: ResolvedRecipe,
  transport: TransportFactory,
  signal: AbortSignal,
): Promise<readonly ProbeListing[]> {
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined };
  return transport.list(signal, {
    options: resolved.recipe.probe.options,
    recipeDir: resolved.baseDir,
    log,
  });
}

/** The board of a listing: opened by its serial, or by its position when it has none. */
export function boardOf(listing: ProbeListing, listIndex: number, index: number): BoardRef {
  return listing.serial === undefined || listing.serial === ''
    ? { index, probe: `#${listIndex}`, open: { index: listIndex } }
    : { index, probe: listing.serial, open: { serial: listing.serial } };
}

/**
 * The boards a selection names among the listed probes. Named serials and positions that
 * are not connected are boards too: they fail with PROBE_NOT_FOUND like an unplugged board,
 * without stopping the others.
 */
export function selectBoards(
  listings: readonly ProbeListing[],
  selection: BoardSelection,
): BoardRef[] {
  const usable = listings
    .map((listing, listIndex) => ({ listing, listIndex }))
    .filter(({ listing }) => listing.usable);
  switch (selection.kind) {
    case 'all':
      return usable.map(({ listing, listIndex }, i) => boardOf(listing, listIndex, i));
    case 'serials':
      return selection.serials.map((serial, index) => ({ index, probe: serial, open: { serial } }));
    case 'indexes':
      return selection.indexes.map((listIndex, index) => {
        const listing = listings[listIndex];
        return listing === undefined
          ? { index, probe: `#${listIndex}`, open: { index: listIndex } }
          : boardOf(listing, listIndex, index);
      });
  }
}

/**
 * Programs the boards, at most `jobs` at a time, each through the whole recipe on its own:
 * one board's failure never stops another. After an interruption no new board starts; those
 * are reported as skipped.
 */
export async function runBatch(
  ctx: BoardRunContext,
  boards: readonly BoardRef[],
  jobs: number,
): Promise<BoardResult[]> {
  ctx = sharingImages(ctx);
  const results: BoardResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < boards.length) {
      const board = boards[next++]!;
      if (ctx.signal.aborted) {
        const skipped: BoardResult = {
          board,
          status: 'skipped',
          exitCode: 130,
          durationMs: 0,
          error: new FlashwrightError('INTERRUPTED', 'Not started: the batch was interrupted'),
        };
        ctx.emit(board, { type: 'board-end', result: skipped });
        results[board.index] = skipped;
        continue;
      }
      results[board.index] = await runBoard(ctx, board);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, boards.length)) }, worker));
  return results;
}

/**
 * The batch's exit code: the worst board's. "Worst" is the highest exit code, so an
 * interruption (130) outranks every failure, and among failures a verify mismatch (8)
 * outranks a flash failure (7), then target (5), probe (4), input (3), recipe (2) and
 * internal (1) errors; 0 only when every board passed.
 */
export function worstExitCode(results: readonly BoardResult[]): number {
  return results.reduce((worst, r) => Math.max(worst, r.exitCode), 0);
}

/** The result that sets the exit code (the first of the worst), or undefined when all passed. */
export function worstResult(results: readonly BoardResult[]): BoardResult | undefined {
  const worst = worstExitCode(results);
  return worst === 0 ? undefined : results.find((r) => r.exitCode === worst);
}
