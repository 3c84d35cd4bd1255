import { FlashwrightError } from '../errors/flashwright-error.js';
import {
  withPartialWrite,
  type AccessWidth,
  type MemoryAccessOptions,
  type MemoryPortLimits,
} from '../ports/memory-port.js';
import { hex32 } from './errors.js';
import { decodeApIdr } from './identity.js';
import {
  callAddress,
  callOffset,
  dataDone,
  issueCall,
  memCalls,
  runPipeline,
  type CallOutcome,
} from './mem-ap-pipeline.js';
import {
  bytesPerAccess,
  checkRange,
  planRuns,
  storeDrwWord,
  type AccessRun,
} from './mem-ap-plan.js';
import { Csw, MemApRegister } from './registers.js';
import type { SwDp } from './sw-dp.js';
import type { MemApCapabilities, MemApPort } from './types.js';

const CSW_SIZE: Readonly<Record<1 | 2 | 4, number>> = {
  1: Csw.SIZE_8,
  2: Csw.SIZE_16,
  4: Csw.SIZE_32,
};

/** Bits of CSW the port sets itself; the others keep the AP's reset value. */
const CSW_OWN_BITS =
  Csw.SIZE_MASK | Csw.ADDRINC_MASK | Csw.DEVICE_EN | Csw.TR_IN_PROG | Csw.MODE_MASK;

/** Where a pipelined transfer stopped. */
interface Stop {
  /** The first call that did not complete. */
  readonly outcome: CallOutcome;
  /** Buffer offset and bus address of the access that was not acknowledged OK. */
  readonly offset: number;
  readonly address: number;
  /** Bytes per access of the last access acknowledged in the failed call, 0 if none. */
  readonly lastAccessBytes: number;
  /**
   * End of what the calls in flight after the failed one wrote: they went on at whatever TAR
   * held, so their data lies between the failed access and their own end.
   */
  readonly laterEnd: number;
}

function stopOf(outcome: CallOutcome, later: readonly CallOutcome[]): Stop {
  const done = dataDone(outcome);
  const offset = callOffset(outcome.call, done);
  let laterEnd = offset;
  for (const next of later) {
    const nextDone = dataDone(next);
    if (nextDone > 0) laterEnd = Math.max(laterEnd, callOffset(next.call, nextDone));
  }
  return {
    outcome,
    offset,
    address: callAddress(outcome.call, done),
    lastAccessBytes: done > 0 ? bytesPerAccess(outcome.call.run) : 0,
    laterEnd,
  };
}

function describe(
  direction: 'read' | 'write',
  address: number,
  lengthBytes: number,
  apsel: number,
): string {
  const ap = apsel === 0 ? '' : ` through AP ${apsel}`;
  return `memory ${direction} of ${lengthBytes} bytes at ${hex32(address)}${ap}`;
}

export interface MemApPortOptions {
  /** MemoryPortLimits.transferStartUs: what one more wire call costs. */
  readonly transferStartUs: number;
  /** MemoryPortLimits.readBytesPerSecond, where the probe estimates it. */
  readonly readBytesPerSecond?: number | undefined;
}

/**
 * Core's MemoryPort over one MEM-AP of an SW-DP (ARM IHI 0031 ADIv5.2, chapter C2): CSW with
 * the AP's own Prot bits and DbgSwEnable, TAR written at every 1 KB block (mem-ap-plan.ts),
 * packed 8/16-bit transfers where the AP packs, DRW accesses batched into wire calls with up
 * to `wire.limits.callsInFlight` in flight (mem-ap-pipeline.ts).
 *
 * Errors: a FAULT becomes TARGET_FAULT naming the address of the access that got it (a
 * posted write's bus error is reported on the access after it, so on real hardware the
 * faulting access is that one or the one before), after CTRL/STAT is read and the sticky
 * flags cleared. After a WAIT the wire's retries did not clear, the transfer goes on from
 * the access that got it after a back-off (an access answered WAIT was not performed: ADIv5.2,
 * SWD "WAIT response"; the ones acknowledged before it complete); when the back-offs run out,
 * DAPABORT cancels the stalled transaction and a write's error carries a PartialWrite (the
 * last write acknowledged is uncertain then). Writes that are not `idempotent` keep one call
 * in flight, so no byte is sent twice that may have reached the target (MemoryAccessOptions),
 * as the ST-Link port guarantees.
 *
 * `onProgress` hears, before each wire call, the bytes of the calls issued before it; thrown
 * from there, its error stops the transfer after the calls in flight have completed, so the
 * bytes it heard of were done and none after them was sent.
 */
export class MemApMemory implements MemApPort {
  readonly limits: MemoryPortLimits;
  readonly #cswBase: number;

  constructor(
    readonly dp: SwDp,
    readonly apsel: number,
    readonly capabilities: MemApCapabilities,
    options: MemApPortOptions,
  ) {
    this.#cswBase = ((capabilities.resetCsw & ~CSW_OWN_BITS) | Csw.DBG_SW_ENABLE) >>> 0;
    this.limits = {
      maxTransferBytes: dp.wire.limits.maxBlockWords * 4,
      alignBytes: 4,
      transferStartUs: options.transferStartUs,
      ...(options.readBytesPerSecond === undefined
        ? {}
        : { readBytesPerSecond: options.readBytesPerSecond }),
    };
  }

  /**
   * Checks that `apsel` is a MEM-AP (IDR CLASS) and finds what it supports: CSW is read (its
   * reset value), then written with Size = 8 bits and AddrInc = packed and read back; an AP
   * without byte access or packing does not keep those values (OpenOCD arm_adi_v5.c
   * mem_ap_init does the same test).
   */
  static async open(
    dp: SwDp,
    apsel: number,
    options: MemApPortOptions,
    signal?: AbortSignal,
  ): Promise<MemApMemory> {
    return dp.exclusive(async () => {
      const [idr = 0] = await dp.registerBatch(
        () => [
          ...dp.selectAp(apsel, MemApRegister.IDR),
          { port: 'ap', register: MemApRegister.IDR & 0xc },
        ],
        `read of AP ${apsel} IDR`,
        apsel,
        signal,
      );
      const identity = decodeApIdr(idr);
      if (identity.class !== 'mem-ap') {
        throw new FlashwrightError(
          'TARGET_UNKNOWN_DEVICE',
          idr === 0
            ? `There is no access port ${apsel} (its IDR reads 0)`
            : `Access port ${apsel} is a ${identity.name}, not a MEM-AP: it has no memory access`,
          {
            hint: 'Use AP 0 for the Cortex-M core; `aps()` lists what the target has.',
            details: { apsel, idr },
          },
        );
      }
      const [resetCsw = 0, probed = 0] = await dp.registerBatch(
        () => {
          const test = Csw.SIZE_8 | Csw.ADDRINC_PACKED;
          return [
            ...dp.selectAp(apsel, MemApRegister.CSW),
            { port: 'ap', register: MemApRegister.CSW },
            { port: 'ap', register: MemApRegister.CSW, value: test },
            { port: 'ap', register: MemApRegister.CSW },
          ];
        },
        `CSW test of AP ${apsel}`,
        apsel,
        signal,
      );
      dp.cswCache.set(apsel, probed);
      const narrowAccess = (probed & Csw.SIZE_MASK) === Csw.SIZE_8;
      const packed = narrowAccess && (probed & Csw.ADDRINC_MASK) === Csw.ADDRINC_PACKED;
      dp.log.debug(
        `AP ${apsel} (${identity.name}): CSW ${hex32(resetCsw)}; byte access ${narrowAccess ? 'yes' : 'no'}, packed transfers ${packed ? 'yes' : 'no'}`,
      );
      return new MemApMemory(dp, apsel, { resetCsw, narrowAccess, packed }, options);
    });
  }

  /** CSW for a run: the AP's own bits, DbgSwEnable, Size, AddrInc single or packed. */
  cswFor(run: Pick<AccessRun, 'size' | 'packed'>): number {
    const inc = run.packed ? Csw.ADDRINC_PACKED : Csw.ADDRINC_SINGLE;
    return (this.#cswBase | CSW_SIZE[run.size] | inc) >>> 0;
  }

  async read(
    address: number,
    length: number,
    options: MemoryAccessOptions = {},
  ): Promise<Uint8Array> {
    this.#checkAccess('read', address, length, options.width);
    const out = new Uint8Array(length);
    await this.dp.exclusive(() => this.#transfer('read', address, out, options));
    return out;
  }

  async write(address: number, data: Uint8Array, options: MemoryAccessOptions = {}): Promise<void> {
    this.#checkAccess('write', address, data.length, options.width);
    await this.dp.exclusive(() => this.#transfer('write', address, data, options));
  }

  async read32(address: number, signal?: AbortSignal): Promise<number> {
    const bytes = await this.read(address, 4, signal ? { width: 32, signal } : { width: 32 });
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  }

  async write32(address: number, value: number, signal?: AbortSignal): Promise<void> {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, value >>> 0, true);
    await this.write(address, bytes, signal ? { width: 32, signal } : { width: 32 });
  }

  /** An AP without byte lanes (CSW.Size kept no 8-bit value) takes whole, aligned words only. */
  #checkAccess(
    direction: 'read' | 'write',
    address: number,
    length: number,
    width: AccessWidth | undefined,
  ): void {
    checkRange(address, length);
    const narrow = width !== undefined ? width < 32 : address % 4 !== 0 || length % 4 !== 0;
    if (!narrow || this.capabilities.narrowAccess) return;
    throw new FlashwrightError(
      'TARGET_FAULT',
      `AP ${this.apsel} does 32-bit accesses only, so it cannot ${direction} ${length} bytes at ${hex32(address)}${width === undefined ? '' : ` ${width} bits at a time`}`,
      {
        hint: 'Access whole, aligned words through this AP, or use the AP of the core (AP 0).',
        details: { apsel: this.apsel, address, lengthBytes: length },
      },
    );
  }

  /**
   * A read (`data` is the buffer to fill) or a write, retried from where a WAIT stopped it
   * (see the class comment for what a write may repeat).
   */
  async #transfer(
    direction: 'read' | 'write',
    address: number,
    data: Uint8Array,
    options: MemoryAccessOptions,
  ): Promise<void> {
    const { signal, onProgress } = options;
    const what = describe(direction, address, data.length, this.apsel);
    let done = 0;
    let attempt = 0;
    let reported = 0;
    const report = (bytes: number): void => {
      if (bytes <= reported) return;
      reported = bytes;
      onProgress?.(bytes);
    };
    // The bytes of the last data access acknowledged, for what DAPABORT may cancel.
    let lastAccessBytes = 0;
    // A call after a WAIT would go on at whatever TAR held: only where writing a byte twice is
    // harmless may calls overlap.
    const window =
      direction === 'write' && options.idempotent !== true ? 1 : this.dp.wire.limits.callsInFlight;
    for (;;) {
      const base = done;
      const part = data.subarray(base);
      const runs = planRuns(address + base, part.length, options.width, this.capabilities.packed);
      const end = await runPipeline(
        memCalls(this, runs),
        window,
        (call) => issueCall(this.dp, call, direction === 'write' ? part : undefined, signal),
        (previous) => {
          signal?.throwIfAborted();
          if (previous !== undefined) report(base + callOffset(previous, previous.count));
        },
        (outcome) => {
          if (outcome.call.count > 0) lastAccessBytes = bytesPerAccess(outcome.call.run);
          if (direction === 'read') this.#store(outcome, outcome.result.reads, part);
        },
      ).catch((error: unknown) => {
        // After a call the wire rejected (or a stop), SELECT, CSW and TAR may hold anything.
        this.dp.forget();
        throw error;
      });
      if (end.failed === undefined) {
        report(data.length);
        return;
      }
      const stop = stopOf(end.failed.outcome, end.failed.later);
      if (stop.lastAccessBytes > 0) lastAccessBytes = stop.lastAccessBytes;
      if (direction === 'read') {
        this.#store(stop.outcome, stop.outcome.result.reads.slice(0, dataDone(stop.outcome)), part);
      }
      const context = { what, faultAddress: stop.address, apsel: this.apsel };
      const resume = base + stop.offset;
      if (stop.outcome.result.ack === 'wait') {
        // Every access acknowledged before the WAIT completes (none was aborted), and the one
        // that got it was not performed: going on from it sends no byte twice.
        if (resume > done) attempt = 0;
        if (await this.dp.backOff(attempt++, signal)) {
          this.dp.forget();
          this.dp.log.debug(
            `${what}: WAIT at ${hex32(stop.address)}; going on from ${hex32(address + resume)}`,
          );
          done = resume;
          continue;
        }
      }
      const error = await this.dp.recover(stop.outcome.result, context, signal);
      if (direction === 'read' || stop.outcome.result.ack !== 'wait') throw error;
      // DAPABORT cancels the AP transaction in progress: the last write acknowledged, right
      // before `resume`, may or may not have happened.
      const written = resume > 0 ? resume - lastAccessBytes : 0;
      throw withPartialWrite(error, {
        address,
        lengthBytes: data.length,
        writtenBytes: written,
        uncertainBytes: Math.max(resume, base + stop.laterEnd) - written,
      });
    }
  }

  #store(outcome: CallOutcome, reads: readonly number[], out: Uint8Array): void {
    const { call } = outcome;
    reads.forEach((word, i) => storeDrwWord(call.run, call.first + i, word, out));
  }
}
