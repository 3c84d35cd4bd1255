import { createHash } from 'node:crypto';
import { FlashwrightError, isFlashwrightError } from '@flashwright/core';
import type { FlashImage } from '@flashwright/core/image';
import type {
  ImageLoader,
  JournalSummary,
  PipelineEvent,
  PluginSet,
  ResolvedRecipe,
} from '@flashwright/core/runner';
import { Pipeline, reusingImageLoader } from '@flashwright/core/runner';
import type { ProductionStore } from '../store/types.js';
import type { BoardData, BoardSerial } from './board-data.js';

/** Which board a batch event is about: its place in the batch and its probe's serial. */
export interface BoardRef {
  /** Place in the batch, from 0. */
  readonly index: number;
  /** The probe's serial number, or without one its position in the transport's list ("#3"). */
  readonly probe: string;
  /** How the probe is opened: by serial, else by its position in the list. */
  readonly open: { readonly serial: string } | { readonly index: number };
}

/** The chip of a board is known: its unique ID, device and serial number. */
export interface BoardIdentifiedEvent {
  readonly type: 'board-identified';
  readonly chipUid: string | undefined;
  readonly device: string;
  readonly serial: string | undefined;
  /** The chip had this serial already (a rerun of the board). */
  readonly reused: boolean;
}

export type BoardEvent =
  | PipelineEvent
  | { readonly type: 'board-start' }
  | BoardIdentifiedEvent
  | { readonly type: 'board-end'; readonly result: BoardResult };

export type BatchEventSink = (board: BoardRef, event: BoardEvent) => void;

/** How one board ended. */
export interface BoardResult {
  readonly board: BoardRef;
  /** 'skipped': never started (the batch was interrupted first). */
  readonly status: 'pass' | 'fail' | 'interrupted' | 'skipped';
  /** The exit code the board alone would have given (0 for a pass). */
  readonly exitCode: number;
  readonly chipUid?: string | undefined;
  readonly device?: string | undefined;
  readonly serial?: string | undefined;
  readonly durationMs: number;
  readonly error?: FlashwrightError | undefined;
  /** The flash journal of a failure: erased, written and unknown ranges. */
  readonly journal?: JournalSummary | undefined;
  /** The attempt's row in the production log. */
  readonly attemptId?: number | undefined;
}

/** What every board of a batch shares. */
export interface BoardRunContext {
  readonly resolved: ResolvedRecipe;
  /** A fresh plugin set per board: each pipeline loads and binds its own. */
  readonly plugins: () => PluginSet;
  readonly store: ProductionStore;
  readonly boardData: BoardData;
  readonly station: string;
  readonly signal: AbortSignal;
  readonly yes: boolean;
  readonly confirmPhrases?: readonly string[] | undefined;
  readonly force?: boolean | undefined;
  readonly emit: BatchEventSink;
  /** Loads the recipe's images; its boards share one reusingImageLoader() when not given. */
  readonly loadImages?: ImageLoader | undefined;
}

/** The context with one image loader for all its boards (see reusingImageLoader). */
export function sharingImages(ctx: BoardRunContext): BoardRunContext {
  return ctx.loadImages === undefined ? { ...ctx, loadImages: reusingImageLoader() } : ctx;
}

/** Steps before which the board's data must be in the image. */
const IMAGE_STEPS = new Set(['erase', 'write', 'verify']);

/**
 * Runs the whole recipe on one board: connect, read the chip's unique ID, allocate (or find
 * again) its serial, lay the per-board data over the image, then the remaining steps; logs
 * the attempt whatever happens. Never throws: a failure is the board's result.
 */
export async function runBoard(ctx: BoardRunContext, board: BoardRef): Promise<BoardResult> {
  const started = performance.now();
  const durationsMs: Record<string, number> = {};
  const emit = (event: BoardEvent): void => {
    if (event.type === 'step-end')
      durationsMs[event.id] = (durationsMs[event.id] ?? 0) + event.durationMs;
    ctx.emit(board, event);
  };
  emit({ type: 'board-start' });
  let pipeline: Pipeline | undefined;
  let identity: Identity | undefined;
  /** What is known of the chip before its serial is (the log row of a failed allocation). */
  const chip: Partial<Identity> = {};
  let attemptId: number | undefined;
  let failure: FlashwrightError | undefined;
  try {
    pipeline = await Pipeline.prepare({
      resolved: withProbe(ctx.resolved, board),
      plugins: ctx.plugins(),
      emit,
      signal: ctx.signal,
      yes: ctx.yes,
      confirmPhrases: ctx.confirmPhrases,
      force: ctx.force,
      loadImages: ctx.loadImages,
    });
    const prepared = pipeline;
    const identify = async (): Promise<void> => {
      identity = await personalise(ctx, prepared, chip);
      attemptId = await startAttempt(ctx, board, identity, prepared.image);
      emit(identified(identity));
    };
    for (const step of pipeline.steps) {
      if (identity === undefined && IMAGE_STEPS.has(step.id)) await identify();
      await pipeline.runStep(step.index);
    }
    // A recipe that programs nothing still identifies and logs the board.
    if (identity === undefined) await identify();
  } catch (error) {
    failure = asFlashwrightError(error, ctx.signal);
  } finally {
    await pipeline?.close().catch(() => undefined);
  }
  const journal =
    failure === undefined
      ? undefined
      : ((failure.details?.journal as JournalSummary | undefined) ?? pipeline?.result().journal);
  try {
    attemptId ??= await startAttempt(ctx, board, identity ?? chip, pipeline?.image);
    await ctx.store.finishAttempt(attemptId, {
      result: failure === undefined ? 'pass' : 'fail',
      errorCode: failure?.code,
      exitCode: failure?.exitCode ?? 0,
      durationsMs,
      journal:
        journal === undefined
          ? undefined
          : { erased: journal.erased, written: journal.written, unknown: journal.unknown },
    });
  } catch (error) {
    // A board whose attempt could not be logged is not a pass: the record is the product.
    failure ??= asFlashwrightError(error, ctx.signal);
  }
  const result: BoardResult = {
    board,
    status:
      failure === undefined ? 'pass' : failure.code === 'INTERRUPTED' ? 'interrupted' : 'fail',
    exitCode: failure?.exitCode ?? 0,
    chipUid: identity?.chipUid ?? chip.chipUid,
    device: identity?.device ?? chip.device,
    serial: identity?.serial?.text,
    durationMs: Math.round(performance.now() - started),
    error: failure,
    journal,
    attemptId,
  };
  emit({ type: 'board-end', result });
  return result;
}

interface Identity {
  readonly chipUid: string | undefined;
  readonly device: string;
  readonly serial: BoardSerial | undefined;
  readonly reused: boolean;
}

function identified(identity: Identity): BoardIdentifiedEvent {
  return {
    type: 'board-identified',
    chipUid: identity.chipUid,
    device: identity.device,
    serial: identity.serial?.text,
    reused: identity.reused,
  };
}

/** Reads the chip's UID, allocates its serial and lays the board's data over the image. */
async function personalise(
  ctx: BoardRunContext,
  pipeline: Pipeline,
  chip: { chipUid?: string | undefined; device?: string },
): Promise<Identity> {
  const device = await pipeline.connect();
  chip.device = device.name;
  const chipUid =
    device.uniqueId === undefined
      ? undefined
      : Buffer.from(await device.uniqueId(ctx.signal)).toString('hex');
  chip.chipUid = chipUid;
  const pool = ctx.boardData.serialPool;
  let serial: BoardSerial | undefined;
  let reused = false;
  if (pool !== undefined) {
    if (chipUid === undefined) {
      throw new FlashwrightError(
        'COMMAND_UNAVAILABLE',
        `The unique ID of ${device.name} cannot be read, so no serial number can be bound to it`,
        { hint: 'Serial numbers need a family that reads the chip’s unique ID (stm32 does).' },
      );
    }
    const allocated = await ctx.store.allocateSerial({
      pool: pool.pool,
      chipUid,
      station: ctx.station,
      reuseVoided: pool.reuseVoided,
    });
    serial = ctx.boardData.serialOf(allocated.sequence);
    reused = allocated.reused;
  }
  const patch = ctx.boardData.patchFor(serial);
  if (!patch.isEmpty) pipeline.overlayImage(patch);
  return { chipUid, device: device.name, serial, reused };
}

function startAttempt(
  ctx: BoardRunContext,
  board: BoardRef,
  identity: Partial<Identity> | undefined,
  image: FlashImage | undefined,
): Promise<number> {
  const pool = ctx.boardData.serialPool;
  return ctx.store.startAttempt({
    station: ctx.station,
    probe: board.probe,
    chipUid: identity?.chipUid,
    device: identity?.device,
    imageSha256: imageSha256(image),
    pool: identity?.serial === undefined ? undefined : pool?.pool,
    sequence: identity?.serial?.sequence,
    serialText: identity?.serial?.text,
    recipe: ctx.resolved.file,
  });
}

/**
 * SHA-256 of an image as programmed: for each block in address order, its start address and
 * its length (u32 little endian each), then its bytes. Two images hash alike exactly when
 * they put the same bytes at the same addresses.
 */
export function imageSha256(image: FlashImage | undefined): string {
  const hash = createHash('sha256');
  for (const [address, data] of image?.blocks ?? []) {
    const header = Buffer.alloc(8);
    header.writeUInt32LE(address, 0);
    header.writeUInt32LE(data.length, 4);
    hash.update(header).update(data);
  }
  return hash.digest('hex');
}

/** The recipe aimed at one board's probe. */
function withProbe(resolved: ResolvedRecipe, board: BoardRef): ResolvedRecipe {
  const probe = {
    ...resolved.recipe.probe,
    serial: 'serial' in board.open ? board.open.serial : undefined,
    index: 'index' in board.open ? board.open.index : undefined,
  };
  return { ...resolved, recipe: { ...resolved.recipe, probe } };
}

function asFlashwrightError(error: unknown, signal: AbortSignal): FlashwrightError {
  if (isFlashwrightError(error)) return error;
  if (signal.aborted) return new FlashwrightError('INTERRUPTED', 'Interrupted', { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new FlashwrightError('INTERNAL', `Unexpected error: ${message}`, { cause: error });
}
