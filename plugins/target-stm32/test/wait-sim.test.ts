/**
 * SWD WAIT bursts of 1 to 64 responses while flash is programmed, on simulated chips behind
 * the real ST-Link transport: L151 (128-byte half-pages), F411 (PSIZE words), L476 (double
 * words), and F103 and H743 more briefly. Each run ends in a write that reads back right, or
 * in a clear report (FLASH_INTERRUPTED, or TARGET_NO_RESPONSE when the burst outlasts every
 * retry) after which a rerun on the same board completes. Never a flash error flag from data
 * sent twice (PGAERR, PROGERR, ...), never a hint that calls it a bug.
 *
 * The simulated probe reports every WAIT the target gives to the host, stopping the transfer
 * at that access, and GETLASTRWSTATUS2 names it (packages/sim swd-master.ts).
 *
 * These are tests of the host-driven write path (`flash.loader: host`); the L0/L1 RAM loader
 * writes only SRAM, which may be sent again (loader-fallback-sim.test.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { isFlashwrightError } from '@flashwright/core';
import { bytesEqual } from '@flashwright/core/image';
import { imageAt, noProgress, pattern, simRig, type SimRig } from './helpers/sim-rig.js';

const FLASH = 0x08000000;
const DATA = pattern(8192, 7);
/** The driver's retry count, without its back-off sleeps. */
const RETRIES = { retries: 8, firstDelayMs: 0 };
const BURSTS = [1, 2, 3, 8, 16, 31, 32, 64];
/** Where in the programming a burst starts, as a fraction of its AP accesses. */
const POSITIONS = [0.13, 0.41, 0.67, 0.93];
const FLAGS = /PGAERR|PROGERR|PGSERR|PGERR|SIZERR|STRBERR|INCERR|NOTZEROERR/;

interface Board {
  readonly device: string;
  readonly firmware?: string;
}

async function eraseAndProgram(rig: SimRig): Promise<void> {
  const device = await rig.identify({ loader: 'host' });
  const sectors = device.flash[0]!.sectors.filter((s) => s.start < FLASH + DATA.length);
  await device.erase(sectors, noProgress);
  await device.program(imageAt(FLASH, DATA), noProgress);
}

async function readsBack(rig: SimRig): Promise<boolean> {
  return bytesEqual(await rig.probe.memory.read(FLASH, DATA.length), DATA);
}

function rig(board: Board, state: string, atAccess?: number, count = 0): Promise<SimRig> {
  return simRig({
    device: board.device,
    state,
    waitRetry: RETRIES,
    ...(board.firmware ? { firmware: board.firmware } : {}),
    ...(atAccess === undefined ? {} : { faults: [{ kind: 'swd-wait', atAccess, count }] }),
  });
}

/** The AP accesses that programming DATA takes on a fresh board (the sim is deterministic). */
async function programWindow(board: Board): Promise<{ first: number; last: number }> {
  const r = await rig(board, join(mkdtempSync(join(tmpdir(), 'fw-wait-')), 'board.json'));
  try {
    const device = await r.identify({ loader: 'host' });
    const sectors = device.flash[0]!.sectors.filter((s) => s.start < FLASH + DATA.length);
    await device.erase(sectors, noProgress);
    const first = r.session.stats().apAccesses + 1;
    await device.program(imageAt(FLASH, DATA), noProgress);
    return { first, last: r.session.stats().apAccesses };
  } finally {
    await r.close();
  }
}

interface Outcome {
  readonly error?: unknown;
  /** A resume after a partial write was logged ("sending it again": a dropped partial unit). */
  readonly resumed: boolean;
  readonly restartedUnit: boolean;
}

/**
 * One burst: erase and program with the fault, then check the flash (on success) or run the
 * same again on a new session over the board's state file without the fault (on failure),
 * as a second `flashwright run` would.
 */
async function burst(
  t: ExecutionContext,
  board: Board,
  atAccess: number,
  count: number,
): Promise<Outcome> {
  const what = `${board.device} burst of ${count} at access ${atAccess}`;
  const state = join(mkdtempSync(join(tmpdir(), 'fw-wait-')), 'board.json');
  const faulty = await rig(board, state, atAccess, count);
  let error: unknown;
  try {
    await eraseAndProgram(faulty);
  } catch (caught) {
    error = caught;
  }
  const lines = faulty.log.lines.filter((l) => /Programming: the target stayed busy/.test(l));
  const outcome = {
    error,
    resumed: lines.length > 0,
    restartedUnit: lines.some((l) => /sending it again/.test(l)),
  };
  if (error === undefined) {
    t.true(await readsBack(faulty), `${what}: the flash reads back the image`);
    await faulty.close();
    return outcome;
  }
  await faulty.close();
  if (!isFlashwrightError(error)) {
    t.fail(`${what}: ${error instanceof Error ? error.stack : 'not an Error'}`);
    return outcome;
  }
  t.true(
    ['FLASH_INTERRUPTED', 'TARGET_NO_RESPONSE'].includes(error.code),
    `${what}: ${error.code}`,
  );
  t.notRegex(error.message, FLAGS, `${what}: no flash error flag`);
  t.notRegex(error.hint ?? '', /bug/i, `${what}: no "bug" hint`);
  const again = await rig(board, state);
  try {
    await eraseAndProgram(again);
    t.true(await readsBack(again), `${what}: the rerun writes the image`);
  } finally {
    await again.close();
  }
  return outcome;
}

/** A small seeded generator (xorshift32), so the random set is the same on every run. */
function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

async function sweep(
  t: ExecutionContext,
  board: Board,
  positions: readonly number[],
  random: number,
): Promise<Outcome[]> {
  const { first, last } = await programWindow(board);
  const cases: [number, number][] = [];
  for (const position of positions) {
    for (const count of BURSTS) cases.push([first + Math.floor((last - first) * position), count]);
  }
  const next = seeded(0x11);
  for (let i = 0; i < random; i++) {
    cases.push([first + Math.floor((last - first) * next()), 1 + Math.floor(next() * 64)]);
  }
  const outcomes: Outcome[] = [];
  for (const [atAccess, count] of cases) {
    const outcome = await burst(t, board, atAccess, count);
    outcomes.push(outcome);
    // A burst the per-command retries absorb must not stop anything.
    if (count <= RETRIES.retries) {
      t.is(outcome.error, undefined, `${board.device}: burst of ${count} at ${atAccess}`);
    }
  }
  return outcomes;
}

for (const device of ['STM32L151CBxxA', 'STM32F411RE', 'STM32L476RG']) {
  test(`${device}: WAIT bursts of 1 to 64 responses while programming end verified or in a report a rerun completes`, async (t) => {
    const outcomes = await sweep(t, { device }, POSITIONS, 8);
    t.true(
      outcomes.some((o) => o.error === undefined && o.resumed),
      'some bursts were resumed after a partial write and verified',
    );
    if (device !== 'STM32F411RE') {
      // Half-pages and double words take several accesses: some bursts cut one short.
      t.true(outcomes.some((o) => o.error === undefined && o.restartedUnit));
    }
  });
}

for (const device of ['STM32F103RB', 'STM32H743ZI']) {
  test(`${device}: WAIT bursts while programming end verified or in a report a rerun completes`, async (t) => {
    const outcomes = await sweep(t, { device }, [0.41], 0);
    t.true(outcomes.some((o) => o.error === undefined && o.resumed));
  });
}

test('without GETLASTRWSTATUS2 (V2J14) a write the target cut short stops with the range in doubt, and a rerun completes', async (t) => {
  for (const device of ['STM32L151CBxxA', 'STM32L476RG']) {
    const board = { device, firmware: 'V2J14S0' };
    const { first, last } = await programWindow(board);
    const { error } = await burst(t, board, first + Math.floor((last - first) * 0.41), 1);
    t.true(isFlashwrightError(error), device);
    if (!isFlashwrightError(error)) continue;
    t.is(error.code, 'FLASH_INTERRUPTED', device);
    t.is(error.exitCode, 7);
    t.regex(
      error.message,
      /the probe cannot say how much of 0x0800[0-9A-F]{4}\.\.0x0800[0-9A-F]{4}/,
    );
    const range = error.details?.['range'] as { start: number; end: number };
    t.true(range.start >= FLASH && range.end <= FLASH + DATA.length, device);
  }
});
