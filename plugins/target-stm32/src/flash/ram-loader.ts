import { isFlashwrightError } from '@flashwright/core';
import type { AddressRange } from '@flashwright/core/image';
import { type Logger, type MemoryPort, throwIfAborted } from '@flashwright/core/plugin';
import type { TargetClock } from './flash-clock.js';
import { L0_L1_LOADER, LoaderControl } from './l0-l1-loader.js';

/** `flash.loader` in the recipe: try the RAM loader and fall back, always use it, never. */
export type LoaderMode = 'auto' | 'ram' | 'host';

/**
 * Why the RAM loader could not do its work: RAM too small, the loader faulted or stopped,
 * a timeout, a probe that cannot run code. `programmedBytes` from the start were
 * confirmed programmed by the loader before it failed; the host continues from there.
 */
export class LoaderFailure extends Error {
  override readonly name = 'LoaderFailure';
  constructor(
    readonly reason: string,
    readonly programmedBytes: number,
  ) {
    super(reason);
  }
}

// Cortex-M debug registers (ARMv7-M ARM C1.6; ARMv6-M ARM C1.6).
const DHCSR = 0xe000edf0;
const DCRSR = 0xe000edf4;
const DCRDR = 0xe000edf8;
const DEMCR = 0xe000edfc;
const DFSR = 0xe000ed30;
const DBGKEY = 0xa05f0000;
const C_DEBUGEN = 1 << 0;
const C_HALT = 1 << 1;
const S_REGRDY = 1 << 16;
const S_HALT = 1 << 17;
const S_LOCKUP = 1 << 19;
const DFSR_BKPT = 1 << 1;
const DEMCR_VC_HARDERR = 1 << 10;
const REGSEL_PC = 15;
const REGSEL_XPSR = 16;
const REGSEL_MSP = 17;

/** Buffers in the ring: at least one programming, one filled and waiting, one being filled. */
const MIN_SLOTS = 3;
/** At most this much of the ring: enough to keep the loader busy through a USB round trip. */
const MAX_RING_BYTES = 8 * 1024;
/** Room for an exception frame if the loader faults, so the frame lands in the work area. */
const STACK_BYTES = 64;
/** A half-page programs in a few ms (RM0038: tprog 3.2 ms typical); far more is a hang. */
const HALF_PAGE_TIMEOUT_MS = 500;
/** Polls of the read pointer without progress between two looks at DHCSR. */
const CORE_CHECK_EVERY = 4;

export interface HalfPageJob {
  readonly memory: MemoryPort;
  readonly clock: TargetClock;
  readonly log: Logger;
  /** FLASH controller base (PECR at +4, SR at +0x18). */
  readonly controllerBase: number;
  /** SRAM the loader may use (the device's first SRAM region). */
  readonly ram: AddressRange | undefined;
  readonly halfPageBytes: number;
  /** Flash address of the first half-page. */
  readonly address: number;
  /** Whole half-pages. */
  readonly data: Uint8Array;
  /** Bytes handed to the target so far. */
  readonly sent: (bytes: number) => void;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Programs whole half-pages through flashwright's L0/L1 RAM loader (loaders/l0-l1/loader.S):
 * loads it into SRAM with a control block and a ring of half-page buffers, starts it with
 * its parameters in r0-r5, and fills the ring while the loader programs: the probe's
 * transfer of one half-page overlaps the programming of the previous one. The caller has
 * unlocked the controller and set PECR = FPRG | PROG. The core is left halted.
 *
 * Returns 0 when every half-page is programmed, or the loader's FLASH_SR when it stopped on
 * a flash error (the flash's verdict, not the loader's failure). Throws LoaderFailure when
 * the loader cannot be used (RAM too small, the probe cannot load or start it) or did not
 * finish (it faulted, locked up, or stopped making progress); a probe error while it runs
 * is thrown as it is, as the host path would throw it.
 */
export async function programHalfPagesWithLoader(job: HalfPageJob): Promise<number> {
  const { memory, halfPageBytes: half } = job;
  const pages = job.data.length / half;
  const layout = workArea(job.ram, half, job.data.length);
  let confirmed = 0;
  const fail = (reason: string): LoaderFailure => new LoaderFailure(reason, confirmed * half);
  let demcr: number | undefined;
  try {
    await halt(memory, job.clock);
    demcr = await memory.read32(DEMCR, job.signal);
    // A fault in the loader halts the core (vector catch) instead of running a handler.
    await memory.write32(DEMCR, demcr | DEMCR_VC_HARDERR, job.signal);
    await memory.write(layout.code, L0_L1_LOADER, { signal: job.signal, idempotent: true });
    const control = new DataView(new ArrayBuffer(LoaderControl.BYTES));
    control.setUint32(LoaderControl.WRITE, layout.ring, true);
    control.setUint32(LoaderControl.READ, layout.ring, true);
    control.setUint32(LoaderControl.STATUS, 0, true);
    control.setUint32(LoaderControl.HALF_PAGE_BYTES, half, true);
    await memory.write(layout.control, new Uint8Array(control.buffer), {
      signal: job.signal,
      idempotent: true,
    });
    const registers = [
      job.controllerBase,
      layout.ring,
      layout.ringEnd,
      job.address,
      pages,
      layout.control,
    ];
    for (const [reg, value] of registers.entries()) await writeRegister(memory, reg, value);
    await writeRegister(memory, REGSEL_MSP, layout.stackTop);
    await writeRegister(memory, REGSEL_XPSR, 0x01000000);
    await writeRegister(memory, REGSEL_PC, layout.code);
    await memory.write32(DFSR, 0x1f, job.signal);
    await memory.write32(DHCSR, DBGKEY | C_DEBUGEN, job.signal);
  } catch (error) {
    await restore(memory, job.clock, demcr);
    if (error instanceof LoaderFailure) throw error;
    throw fail(`the probe could not load and start it (${describe(error)})`);
  }

  const readPointer = (): Promise<number> =>
    memory.read32(layout.control + LoaderControl.READ, job.signal);
  /** The loader's status once it has stopped, or a LoaderFailure for why it stopped. */
  const stopped = async (): Promise<number> => {
    const dhcsr = await memory.read32(DHCSR, job.signal);
    if (dhcsr & S_LOCKUP) throw fail('the loader locked the core up');
    const dfsr = await memory.read32(DFSR, job.signal);
    if (!(dfsr & DFSR_BKPT)) {
      const pc = await readRegister(memory, REGSEL_PC);
      throw fail(
        `the loader faulted (the core halted at 0x${pc.toString(16)}, DFSR 0x${dfsr.toString(16)})`,
      );
    }
    return memory.read32(layout.control + LoaderControl.STATUS, job.signal);
  };
  try {
    const slots = (layout.ringEnd - layout.ring) / half;
    let write = layout.ring;
    let read = layout.ring;
    let handed = 0;
    let deadline = job.clock() + HALF_PAGE_TIMEOUT_MS;
    let idlePolls = 0;
    const slotOf = (pointer: number): number => (pointer - layout.ring) / half;
    /** Reads the loader's progress; the loader's status once it stopped, else undefined. */
    const poll = async (): Promise<number | undefined> => {
      throwIfAborted(job.signal);
      const now = await readPointer();
      const moved = (slotOf(now) - slotOf(read) + slots) % slots;
      if (moved > 0) {
        idlePolls = 0;
        confirmed += moved;
        read = now;
        deadline = job.clock() + HALF_PAGE_TIMEOUT_MS;
        return undefined;
      }
      // The core's state costs another round trip: look at it only now and then.
      if (
        ++idlePolls % CORE_CHECK_EVERY === 0 &&
        (await memory.read32(DHCSR, job.signal)) & S_HALT
      ) {
        return stopped();
      }
      if (job.clock() > deadline) {
        throw fail(`it did not finish a half-page within ${HALF_PAGE_TIMEOUT_MS} ms`);
      }
      return undefined;
    };
    while (handed < pages) {
      // One slot stays empty: WRITE == READ means the ring is empty. The host fills every
      // other free slot up to the end of the ring in one transfer while the loader programs.
      const inFlight = handed - confirmed;
      const free = slots - 1 - inFlight;
      const contiguous = slots - slotOf(write);
      const count = Math.min(free, contiguous, pages - handed);
      if (count <= 0) {
        const status = await poll();
        if (status !== undefined) return status;
        continue;
      }
      const chunk = job.data.subarray(handed * half, (handed + count) * half);
      // SRAM: a write the probe cut short may simply be sent again.
      await memory.write(write, chunk, { signal: job.signal, idempotent: true });
      write = write + count * half === layout.ringEnd ? layout.ring : write + count * half;
      await memory.write32(layout.control + LoaderControl.WRITE, write, job.signal);
      handed += count;
      job.sent(handed * half);
    }
    // All handed over: wait for the loader to program the rest and stop on its BKPT.
    while (confirmed < pages) {
      const status = await poll();
      if (status !== undefined) return status;
    }
    while (!((await memory.read32(DHCSR, job.signal)) & S_HALT)) {
      if (job.clock() > deadline) throw fail('it did not stop after the last half-page');
    }
    return await stopped();
  } catch (error) {
    // A probe error while the loader runs is reported as the host path reports it (the
    // core is halted first); only the loader's own failures fall back.
    if (error instanceof LoaderFailure || isFlashwrightError(error) || job.signal?.aborted) {
      throw error;
    }
    throw fail(`the probe lost it while it ran (${describe(error)})`);
  } finally {
    await restore(memory, job.clock, demcr);
  }
}

/** Leaves the core halted and DEMCR as it was, as far as the link still allows. */
async function restore(memory: MemoryPort, clock: TargetClock, demcr: number | undefined) {
  await halt(memory, clock).catch(() => undefined);
  if (demcr !== undefined) await memory.write32(DEMCR, demcr).catch(() => undefined);
}

interface WorkArea {
  readonly code: number;
  readonly control: number;
  readonly ring: number;
  readonly ringEnd: number;
  readonly stackTop: number;
}

/** Code, control block, ring and a small stack from the start of SRAM. */
function workArea(ram: AddressRange | undefined, half: number, bytes: number): WorkArea {
  const code = ram?.start ?? 0;
  const control = code + align(L0_L1_LOADER.length, 16);
  const ring = control + LoaderControl.BYTES;
  const available = (ram?.end ?? 0) - ring - STACK_BYTES;
  const slots = Math.min(
    Math.floor(MAX_RING_BYTES / half),
    Math.floor(available / half),
    Math.max(MIN_SLOTS, bytes / half + 1),
  );
  if (!ram || slots < MIN_SLOTS) {
    const need = ring - code + MIN_SLOTS * half + STACK_BYTES;
    const have = ram ? ram.end - ram.start : 0;
    throw new LoaderFailure(`RAM too small (it needs ${need} bytes, the device has ${have})`, 0);
  }
  const ringEnd = ring + slots * half;
  return { code, control, ring, ringEnd, stackTop: align(ringEnd + STACK_BYTES, 8) };
}

function align(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}

async function halt(memory: MemoryPort, clock: TargetClock): Promise<void> {
  await memory.write32(DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
  const deadline = clock() + 100;
  while (!((await memory.read32(DHCSR)) & S_HALT)) {
    if (clock() > deadline) throw new LoaderFailure('the core does not halt', 0);
  }
}

async function writeRegister(memory: MemoryPort, regsel: number, value: number): Promise<void> {
  await memory.write32(DCRDR, value >>> 0);
  await memory.write32(DCRSR, regsel | (1 << 16));
  if (!((await memory.read32(DHCSR)) & S_REGRDY)) {
    throw new LoaderFailure('the core did not accept a register write', 0);
  }
}

async function readRegister(memory: MemoryPort, regsel: number): Promise<number> {
  await memory.write32(DCRSR, regsel);
  return memory.read32(DCRDR);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
