import { FlashwrightError } from '../errors/flashwright-error.js';
import { sleep } from '../util/abort.js';
import { hex32, swdAckError, type SwdFailureContext } from './errors.js';
import type { DapRegisterPort, DapTransfer, DapTransferResult, SwdWire } from './ports.js';
import { ABORT_CLEAR_STICKY, Abort, DpRegister, selectValue } from './registers.js';
import { jtagToSwdSequence, lineResetSequence, type SwjSequence } from './swj.js';
import type { DebugLog, WaitRetryPolicy } from './types.js';

/** OpenOCD's stlink_usb.c WAIT policy, which the ST-Link path uses too: 8 retries from 1 ms. */
export const DEFAULT_WAIT_RETRY: WaitRetryPolicy = { retries: 8, firstDelayMs: 1 };

const silentLog: DebugLog = { debug: () => undefined };

export interface SwDpOptions {
  readonly log?: DebugLog | undefined;
  readonly waitRetry?: WaitRetryPolicy | undefined;
}

function checkRegister(kind: 'DP' | 'AP', register: number): void {
  if (!Number.isInteger(register) || register < 0 || register > 0xff || register % 4 !== 0) {
    throw new FlashwrightError('INTERNAL', `bad ${kind} register address ${register}`, {
      hint: 'This is a bug in the caller of the DAP register port. Re-run with -v and report it.',
    });
  }
}

function checkApsel(apsel: number): void {
  if (!Number.isInteger(apsel) || apsel < 0 || apsel > 0xff) {
    throw new FlashwrightError('INTERNAL', `bad APSEL ${apsel} (0-255)`, {
      hint: 'This is a bug in the caller of the DAP register port. Re-run with -v and report it.',
    });
  }
}

const dpNames: Readonly<Record<number, string>> = {
  0x0: 'DPIDR/ABORT',
  0x4: 'CTRL/STAT',
  0x8: 'SELECT/RESEND',
  0xc: 'RDBUFF',
};

/**
 * An ADIv5 SW-DP driven over a raw SwdWire: DP and AP register access with SELECT caching
 * (SELECT is written only when APSEL, APBANKSEL or, for DP register 0x4, DPBANKSEL change, and
 * forgotten after a line reset or any failed transaction, when its value is no longer known)
 * and recovery after a failed transaction:
 * - FAULT: CTRL/STAT is read and the sticky flags cleared through ABORT (STKERRCLR,
 *   STKCMPCLR, WDERRCLR, ORUNERRCLR: ADIv5.2, ABORT register), as pyOCD's dap.py
 *   clear_sticky_err does;
 * - WAIT that outlived the wire's retries: the access is sent again after a back-off
 *   (`waitRetry`): an access answered WAIT was not performed (ADIv5.2, SWD protocol, "WAIT
 *   response"), so repeating it is safe; when the back-offs run out, ABORT.DAPABORT cancels
 *   the stalled AP transaction (ADIv5.2, ABORT register), as probe-rs does after its WAIT
 *   retries (arm/communication_interface.rs);
 * - no acknowledgement or a parity error: a line reset and DPIDR read (pyOCD dap.py
 *   _swd_reset), since the DP may have locked out after a protocol error (ADIv5.2, SWD
 *   protocol error sequence).
 * One operation (a register access, a memory transfer) runs at a time (`exclusive`), so that
 * the SELECT and CSW caches hold for the whole of it.
 */
export class SwDp implements DapRegisterPort {
  readonly log: DebugLog;
  readonly waitRetry: WaitRetryPolicy;
  /** CSW last written per APSEL; forgotten with SELECT. */
  readonly cswCache = new Map<number, number>();
  #select: number | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly wire: SwdWire,
    options: SwDpOptions = {},
  ) {
    this.log = options.log ?? silentLog;
    this.waitRetry = options.waitRetry ?? DEFAULT_WAIT_RETRY;
  }

  /** Runs `work` after every operation before it has finished. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Forgets SELECT and every AP's CSW (their values are no longer known). */
  forget(): void {
    this.#select = undefined;
    this.cswCache.clear();
  }

  /** The SELECT write that reaches `register` of AP `apsel`, or none when SELECT holds it. */
  selectAp(apsel: number, register: number): DapTransfer[] {
    const dpBank = (this.#select ?? 0) & 0xf;
    const wanted = selectValue(apsel, register >>> 4, dpBank);
    if (this.#select === wanted) return [];
    this.#select = wanted;
    return [{ port: 'dp', register: DpRegister.SELECT, value: wanted }];
  }

  /** The SELECT write a banked DP register (0x4 with DPBANKSEL) needs, or none. */
  selectDp(register: number): DapTransfer[] {
    if ((register & 0xc) !== DpRegister.CTRL_STAT) return [];
    const bank = register >>> 4;
    if (this.#select !== undefined && (this.#select & 0xf) === bank) return [];
    const wanted = (((this.#select ?? 0) & ~0xf) | bank) >>> 0;
    this.#select = wanted;
    return [{ port: 'dp', register: DpRegister.SELECT, value: wanted }];
  }

  /** One wire call; a batch that did not complete forgets SELECT and CSW. */
  async transfer(
    transfers: readonly DapTransfer[],
    signal?: AbortSignal,
  ): Promise<DapTransferResult> {
    let result: DapTransferResult;
    try {
      result = await this.wire.transfer(transfers, signal);
    } catch (error) {
      this.forget();
      throw error;
    }
    if (result.ack !== 'ok') this.forget();
    return result;
  }

  /** Clocks out a line reset (optionally with the JTAG-to-SWD switch) and reads DPIDR. */
  async attach(switchToSwd: boolean, signal?: AbortSignal): Promise<number> {
    const sequence = switchToSwd ? jtagToSwdSequence() : lineResetSequence();
    return this.#resetAndReadDpidr(sequence, signal);
  }

  async #resetAndReadDpidr(sequence: SwjSequence, signal?: AbortSignal): Promise<number> {
    this.forget();
    await this.wire.swjSequence(sequence.bitCount, sequence.bits, signal);
    const result = await this.transfer([{ port: 'dp', register: DpRegister.DPIDR }], signal);
    const dpidr = result.reads[0];
    if (result.ack !== 'ok' || dpidr === undefined) {
      throw swdAckError(result.ack === 'ok' ? 'no-ack' : result.ack, {
        what: 'DPIDR read after a line reset',
      });
    }
    return dpidr >>> 0;
  }

  /** Writes ABORT with every sticky-flag clear bit. */
  async clearStickyErrors(signal?: AbortSignal): Promise<void> {
    const result = await this.transfer(
      [{ port: 'dp', register: DpRegister.ABORT, value: ABORT_CLEAR_STICKY }],
      signal,
    );
    if (result.ack !== 'ok') throw swdAckError(result.ack, { what: 'ABORT write' });
  }

  /**
   * What a failed batch leaves behind is cleaned up (see the class comment); returns the error
   * that names it. `faultAddress` is for the message.
   */
  async recover(
    result: DapTransferResult,
    context: SwdFailureContext,
    signal?: AbortSignal,
  ): Promise<FlashwrightError> {
    this.forget();
    const ack = result.ack === 'ok' ? 'no-ack' : result.ack;
    try {
      if (ack === 'fault') {
        const status = await this.transfer(
          [
            { port: 'dp', register: DpRegister.CTRL_STAT },
            { port: 'dp', register: DpRegister.ABORT, value: ABORT_CLEAR_STICKY },
          ],
          signal,
        );
        const ctrlStat = status.reads[0];
        this.log.debug(
          `SWD FAULT (${context.what}): CTRL/STAT ${ctrlStat === undefined ? 'unread' : hex32(ctrlStat)}, sticky flags cleared`,
        );
        return swdAckError('fault', { ...context, ctrlStat });
      }
      if (ack === 'wait') {
        await this.transfer(
          [{ port: 'dp', register: DpRegister.ABORT, value: Abort.DAPABORT }],
          signal,
        );
        this.log.debug(`SWD WAIT (${context.what}): DAPABORT written`);
        return swdAckError('wait', context);
      }
      await this.#resetAndReadDpidr(lineResetSequence(), signal);
      this.log.debug(`SWD ${ack} (${context.what}): line reset, DPIDR read again`);
    } catch (error) {
      // The recovery is best effort: the error of the access itself is what counts.
      if (signal?.aborted) throw signal.reason;
      this.log.debug(`SWD recovery after ${ack} failed: ${String(error)}`);
    }
    return swdAckError(ack, context);
  }

  /** Sleeps before WAIT retry `attempt` (0-based); false when the retries are used up. */
  async backOff(attempt: number, signal?: AbortSignal): Promise<boolean> {
    if (attempt >= this.waitRetry.retries) return false;
    await sleep(this.waitRetry.firstDelayMs * 2 ** attempt, signal);
    return true;
  }

  /**
   * One batch of register accesses (built again for each attempt, as SELECT may need writing
   * again), retried after WAIT; returns its reads. Call it inside `exclusive`.
   */
  async registerBatch(
    build: () => DapTransfer[],
    what: string,
    apsel: number | undefined,
    signal?: AbortSignal,
  ): Promise<readonly number[]> {
    for (let attempt = 0; ; attempt++) {
      const result = await this.transfer(build(), signal);
      if (result.ack === 'ok') return result.reads.map((value) => value >>> 0);
      if (result.ack === 'wait' && (await this.backOff(attempt, signal))) continue;
      throw await this.recover(result, { what, apsel }, signal);
    }
  }

  async #registerAccess(
    build: () => DapTransfer[],
    what: string,
    apsel: number | undefined,
    signal?: AbortSignal,
  ): Promise<number> {
    const reads = await this.registerBatch(build, what, apsel, signal);
    return reads[0] ?? 0;
  }

  async readDp(register: number, signal?: AbortSignal): Promise<number> {
    checkRegister('DP', register);
    return this.exclusive(() =>
      this.#registerAccess(
        () => [...this.selectDp(register), { port: 'dp', register: register & 0xc }],
        `DP read of ${dpRegisterName(register)}`,
        undefined,
        signal,
      ),
    );
  }

  async writeDp(register: number, value: number, signal?: AbortSignal): Promise<void> {
    checkRegister('DP', register);
    await this.exclusive(async () => {
      const address = register & 0xc;
      await this.#registerAccess(
        () =>
          address === DpRegister.SELECT
            ? [{ port: 'dp', register: address, value: value >>> 0 }]
            : [...this.selectDp(register), { port: 'dp', register: address, value: value >>> 0 }],
        `DP write of ${dpRegisterName(register)}`,
        undefined,
        signal,
      );
      if (address === DpRegister.SELECT) this.#select = value >>> 0;
    });
  }

  async readAp(apsel: number, register: number, signal?: AbortSignal): Promise<number> {
    checkApsel(apsel);
    checkRegister('AP', register);
    return this.exclusive(() =>
      this.#registerAccess(
        () => [...this.selectAp(apsel, register), { port: 'ap', register: register & 0xc }],
        `read of AP ${apsel} register 0x${register.toString(16).padStart(2, '0')}`,
        apsel,
        signal,
      ),
    );
  }

  async writeAp(
    apsel: number,
    register: number,
    value: number,
    signal?: AbortSignal,
  ): Promise<void> {
    checkApsel(apsel);
    checkRegister('AP', register);
    await this.exclusive(async () => {
      await this.#registerAccess(
        () => [
          ...this.selectAp(apsel, register),
          { port: 'ap', register: register & 0xc, value: value >>> 0 },
        ],
        `write of AP ${apsel} register 0x${register.toString(16).padStart(2, '0')}`,
        apsel,
        signal,
      );
      // A CSW written from outside is not what the MEM-AP port last wrote.
      if (register === 0x00) this.cswCache.delete(apsel);
    });
  }
}

function dpRegisterName(register: number): string {
  const name = dpNames[register & 0xc] ?? `0x${register.toString(16)}`;
  const bank = register >>> 4;
  return bank === 0 ? name : `${name} bank ${bank}`;
}
