import { FlashwrightError } from '@flashwright/core';
import { type Logger, withTimeout } from '@flashwright/core/plugin';
import type { ByteLink } from './byte-link.js';
import { decodeConsoleOutput, isConsoleOutput } from './commands/console-output.js';
import { isStopReply, parseStopReply, type StopReply } from './commands/stop-reply.js';
import { latin1Text } from './rsp/bytes.js';
import { ACK, INTERRUPT, NAK, encodePacket } from './rsp/frame.js';
import { PacketReader, type ReaderEvent } from './rsp/packet-reader.js';

export interface RspClientOptions {
  /** How long a request may wait for its reply. */
  readonly requestTimeoutMs?: number | undefined;
  /** In ack mode: how long to wait for '+' before taking the packet as dropped. */
  readonly ackTimeoutMs?: number | undefined;
  /** How often to resend a packet the server answered with '-'. */
  readonly maxRetransmits?: number | undefined;
  /** After a timeout or abort, how long a late reply is still expected (and discarded). */
  readonly orphanGraceMs?: number | undefined;
  readonly log?: Logger | undefined;
}

export interface RequestOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
  /**
   * Which replies answer this request. Others are events: stop replies update the run
   * state, console output goes to `onOutput`. By default every reply that is neither.
   */
  readonly accept?: ((text: string) => boolean) | undefined;
  /** Console output ("O" packets) received while the request runs, e.g. from qRcmd. */
  readonly onOutput?: ((text: string) => void) | undefined;
}

export interface RspStats {
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly retransmits: number;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

interface PendingReply extends Waiter<Uint8Array> {
  readonly accept: (text: string) => boolean;
  readonly onOutput: ((text: string) => void) | undefined;
}

const defaults = {
  requestTimeoutMs: 5000,
  ackTimeoutMs: 1000,
  maxRetransmits: 3,
  orphanGraceMs: 250,
};

function defaultAccept(text: string): boolean {
  return !isStopReply(text) && !isConsoleOutput(text);
}

function deferred<T>(): { promise: Promise<T>; waiter: Waiter<T> } {
  let waiter!: Waiter<T>;
  const promise = new Promise<T>((resolve, reject) => (waiter = { resolve, reject }));
  return { promise, waiter };
}

/**
 * One RSP conversation over a byte link: frames requests, handles '+'/'-' acknowledgement
 * (until no-ack mode), matches replies to requests one at a time, and keeps stop replies
 * and console output that arrive on their own apart from replies.
 */
export class RspClient {
  readonly #link: ByteLink;
  readonly #reader = new PacketReader();
  readonly #options: typeof defaults;
  readonly #log: Logger | undefined;
  #ackMode = true;
  #closed: Error | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #pending: PendingReply | undefined;
  #ackWaiter: Waiter<'ack' | 'nak'> | undefined;
  #orphan: { accept: (text: string) => boolean; settled: Promise<void>; done(): void } | undefined;
  #stopWaiters: Waiter<StopReply>[] = [];
  #running = false;
  #lastStop: StopReply | undefined;
  #stats = { packetsSent: 0, packetsReceived: 0, bytesSent: 0, bytesReceived: 0, retransmits: 0 };

  constructor(link: ByteLink, options: RspClientOptions = {}) {
    this.#link = link;
    this.#log = options.log;
    this.#options = {
      requestTimeoutMs: options.requestTimeoutMs ?? defaults.requestTimeoutMs,
      ackTimeoutMs: options.ackTimeoutMs ?? defaults.ackTimeoutMs,
      maxRetransmits: options.maxRetransmits ?? defaults.maxRetransmits,
      orphanGraceMs: options.orphanGraceMs ?? defaults.orphanGraceMs,
    };
    link.attach({
      data: (bytes) => this.#onData(bytes),
      closed: (error) => this.#onClosed(error),
    });
  }

  get description(): string {
    return this.#link.description;
  }

  get ackMode(): boolean {
    return this.#ackMode;
  }

  /** True after a resume until a stop reply arrives. */
  get running(): boolean {
    return this.#running;
  }

  get lastStop(): StopReply | undefined {
    return this.#lastStop;
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  stats(): RspStats {
    return { ...this.#stats };
  }

  /** Call once the server accepted QStartNoAckMode: from now on nobody sends '+'. */
  disableAcks(): void {
    this.#ackMode = false;
  }

  /** Sends one packet and returns the payload of the reply that answers it. */
  request(payload: string | Uint8Array, options: RequestOptions = {}): Promise<Uint8Array> {
    return this.#exclusive(() => this.#transact(payload, options));
  }

  async requestText(payload: string | Uint8Array, options: RequestOptions = {}): Promise<string> {
    return latin1Text(await this.request(payload, options));
  }

  /** Sends a resume packet (c, vCont;c): its answer is a stop reply, whenever that comes. */
  resume(payload: string, options: RequestOptions = {}): Promise<void> {
    return this.#exclusive(async () => {
      await this.#settleOrphan();
      this.#running = true;
      await this.#sendFrame(encodePacket(payload), options);
    });
  }

  /** Sends Ctrl-C and waits for the stop reply. Returns at once if the target is stopped. */
  interrupt(options: RequestOptions = {}): Promise<StopReply | undefined> {
    return this.#exclusive(async () => {
      if (!this.#running) return this.#lastStop;
      const { promise, waiter } = deferred<StopReply>();
      this.#stopWaiters.push(waiter);
      this.#write(INTERRUPT);
      try {
        return await this.#wait(promise, options, 'stop after interrupt (Ctrl-C)');
      } finally {
        this.#stopWaiters = this.#stopWaiters.filter((w) => w !== waiter);
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed === undefined) this.#onClosed();
    await this.#link.close();
  }

  // -------------------------------------------------------------------------------------

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(work, work);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #transact(payload: string | Uint8Array, options: RequestOptions): Promise<Uint8Array> {
    await this.#settleOrphan();
    const { promise, waiter } = deferred<Uint8Array>();
    const pending: PendingReply = {
      ...waiter,
      accept: options.accept ?? defaultAccept,
      onOutput: options.onOutput,
    };
    this.#pending = pending;
    try {
      await this.#sendFrame(encodePacket(payload), options);
      return await this.#wait(promise, options, 'reply');
    } catch (error) {
      if (this.#pending === pending) this.#orphanPending(pending);
      throw error;
    } finally {
      if (this.#pending === pending) this.#pending = undefined;
    }
  }

  /** Sends a frame; in ack mode waits for '+', resending on '-'. */
  async #sendFrame(frame: Uint8Array, options: RequestOptions): Promise<void> {
    this.#throwIfClosed();
    options.signal?.throwIfAborted();
    for (let attempt = 0; ; attempt++) {
      if (!this.#ackMode) {
        this.#write(frame);
        this.#stats.packetsSent++;
        return;
      }
      const { promise, waiter } = deferred<'ack' | 'nak'>();
      this.#ackWaiter = waiter;
      this.#write(frame);
      this.#stats.packetsSent++;
      let answer: 'ack' | 'nak';
      try {
        answer = await this.#wait(
          promise,
          { ...options, timeoutMs: Math.min(this.#timeout(options), this.#options.ackTimeoutMs) },
          'acknowledgement (+)',
        );
      } finally {
        this.#ackWaiter = undefined;
      }
      if (answer === 'ack') return;
      if (attempt >= this.#options.maxRetransmits) {
        throw new FlashwrightError(
          'PROBE_PROTOCOL_ERROR',
          `The GDB server at ${this.description} rejected a packet ${attempt + 1} times (bad checksum)`,
          {
            hint: 'The connection corrupts data. Check the server and any serial bridge in between.',
          },
        );
      }
      this.#stats.retransmits++;
    }
  }

  #timeout(options: RequestOptions): number {
    return options.timeoutMs ?? this.#options.requestTimeoutMs;
  }

  async #wait<T>(promise: Promise<T>, options: RequestOptions, what: string): Promise<T> {
    const timeoutMs = this.#timeout(options);
    return withTimeout(
      promise,
      timeoutMs,
      () =>
        new FlashwrightError(
          'PROBE_TIMEOUT',
          `The GDB server at ${this.description} sent no ${what} within ${timeoutMs} ms`,
          {
            hint: 'Check that the server still runs and the target is powered; a packet above the server’s size limit can also be dropped without an answer.',
            details: { waitingFor: what, timeoutMs },
          },
        ),
      options.signal,
    );
  }

  /** A request given up on: its reply may still come, and must not answer the next one. */
  #orphanPending(pending: PendingReply): void {
    const { promise, waiter } = deferred<void>();
    this.#orphan = { accept: pending.accept, settled: promise, done: () => waiter.resolve() };
  }

  async #settleOrphan(): Promise<void> {
    const orphan = this.#orphan;
    if (orphan === undefined) return;
    const timer = new Promise<void>((resolve) => setTimeout(resolve, this.#options.orphanGraceMs));
    await Promise.race([orphan.settled, timer]);
    if (this.#orphan === orphan) this.#orphan = undefined;
  }

  #write(bytes: Uint8Array): void {
    this.#throwIfClosed();
    this.#stats.bytesSent += bytes.length;
    this.#link.send(bytes);
  }

  #throwIfClosed(): void {
    if (this.#closed !== undefined) {
      throw new FlashwrightError(
        'PROBE_DISCONNECTED',
        `The connection to the GDB server at ${this.description} is closed`,
        { cause: this.#closed, hint: 'Check that the GDB server still runs, then run again.' },
      );
    }
  }

  #onData(bytes: Uint8Array): void {
    this.#stats.bytesReceived += bytes.length;
    for (const event of this.#reader.push(bytes)) this.#onEvent(event);
  }

  #onEvent(event: ReaderEvent): void {
    switch (event.kind) {
      case 'ack':
      case 'nak':
        this.#ackWaiter?.resolve(event.kind);
        return;
      case 'corrupt':
        this.#log?.debug(`gdb: packet with a bad checksum from ${this.description}`);
        if (this.#ackMode) this.#link.send(NAK);
        return;
      case 'notification':
        this.#log?.debug(`gdb: notification ignored: ${latin1Text(event.payload).slice(0, 60)}`);
        return;
      case 'packet':
        if (this.#ackMode) this.#link.send(ACK);
        this.#stats.packetsReceived++;
        this.#onPacket(event.payload);
    }
  }

  #onPacket(payload: Uint8Array): void {
    const text = latin1Text(payload);
    if (isStopReply(text)) this.#onStop(text);
    const pending = this.#pending;
    if (pending !== undefined && pending.accept(text)) {
      this.#pending = undefined;
      pending.resolve(payload);
      return;
    }
    if (isConsoleOutput(text)) {
      const output = decodeConsoleOutput(text)!;
      if (pending?.onOutput !== undefined) pending.onOutput(output);
      else this.#log?.info(`gdb server: ${output.trimEnd()}`);
      return;
    }
    if (isStopReply(text)) return;
    const orphan = this.#orphan;
    if (orphan !== undefined && orphan.accept(text)) {
      this.#log?.debug(`gdb: late reply to an abandoned request discarded: ${text.slice(0, 40)}`);
      this.#orphan = undefined;
      orphan.done();
      return;
    }
    this.#log?.debug(`gdb: unexpected packet ignored: ${text.slice(0, 60)}`);
  }

  #onStop(text: string): void {
    const stop = parseStopReply(text);
    if (stop === undefined) return;
    this.#running = false;
    this.#lastStop = stop;
    const waiters = this.#stopWaiters;
    this.#stopWaiters = [];
    for (const waiter of waiters) waiter.resolve(stop);
  }

  #onClosed(error?: Error): void {
    if (this.#closed !== undefined) return;
    this.#closed = error ?? new Error('closed');
    const failure = new FlashwrightError(
      'PROBE_DISCONNECTED',
      `The GDB server at ${this.description} closed the connection`,
      { cause: error, hint: 'Check that the GDB server still runs, then run again.' },
    );
    this.#pending?.reject(failure);
    this.#ackWaiter?.reject(failure);
    for (const waiter of this.#stopWaiters) waiter.reject(failure);
    this.#stopWaiters = [];
    this.#orphan?.done();
  }
}
