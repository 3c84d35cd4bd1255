import type { DapTransfer, DapTransferResult } from './ports.js';
import { blockSpans, bytesPerAccess, drwWord, type AccessRun } from './mem-ap-plan.js';
import { MemApRegister } from './registers.js';
import type { SwDp } from './sw-dp.js';

/**
 * One wire call of a memory transfer: `setup` (SELECT, CSW, TAR writes) then `count` DRW
 * accesses of `run` from access `first`. A call with setup goes as `transfer`; one without as
 * `readBlock` / `writeBlock`.
 */
export interface MemCall {
  readonly run: AccessRun;
  readonly first: number;
  readonly count: number;
  readonly setup: readonly DapTransfer[];
}

export interface CallOutcome {
  readonly call: MemCall;
  readonly result: DapTransferResult;
}

/** DRW accesses of a call that completed (its setup transactions come first). */
export function dataDone(outcome: CallOutcome): number {
  return Math.max(
    0,
    Math.min(outcome.call.count, outcome.result.completed - outcome.call.setup.length),
  );
}

/** Offset into the transfer's buffer of access `index` of the call's run. */
export function callOffset(call: MemCall, index: number): number {
  return call.run.offset + (call.first + index) * bytesPerAccess(call.run);
}

export function callAddress(call: MemCall, index: number): number {
  return call.run.address + (call.first + index) * bytesPerAccess(call.run);
}

/** What the MEM-AP port needs to plan calls: the SW-DP, the AP and its CSW per run. */
export interface CallPlanner {
  readonly dp: SwDp;
  readonly apsel: number;
  cswFor(run: AccessRun): number;
}

/**
 * The wire calls of a transfer, planned as they are taken (SELECT and CSW are written only
 * where the DP's caches say they differ). TAR is written at the start of every 1 KB block;
 * the call that writes it carries as many DRW accesses as `transfer` takes, the rest of the
 * block goes in `readBlock` / `writeBlock` calls of up to `maxBlockWords`.
 */
export function* memCalls(planner: CallPlanner, runs: readonly AccessRun[]): Generator<MemCall> {
  const { dp, apsel } = planner;
  const { maxTransfers, maxBlockWords } = dp.wire.limits;
  for (const run of runs) {
    const csw = planner.cswFor(run);
    for (const span of blockSpans(run)) {
      const address = run.address + span.first * bytesPerAccess(run);
      const setup: DapTransfer[] = [...dp.selectAp(apsel, MemApRegister.CSW)];
      if (dp.cswCache.get(apsel) !== csw) {
        setup.push({ port: 'ap', register: MemApRegister.CSW, value: csw });
        dp.cswCache.set(apsel, csw);
      }
      setup.push({ port: 'ap', register: MemApRegister.TAR, value: address >>> 0 });
      let first = span.first;
      const end = span.first + span.count;
      const withSetup = Math.min(end - first, Math.max(0, maxTransfers - setup.length));
      yield { run, first, count: withSetup, setup };
      first += withSetup;
      while (first < end) {
        const count = Math.min(end - first, maxBlockWords);
        yield { run, first, count, setup: [] };
        first += count;
      }
    }
  }
}

/** Issues one call: `data` holds the bytes of a write, undefined for a read. */
export function issueCall(
  dp: SwDp,
  call: MemCall,
  data: Uint8Array | undefined,
  signal: AbortSignal | undefined,
): Promise<DapTransferResult> {
  const words = (): number[] =>
    Array.from({ length: call.count }, (_, i) =>
      drwWord(call.run, call.first + i, data ?? new Uint8Array()),
    );
  if (call.setup.length > 0) {
    const drw: DapTransfer[] =
      data === undefined
        ? Array.from({ length: call.count }, () => ({ port: 'ap', register: MemApRegister.DRW }))
        : words().map((value) => ({ port: 'ap', register: MemApRegister.DRW, value }));
    return dp.transfer([...call.setup, ...drw], signal);
  }
  if (data === undefined) return dp.wire.readBlock('ap', MemApRegister.DRW, call.count, signal);
  return dp.wire.writeBlock('ap', MemApRegister.DRW, Uint32Array.from(words()), signal);
}

/** How a pipelined transfer ended. */
export interface PipelineEnd {
  /** The calls that completed, in order, up to the first that did not. */
  readonly completed: readonly CallOutcome[];
  /** The first call that did not complete, and the calls issued after it. */
  readonly failed?: { readonly outcome: CallOutcome; readonly later: readonly CallOutcome[] };
}

type Settled = { readonly result: DapTransferResult } | { readonly error: unknown };

/**
 * Runs the calls with up to `window` of them in flight (the wire completes them in order).
 * `beforeIssue` runs before each call is issued, with the call issued before it (progress,
 * abort); it may throw to stop: then no later call is issued, the calls in flight are waited
 * for and its error is thrown, unless one of them failed. Calls after the first that fails
 * are not issued; those already in flight are waited for and returned as `later`. A call the
 * wire rejects (USB) ends it all: the calls in flight are waited for, then that error is
 * thrown.
 */
export async function runPipeline(
  calls: Iterator<MemCall>,
  window: number,
  issue: (call: MemCall) => Promise<DapTransferResult>,
  beforeIssue: (previous: MemCall | undefined) => void,
  onCompleted: (outcome: CallOutcome) => void,
): Promise<PipelineEnd> {
  const pending: { call: MemCall; settled: Promise<Settled> }[] = [];
  const completed: CallOutcome[] = [];
  const later: CallOutcome[] = [];
  let previous: MemCall | undefined;
  let failed: CallOutcome | undefined;
  let wireError: { error: unknown } | undefined;
  let stop: { error: unknown } | undefined;
  let exhausted = false;
  const issuing = (): boolean =>
    !exhausted && failed === undefined && wireError === undefined && stop === undefined;
  for (;;) {
    while (issuing() && pending.length < Math.max(1, window)) {
      try {
        beforeIssue(previous);
      } catch (error) {
        stop = { error };
        break;
      }
      const next = calls.next();
      if (next.done === true) {
        exhausted = true;
        break;
      }
      const call = next.value;
      previous = call;
      let settled: Promise<Settled>;
      try {
        settled = issue(call).then(
          (result): Settled => ({ result }),
          (error: unknown): Settled => ({ error }),
        );
      } catch (error) {
        settled = Promise.resolve({ error });
      }
      pending.push({ call, settled });
    }
    const head = pending.shift();
    if (head === undefined) break;
    const settled = await head.settled;
    if ('error' in settled) {
      wireError ??= { error: settled.error };
      continue;
    }
    const outcome = { call: head.call, result: settled.result };
    if (wireError !== undefined) continue;
    if (failed !== undefined) later.push(outcome);
    else if (settled.result.ack !== 'ok') failed = outcome;
    else {
      completed.push(outcome);
      onCompleted(outcome);
    }
  }
  if (wireError !== undefined) throw wireError.error;
  if (failed !== undefined) return { completed, failed: { outcome: failed, later } };
  if (stop !== undefined) throw stop.error;
  return { completed };
}
