import { FlashwrightError, isFlashwrightError } from '@flashwright/core';
import { type AddressRange, formatRange } from '@flashwright/core/image';
import {
  type AccessWidth,
  type Logger,
  type MemoryPort,
  partialWriteOf,
  throwIfAborted,
} from '@flashwright/core/plugin';
import { hex } from './wait.js';

const BUSY = 'the target stayed busy (WAIT) past the probe’s retries';

/** How a controller in programming mode takes data. */
export interface UnitWriteOptions {
  readonly memory: MemoryPort;
  /** Says where programming resumed (info: shown with -v and in the JSON events). */
  readonly log: Logger;
  readonly width: AccessWidth;
  /**
   * What the controller programs as one: an F1 half-word, an F2/F4/F7 PSIZE unit, an L0/L1
   * word or half-page, an L4 double word (U5 quad word), an H7 flash word.
   */
  readonly unitBytes: number;
  /** The unit's name in messages: "half-page", "double word". */
  readonly unitName: string;
  /**
   * Drops the accesses of a unit that was cut short from the controller's buffer, so that the
   * unit can be sent again from its start. Needed where a unit takes several accesses and
   * programming starts with its last one (L0/L1 half-page, L4 double word, H7 flash word).
   */
  readonly dropPartialUnit?: () => Promise<void>;
  /** Bytes of the data on the bus so far, as the port's transfers finish. */
  readonly onProgress?: (doneBytes: number) => void;
  /** Stops the write where a port transfer ends on a whole unit (a safe point). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Writes whole program units, `address` unit-aligned, to a controller in programming mode,
 * in one port write (the port splits it at the probe's limits).
 * When the target stays busy past the probe's retries and the write stops part-way (the
 * probe says how far it got: PartialWrite), programming resumes at the start of the unit that
 * holds the first byte not written. The units before it are complete; that unit has not
 * started programming, because its last access never went out, so its first accesses are
 * dropped from the controller's buffer and it is sent whole again. No byte of a unit that
 * may have started programming is ever sent twice.
 *
 * It stops with FLASH_INTERRUPTED, naming the range the caller's journal reports as unknown
 * (a rerun erases and writes it), where the probe cannot say how far it got, where the
 * controller cannot drop a partial unit, or where the same unit is cut short twice in a row.
 * The transport's own error comes through unchanged when it reports no progress.
 */
export async function writeUnits(
  address: number,
  data: Uint8Array,
  options: UnitWriteOptions,
): Promise<void> {
  const { memory, log, width, unitBytes, dropPartialUnit, onProgress, signal } = options;
  let offset = 0;
  let restarted: number | undefined;
  for (;;) {
    const rest = data.subarray(offset);
    const from = offset;
    const progress = (bytes: number): void => {
      const done = from + bytes;
      onProgress?.(done);
      // Thrown from the port's callback, this ends the write after whole units.
      if (done % unitBytes === 0 && done < data.length) throwIfAborted(signal);
    };
    try {
      await memory.write(address + offset, rest, { width, onProgress: progress });
      return;
    } catch (error) {
      const partial = partialWriteOf(error, address + offset, rest.length);
      if (partial === undefined) throw error;
      if (partial.writtenBytes === 0 && partial.uncertainBytes === 0) throw error;
      const stop = address + offset + partial.writtenBytes;
      if (partial.uncertainBytes > 0) {
        // Whatever the controller holds of a partial unit would trouble the rerun's erase.
        await dropPartialUnit?.().catch(() => undefined);
        const doubt = { start: stop, end: stop + partial.uncertainBytes };
        throw interrupted(
          error,
          stop,
          doubt,
          `and the probe cannot say how much of ${formatRange(doubt)} it wrote`,
        );
      }
      const unitStart = stop - (stop % unitBytes);
      if (unitStart !== stop) {
        const unit = { start: unitStart, end: unitStart + unitBytes };
        const where = `the ${options.unitName} at ${formatRange(unit)}`;
        if (dropPartialUnit === undefined)
          throw interrupted(
            error,
            stop,
            unit,
            `in the middle of ${where}, which cannot be sent again before an erase`,
          );
        await dropPartialUnit();
        if (unitStart === restarted)
          throw interrupted(error, stop, unit, `twice in the middle of ${where}`);
        restarted = unitStart;
        log.info(`Programming: ${BUSY} in the middle of ${where}; sending it again.`);
      } else {
        log.info(`Programming: ${BUSY} at 0x${hex(stop)}; going on from there.`);
      }
      offset = unitStart - address;
    }
  }
}

function interrupted(
  cause: unknown,
  stop: number,
  unknown: AddressRange,
  why: string,
): FlashwrightError {
  return new FlashwrightError(
    'FLASH_INTERRUPTED',
    `Programming stopped at 0x${hex(stop)}: ${BUSY}, ${why}`,
    {
      cause,
      // The transport knows what keeps its target busy; the runner adds what a rerun does.
      hint: isFlashwrightError(cause) ? cause.hint : undefined,
      details: { range: unknown, stoppedAt: stop },
    },
  );
}
