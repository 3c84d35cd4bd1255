import type { AddressRange } from '@flashwright/core/image';
import { throwIfAborted } from '@flashwright/core/plugin';
import {
  type ControllerContext,
  type ProgramRun,
  type RunProgress,
  type SectorRef,
  Timeouts,
  runRange,
} from './controller.js';
import { unlockWithKeys } from './keys.js';
import type { LoaderPath } from './loader-path.js';
import type { RamLoader } from './ram-loader.js';
import {
  type FlashOperation,
  type ProtectedRanges,
  type StatusFlag,
  throwOnFlashError,
} from './status-flags.js';
import { type UnitWriteOptions, writeUnits } from './unit-write.js';
import { waitNotBusy } from './wait.js';

/** One key pair that clears a lock bit of the control register (keys.ts writes it). */
export interface LockKey {
  readonly lockMask: number;
  readonly keyRegister: number;
  readonly keys: readonly [number, number];
  /** For the error when it stays locked: "Flash controller", "Flash bank 2". */
  readonly what: string;
}

/** Where a keyed STM32 flash controller (or one bank's register block) keeps what it needs. */
export interface FlashBlockLayout {
  /** The control register: lock bits, operation bits, start bit (CR; PECR on L0/L1). */
  readonly control: number;
  /** The key pairs that unlock it, in order (L0/L1: PECR, then program memory). */
  readonly unlockKeys: readonly LockKey[];
  /** Written to `control` to lock it again (and clear the operation bits). */
  readonly lockValue: number;
  /** The status register and its bits that mean "operation in progress". */
  readonly status: number;
  readonly busyMask: number;
  /** Where the error flags read, when that is not the status register (H7R/S ISR). */
  readonly flags?: number | undefined;
  readonly errors: readonly StatusFlag[];
  /** Where writing 1 clears the flags (SR; H7 CCR, H5 NSCCR, H7R/S ICR), and what to clear. */
  readonly clear: number;
  readonly clearMask: number;
  /** Tells real write protection from another refusal (status-flags.ts). */
  readonly protectedRanges?: ProtectedRanges | undefined;
  /**
   * Runs once the controller is idle before an operation, with its status, before the flags
   * are cleared (L0/L1 drop a half-page left in the latches, WB/WL warn that CPU2 holds it).
   */
  readonly idle?: ((status: number) => Promise<void>) | undefined;
}

/** One erase or program operation the control register starts. */
export interface Operation {
  /** Writes before the control register's, as [address, value] (F0/F1/F3 FLASH_AR). */
  readonly setup?: readonly (readonly [number, number])[];
  /** Values written to the control register in turn; the last one starts the operation. */
  readonly control: readonly number[];
  readonly timeoutMs: number;
  /** For the timeout message: "page erase". */
  readonly what: string;
}

/** How `program` programs: the mode bits, the RAM loader if any, the units from the host. */
export interface ProgramMode {
  /** The control register value for programming (PG, with PSIZE where the part has it). */
  readonly control: number;
  /**
   * Where a unit takes several accesses and the controller buffers them until the last: the
   * control value without PG. Writing it, then `control` again, drops the accesses of a unit
   * cut short from the buffer, so that the unit can be sent again (unit-write.ts).
   */
  readonly withoutPg?: number | undefined;
  /** The family's RAM loader, tried first for each run (loader-path.ts decides). */
  readonly loader?:
    | {
        readonly path: LoaderPath;
        readonly code: RamLoader;
        /**
         * Leaves the controller as the host path expects it after a loader failure; by
         * default it drops a unit the loader left part-written (with `withoutPg`), clears the
         * flags and sets `control` again.
         */
        readonly recover?: ((address: number) => Promise<void>) | undefined;
      }
    | undefined;
  /** How the host writes what the loader did not program (unit-write.ts). */
  readonly units: Pick<UnitWriteOptions, 'width' | 'unitBytes' | 'unitName'>;
}

/**
 * The sequence the keyed STM32 flash controllers share (F0/F1/F3, F2/F4/F7, L0/L1, the L4
 * family, H7, H5 and H7R/S), as each family's reference manual gives it: unlock the control
 * register with its key pairs, wait until the controller is idle, clear the sticky error
 * flags, set the operation bits and start, wait until the busy bits clear, check the error
 * flags, and lock again. Each controller says only where its registers and bits are and
 * which bits an operation sets.
 */
export class FlashBlock {
  constructor(
    private readonly ctx: ControllerContext,
    private readonly layout: FlashBlockLayout,
  ) {}

  /**
   * Writes each key pair whose lock bit is set (keys.ts): the block's, or `keys` (the option
   * lock bits of the control register, for example).
   */
  async unlock(keys: readonly LockKey[] = this.layout.unlockKeys): Promise<void> {
    for (const key of keys) {
      await unlockWithKeys({ memory: this.ctx.memory, lockRegister: this.layout.control, ...key });
    }
  }

  /** Waits until the busy bits clear; returns the status, or the flags register where named. */
  async wait(timeoutMs: number, what: string): Promise<number> {
    const status = await waitNotBusy({
      memory: this.ctx.memory,
      statusAddress: this.layout.status,
      busyMask: this.layout.busyMask,
      timeoutMs,
      clock: this.ctx.clock,
      what,
    });
    if (this.layout.flags === undefined) return status;
    return this.ctx.memory.read32(this.layout.flags);
  }

  /**
   * Clears the flags an earlier operation left: a leftover error fails the next operation
   * (with PGSERR on the L4 family).
   */
  async clearFlags(): Promise<void> {
    await this.ctx.memory.write32(this.layout.clear, this.layout.clearMask);
  }

  /** Runs `work` with the controller unlocked, idle and its flags cleared; always relocks. */
  async unlocked<T>(work: () => Promise<T>): Promise<T> {
    await this.unlock();
    try {
      const status = await this.wait(Timeouts.massEraseMs, 'previous flash operation');
      await this.layout.idle?.(status);
      await this.clearFlags();
      return await work();
    } finally {
      await this.relock();
    }
  }

  /**
   * Best effort, never throws: waits for a started operation before touching the control
   * register, then writes the lock value (which clears the mode bits too).
   */
  async relock(): Promise<void> {
    await this.wait(Timeouts.massEraseMs, 'flash operation').catch(() => 0);
    await this.ctx.memory
      .write32(this.layout.control, this.layout.lockValue)
      .catch(() => undefined);
  }

  /** Waits for the operation under way and throws the error its flags show. */
  async check(
    operation: FlashOperation,
    range: AddressRange | undefined,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    const status = await this.wait(timeoutMs, what);
    await throwOnFlashError(
      status,
      this.layout.errors,
      operation,
      range,
      this.layout.protectedRanges,
    );
  }

  /** Sets up and starts `op`, waits for it, and throws the error its flags show. */
  async runOperation(
    op: Operation,
    operation: FlashOperation,
    range: AddressRange | undefined,
  ): Promise<void> {
    for (const [address, value] of op.setup ?? []) await this.ctx.memory.write32(address, value);
    for (const value of op.control) await this.ctx.memory.write32(this.layout.control, value);
    await this.check(operation, range, op.timeoutMs, op.what);
  }

  /** Unlocked: erases a bank (`range`) with `op`. */
  async eraseBank(op: Operation, range: AddressRange | undefined): Promise<void> {
    await this.unlocked(() => this.runOperation(op, 'erase', range));
  }

  /** Unlocked: erases `sectors` in order with the operation each needs (eraseEach). */
  async eraseSectors(
    sectors: readonly SectorRef[],
    done: (sector: SectorRef) => void,
    signal: AbortSignal | undefined,
    erase: (sector: SectorRef) => Operation | Promise<Operation>,
  ): Promise<void> {
    await this.unlocked(() => this.eraseEach(sectors, done, signal, erase));
  }

  /** Erases `sectors` in order with the operation each needs; `done` as each is erased. */
  async eraseEach(
    sectors: readonly SectorRef[],
    done: (sector: SectorRef) => void,
    signal: AbortSignal | undefined,
    erase: (sector: SectorRef) => Operation | Promise<Operation>,
  ): Promise<void> {
    for (const sector of sectors) {
      throwIfAborted(signal);
      await this.runOperation(await erase(sector), 'erase', sector.range);
      done(sector);
    }
  }

  /**
   * Unlocked: puts the controller in programming mode and programs each run, through the RAM
   * loader where it runs, the rest from the host as one port write; then one status check
   * per run, since the error flags stay set until written with 1, so a unit that failed
   * anywhere in the run still shows at its end.
   */
  async program(
    runs: readonly ProgramRun[],
    progress: RunProgress,
    signal: AbortSignal | undefined,
    mode: ProgramMode,
  ): Promise<void> {
    const memory = this.ctx.memory;
    const control = this.layout.control;
    const { withoutPg, loader } = mode;
    const dropPartialUnit =
      withoutPg === undefined
        ? undefined
        : async (): Promise<void> => {
            await memory.write32(control, withoutPg);
            await memory.write32(control, mode.control);
          };
    const recover = async (): Promise<void> => {
      if (withoutPg !== undefined) await memory.write32(control, withoutPg);
      await this.clearFlags();
      await memory.write32(control, mode.control);
    };
    await this.unlocked(async () => {
      await memory.write32(control, mode.control);
      for (const run of runs) {
        throwIfAborted(signal);
        const done = loader
          ? await loader.path.program(loader.code, {
              address: run.address,
              data: run.data,
              sent: (bytes) => progress.sent(run, bytes),
              signal,
              checkStatus: (status, range) =>
                throwOnFlashError(
                  status,
                  this.layout.errors,
                  'program',
                  range,
                  this.layout.protectedRanges,
                ),
              recover: loader.recover ?? recover,
            })
          : 0;
        if (done < run.data.length) {
          await writeUnits(run.address + done, run.data.subarray(done), {
            memory,
            log: this.ctx.log,
            ...mode.units,
            ...(dropPartialUnit && { dropPartialUnit }),
            onProgress: (bytes) => progress.sent(run, done + bytes),
            signal,
          });
        }
        await this.check('program', runRange(run), Timeouts.programMs, 'programming');
        progress.done(run);
      }
    });
  }
}
