/**
 * An IN endpoint seen through usbredir: the usb-guest queues IN requests (bulk packets)
 * and may cancel them; the device is read one request at a time. The device's transferIn
 * is called with a per-try timeout (node-usb's third argument; a WebUSB device that waits
 * until data arrives ignores it) and retried until the request is answered or cancelled.
 * Data that arrives for a request cancelled while it was being read stays here and
 * answers the next request, as it would stay in a real device's FIFO.
 */
export interface InRequest {
  readonly id: bigint;
  readonly length: number;
  cancelled: boolean;
}

export type InOutcome =
  | { readonly kind: 'data'; readonly status: 'ok' | 'babble'; readonly data: Uint8Array }
  | { readonly kind: 'stall' }
  | { readonly kind: 'error'; readonly error: unknown };

export interface InEndpointHooks {
  /** One read try; throws a timeout error (see isTimeout) when the device had nothing. */
  read(length: number): Promise<InOutcome>;
  /** Answers the request (never called for a cancelled one). */
  answer(request: InRequest, outcome: InOutcome): void;
  /** Whether reads should stop (device gone, connection closed). */
  stopped(): boolean;
}

export class InEndpoint {
  readonly #queue: InRequest[] = [];
  #stash: InOutcome | undefined;
  #running = false;

  constructor(readonly hooks: InEndpointHooks) {}

  get pending(): readonly InRequest[] {
    return this.#queue;
  }

  submit(request: InRequest): void {
    this.#queue.push(request);
    if (!this.#running) void this.#run();
  }

  /** Removes a request; returns it when it was still unanswered. */
  cancel(id: bigint): InRequest | undefined {
    const request = this.#queue.find((r) => r.id === id);
    if (!request) return undefined;
    request.cancelled = true;
    this.#queue.splice(this.#queue.indexOf(request), 1);
    return request;
  }

  /** Drops every request and stashed data (reset, configuration change); returns the dropped requests. */
  flush(): InRequest[] {
    const dropped = this.#queue.splice(0);
    for (const request of dropped) request.cancelled = true;
    this.#stash = undefined;
    return dropped;
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      for (;;) {
        const request = this.#queue[0];
        if (!request || this.hooks.stopped()) return;
        const outcome = this.#stash ?? (await this.#readFor(request));
        this.#stash = undefined;
        if (outcome === undefined) continue;
        if (request.cancelled) {
          if (outcome.kind === 'data') this.#stash = outcome;
          continue;
        }
        this.#queue.shift();
        this.hooks.answer(request, outcome);
      }
    } finally {
      this.#running = false;
    }
  }

  /** Reads until data, a stall or an error; undefined when the request was cancelled first. */
  async #readFor(request: InRequest): Promise<InOutcome | undefined> {
    for (;;) {
      if (request.cancelled || this.hooks.stopped()) return undefined;
      const outcome = await this.hooks.read(request.length);
      if (outcome.kind === 'error' && isTimeout(outcome.error)) continue;
      return outcome;
    }
  }
}

/** node-usb's LIBUSB_TRANSFER_TIMED_OUT (errno 2), as the virtual probes throw it too. */
export function isTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (error as { errno?: unknown }).errno === 2 || /TIMED_OUT/.test(error.message);
}
