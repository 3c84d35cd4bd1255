import type {
  DapTransfer,
  DapTransferResult,
  SwdAck,
  SwdWire,
  SwdWireLimits,
} from '../../src/adiv5/ports.js';

const dpNames = {
  read: { 0x0: 'DPIDR', 0x4: 'CTRL/STAT', 0x8: 'RESEND', 0xc: 'RDBUFF' },
  write: { 0x0: 'ABORT', 0x4: 'CTRL/STAT', 0x8: 'SELECT', 0xc: 'TARGETSEL' },
} as const;

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

/** One transaction as text: "R DPIDR", "W SELECT 0x000000f0", "R AP 0xc", "W AP 0x4 0x20000000". */
export function formatTransfer(t: DapTransfer): string {
  const rw = t.value === undefined ? 'R' : 'W';
  const name =
    t.port === 'dp'
      ? dpNames[t.value === undefined ? 'read' : 'write'][t.register as 0 | 4 | 8 | 12]
      : `AP 0x${t.register.toString(16)}`;
  return t.value === undefined ? `${rw} ${name}` : `${rw} ${name} ${hex(t.value)}`;
}

export interface ScriptedFailure {
  /** Index of the transaction in the call that gets `ack` (the ones before it complete). */
  readonly at: number;
  readonly ack: Exclude<SwdAck, 'ok'> | 'protocol-error';
}

export interface ScriptedWireOptions {
  readonly limits?: Partial<SwdWireLimits>;
  /** The value of a read; default 0. */
  readonly read?: (port: 'dp' | 'ap', register: number, wire: ScriptedWire) => number | undefined;
  /** The failure of call number `call` (0-based, counting every call), if any. */
  readonly fail?: (call: number, transfers: readonly DapTransfer[]) => ScriptedFailure | undefined;
  /** Answer a macrotask later instead of at once (so that calls overlap). */
  readonly deferred?: boolean;
}

/**
 * An SwdWire for unit tests: it records every call as text (`log`, one entry per call, its
 * transactions joined by ", ") and answers OK with `read`'s values unless `fail` says
 * otherwise.
 */
export class ScriptedWire implements SwdWire {
  readonly limits: SwdWireLimits;
  readonly log: string[] = [];
  calls = 0;
  /** SELECT and AP register 0 (CSW) as last written, for `read`. */
  select = 0;
  csw = 0x03000002;
  inFlight = 0;
  maxInFlight = 0;

  constructor(readonly options: ScriptedWireOptions = {}) {
    this.limits = { maxTransfers: 12, maxBlockWords: 14, callsInFlight: 1, ...options.limits };
  }

  /** The log since the last `take`, emptied. */
  take(): string[] {
    return this.log.splice(0);
  }

  swjSequence(bitCount: number, bits: Uint8Array): Promise<void> {
    const text = Array.from(
      { length: bitCount },
      (_, i) => ((bits[i >> 3] ?? 0) >> (i & 7)) & 1,
    ).join('');
    this.log.push(`swj ${text}`);
    this.calls++;
    return this.#answer(undefined);
  }

  transfer(transfers: readonly DapTransfer[]): Promise<DapTransferResult> {
    if (transfers.length > this.limits.maxTransfers) throw new RangeError('too many transfers');
    this.log.push(transfers.map(formatTransfer).join(', '));
    return this.#answer(this.#run(transfers));
  }

  readBlock(port: 'dp' | 'ap', register: number, count: number): Promise<DapTransferResult> {
    if (count > this.limits.maxBlockWords) throw new RangeError('too many block words');
    this.log.push(`readBlock ${port.toUpperCase()} 0x${register.toString(16)} x${count}`);
    return this.#answer(this.#run(Array.from({ length: count }, () => ({ port, register }))));
  }

  writeBlock(port: 'dp' | 'ap', register: number, words: Uint32Array): Promise<DapTransferResult> {
    if (words.length > this.limits.maxBlockWords) throw new RangeError('too many block words');
    this.log.push(
      `writeBlock ${port.toUpperCase()} 0x${register.toString(16)} [${Array.from(words, hex).join(' ')}]`,
    );
    return this.#answer(this.#run(Array.from(words, (value) => ({ port, register, value }))));
  }

  #run(transfers: readonly DapTransfer[]): DapTransferResult {
    const call = this.calls++;
    const failure = this.options.fail?.(call, transfers);
    const reads: number[] = [];
    for (const [i, t] of transfers.entries()) {
      if (failure !== undefined && i === failure.at)
        return { completed: i, ack: failure.ack, reads };
      if (t.value === undefined) reads.push(this.#read(t.port, t.register) >>> 0);
      else if (t.port === 'dp' && t.register === 0x8) this.select = t.value;
      else if (t.port === 'ap' && t.register === 0x0 && (this.select & 0xf0) === 0)
        this.csw = t.value;
    }
    return { completed: transfers.length, ack: 'ok', reads };
  }

  /**
   * `options.read`, else a healthy SW-DP with an AHB-AP: DPIDR 0x2BA01477, CTRL/STAT with the
   * power-up ACKs, IDR 0x24770011, BASE 0xE00FF003, CSW as written (packing and bytes kept).
   */
  #read(port: 'dp' | 'ap', register: number): number {
    const own = this.options.read?.(port, register, this);
    if (own !== undefined) return own;
    if (port === 'dp') return register === 0 ? 0x2ba01477 : register === 4 ? 0xf0000000 : 0;
    const bank = this.select & 0xf0;
    if (bank === 0xf0) return register === 0xc ? 0x24770011 : register === 0x8 ? 0xe00ff003 : 0;
    return register === 0 ? this.csw | 0x40 : 0;
  }

  async #answer<T>(value: T): Promise<T> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (this.options.deferred === true) await new Promise((resolve) => setImmediate(resolve));
    this.inFlight--;
    return value;
  }
}
