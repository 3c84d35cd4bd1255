import { isFlashwrightError } from '@flashwright/core';
import type { AddressRange } from '@flashwright/core/image';
import { type MemoryPort, throwIfAborted } from '@flashwright/core/plugin';
import { CoreControl, LoaderFailure, describe } from './core-control.js';
import type { TargetClock } from './flash-clock.js';

export { LoaderFailure } from './core-control.js';

/** `flash.loader` in the recipe: try the RAM loader and fall back, always use it, never. */
export type LoaderMode = 'auto' | 'ram' | 'host';

/**
 * A family's RAM flash loader: its code and parameters. Every loader (loaders/<family>/)
 * speaks the same protocol with the host, so that this module loads, starts, feeds and
 * watches all of them alike. The loader starts with:
 *
 *   r0  the family's controller register block (`controllerBase`)
 *   r1  start of the ring of buffers in SRAM (a whole number of units)
 *   r2  end of the ring
 *   r3  flash address of the first unit (unit aligned)
 *   r4  number of units to program
 *   r5  the control block (LoaderControl): the host advances WRITE past each unit it has put
 *       into the ring; the loader advances READ past each unit it has programmed (the host
 *       may reuse the space behind it), sets STATUS to the flash status register when a flash
 *       error stops it, and ends on BKPT
 *
 * The pointers are the only shared state, each written by one side: the host fills one part
 * of the ring while the loader programs another.
 */
export interface RamLoader {
  /** The family, for messages: "L0/L1". */
  readonly family: string;
  /** Position-independent Thumb code, placed anywhere in SRAM (word aligned). */
  readonly code: Uint8Array;
  /** Bytes the loader programs and confirms as one; the ring holds whole units. */
  readonly unitBytes: number;
  /** The unit's name in messages: "half-page", "double word". */
  readonly unitName: string;
  /** r0: the controller register block the loader drives. */
  readonly controllerBase: number;
  /** Family words in the control block from LoaderControl.PARAMS on. */
  readonly params?: readonly number[];
  /** Virtual time a unit may take before the loader counts as hung. */
  readonly unitTimeoutMs: number;
}

/** The control block the loader and the host share (offsets in bytes). */
export const LoaderControl = {
  /** Host: end of the data it has put in the ring (advanced by whole units). */
  WRITE: 0,
  /** Loader: end of the data it has programmed. */
  READ: 4,
  /** Loader: 0, or the flash status register with the error that stopped it. */
  STATUS: 8,
  /** Host: unit size in bytes. */
  UNIT_BYTES: 12,
  /** Host: the family's own parameter words (RamLoader.params). */
  PARAMS: 16,
} as const;

/** Buffers in the ring: at least one programming, one filled and waiting, one being filled. */
const MIN_SLOTS = 3;
/**
 * At most this much of the ring: room for the transfer under way and a few waiting. Where the
 * link is slower than the flash (an H743 behind a V2) the loader keeps up and the host never
 * has to wait for a free slot as long as the ring is a few transfers long; 32 KiB measured
 * better than 16 there and the same elsewhere (test/bench/stm32.bench.ts).
 */
const MAX_RING_BYTES = 32 * 1024;
/**
 * The host hands the ring over in transfers of at least MIN_TRANSFER_BYTES (or what is left,
 * or what fits before the ring's end): a small transfer costs as many round trips as a large
 * one. At most MAX_TRANSFER_BYTES: the loader sees a transfer only once it has ended, so
 * where the probe is about as fast as the flash (an ST-Link V2 feeding an F4) a larger one
 * leaves the loader waiting longer, at the start and between transfers. 6 KiB is one
 * ST-Link command (its 6144-byte buffer), each with its status exchange.
 */
const MIN_TRANSFER_BYTES = 1024;
const MAX_TRANSFER_BYTES = 6 * 1024;
/** Room for an exception frame if the loader faults, so the frame lands in the work area. */
const STACK_BYTES = 64;
/** Polls of the read pointer without progress between two looks at DHCSR. */
const CORE_CHECK_EVERY = 4;

export interface LoaderJob {
  readonly loader: RamLoader;
  readonly memory: MemoryPort;
  readonly clock: TargetClock;
  /** SRAM the loader may use (the device's first SRAM region). */
  readonly ram: AddressRange | undefined;
  /** Flash address of the first unit. */
  readonly address: number;
  /** Whole units. */
  readonly data: Uint8Array;
  /** Bytes handed to the target so far. */
  readonly sent: (bytes: number) => void;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Programs whole units through a family's RAM loader: loads it into SRAM with a control
 * block and a ring of unit buffers, starts it with its parameters in r0-r5, and fills the
 * ring while the loader programs: the probe's transfer of the next units overlaps the
 * programming of the current one. The caller has unlocked the controller and put it in
 * programming mode. The core is left halted.
 *
 * Returns 0 when every unit is programmed, or the loader's status word when it stopped on a
 * flash error (the flash's verdict, not the loader's failure). Throws LoaderFailure when the
 * loader cannot be used (RAM too small, the probe cannot load or start it) or did not finish
 * (it faulted, locked up, or stopped making progress); a probe error while it runs is thrown
 * as it is, as the host path would throw it.
 */
export async function programWithRamLoader(job: LoaderJob): Promise<number> {
  const { memory, loader } = job;
  const unit = loader.unitBytes;
  const units = job.data.length / unit;
  const layout = workArea(job.ram, loader, job.data.length);
  let confirmed = 0;
  let handed = 0;
  const fail = (reason: string): LoaderFailure =>
    new LoaderFailure(reason, confirmed * unit, handed * unit);
  const core = new CoreControl(memory, job.clock, job.signal);
  try {
    await core.prepare();
    await memory.write(layout.code, loader.code, { signal: job.signal, idempotent: true });
    const params = loader.params ?? [];
    const control = new DataView(new ArrayBuffer(LoaderControl.PARAMS + params.length * 4));
    control.setUint32(LoaderControl.WRITE, layout.ring, true);
    control.setUint32(LoaderControl.READ, layout.ring, true);
    control.setUint32(LoaderControl.STATUS, 0, true);
    control.setUint32(LoaderControl.UNIT_BYTES, unit, true);
    params.forEach((word, i) => control.setUint32(LoaderControl.PARAMS + i * 4, word >>> 0, true));
    await memory.write(layout.control, new Uint8Array(control.buffer), {
      signal: job.signal,
      idempotent: true,
    });
    await core.start({
      entry: layout.code,
      stackTop: layout.stackTop,
      registers: [
        loader.controllerBase,
        layout.ring,
        layout.ringEnd,
        job.address,
        units,
        layout.control,
      ],
    });
  } catch (error) {
    await core.restore();
    if (error instanceof LoaderFailure) throw error;
    throw fail(`the probe could not load and start it (${describe(error)})`);
  }

  /** The loader's read pointer: a unit boundary inside the ring, else the loader is broken. */
  const readPointer = async (): Promise<number> => {
    const at = await memory.read32(layout.control + LoaderControl.READ, job.signal);
    if (at < layout.ring || at >= layout.ringEnd || (at - layout.ring) % unit !== 0) {
      throw fail(`its read pointer 0x${at.toString(16)} left the ring`);
    }
    return at;
  };
  /** The loader's status once it has stopped, or a LoaderFailure for why it stopped. */
  const stopped = async (): Promise<number> => {
    await core.checkBreakpoint(confirmed * unit, handed * unit);
    return memory.read32(layout.control + LoaderControl.STATUS, job.signal);
  };
  try {
    const slots = (layout.ringEnd - layout.ring) / unit;
    let write = layout.ring;
    let read = layout.ring;
    let deadline = job.clock() + loader.unitTimeoutMs;
    let idlePolls = 0;
    const slotOf = (pointer: number): number => (pointer - layout.ring) / unit;
    /** Reads the loader's progress; the loader's status once it stopped, else undefined. */
    const poll = async (): Promise<number | undefined> => {
      throwIfAborted(job.signal);
      const now = await readPointer();
      const moved = (slotOf(now) - slotOf(read) + slots) % slots;
      if (moved > 0) {
        idlePolls = 0;
        confirmed += moved;
        read = now;
        deadline = job.clock() + loader.unitTimeoutMs;
        return undefined;
      }
      // The core's state costs another round trip: look at it only now and then.
      if (++idlePolls % CORE_CHECK_EVERY === 0 && (await core.halted())) return stopped();
      if (job.clock() > deadline) {
        throw fail(`it did not finish a ${loader.unitName} within ${loader.unitTimeoutMs} ms`);
      }
      return undefined;
    };
    const minTransfer = Math.max(1, Math.floor(MIN_TRANSFER_BYTES / unit));
    const maxTransfer = Math.max(minTransfer, Math.floor(MAX_TRANSFER_BYTES / unit));
    while (handed < units) {
      // One slot stays empty: WRITE == READ means the ring is empty. The host fills the free
      // slots up to the end of the ring in one transfer while the loader programs, once they
      // are worth a transfer. The first transfers double from minTransfer, so that the loader
      // starts early, and the last ones halve, so that little is left to program after the
      // last transfer where the probe is not faster than the flash.
      const inFlight = handed - confirmed;
      const free = slots - 1 - inFlight;
      const contiguous = slots - slotOf(write);
      const left = units - handed;
      const wanted = Math.min(
        left,
        Math.max(minTransfer, Math.min(handed, maxTransfer, Math.ceil(left / 2))),
      );
      const count = Math.min(free, contiguous, wanted);
      if (count <= 0 || count < Math.min(minTransfer, contiguous, wanted)) {
        const status = await poll();
        if (status !== undefined) return status;
        continue;
      }
      const chunk = job.data.subarray(handed * unit, (handed + count) * unit);
      // SRAM: a write the probe cut short may simply be sent again.
      await memory.write(write, chunk, { signal: job.signal, idempotent: true });
      write = write + count * unit === layout.ringEnd ? layout.ring : write + count * unit;
      await memory.write32(layout.control + LoaderControl.WRITE, write, job.signal);
      handed += count;
      job.sent(handed * unit);
    }
    // All handed over: the loader stops on its BKPT after the last unit (or on an error), so
    // the core's state is polled now and the read pointer only now and then, for the timeout.
    let polls = 0;
    while (!(await core.halted())) {
      throwIfAborted(job.signal);
      if (++polls % CORE_CHECK_EVERY === 0) {
        const at = await readPointer();
        if (at !== read) {
          confirmed += (slotOf(at) - slotOf(read) + slots) % slots;
          read = at;
          deadline = job.clock() + loader.unitTimeoutMs;
        }
      }
      if (job.clock() > deadline) {
        throw fail(`it did not finish a ${loader.unitName} within ${loader.unitTimeoutMs} ms`);
      }
    }
    const at = await readPointer();
    confirmed += (slotOf(at) - slotOf(read) + slots) % slots;
    const status = await stopped();
    if (status === 0 && confirmed < units) {
      throw fail(`it stopped after ${confirmed} of ${units} ${loader.unitName}s`);
    }
    return status;
  } catch (error) {
    // A probe error while the loader runs is reported as the host path reports it (the
    // core is halted first); only the loader's own failures fall back.
    if (error instanceof LoaderFailure || isFlashwrightError(error) || job.signal?.aborted) {
      throw error;
    }
    throw fail(`the probe lost it while it ran (${describe(error)})`);
  } finally {
    await core.restore();
  }
}

interface WorkArea {
  readonly code: number;
  readonly control: number;
  readonly ring: number;
  readonly ringEnd: number;
  readonly stackTop: number;
}

/** Code, control block, ring and a small stack from the start of SRAM. */
function workArea(ram: AddressRange | undefined, loader: RamLoader, bytes: number): WorkArea {
  const unit = loader.unitBytes;
  const code = ram?.start ?? 0;
  const control = code + align(loader.code.length, 16);
  const ring = control + align(LoaderControl.PARAMS + (loader.params?.length ?? 0) * 4, 16);
  const available = (ram?.end ?? 0) - ring - STACK_BYTES;
  const slots = Math.min(
    Math.floor(MAX_RING_BYTES / unit),
    Math.floor(available / unit),
    Math.max(MIN_SLOTS, bytes / unit + 1),
  );
  if (!ram || slots < MIN_SLOTS) {
    const need = ring - code + MIN_SLOTS * unit + STACK_BYTES;
    const have = ram ? ram.end - ram.start : 0;
    throw new LoaderFailure(`RAM too small (it needs ${need} bytes, the device has ${have})`, 0);
  }
  const ringEnd = ring + slots * unit;
  return { code, control, ring, ringEnd, stackTop: align(ringEnd + STACK_BYTES, 8) };
}

function align(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}
