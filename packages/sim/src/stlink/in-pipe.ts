/**
 * A bulk IN endpoint as the host sees it: responses queue up as USB packets (split at the
 * endpoint's packet size, the last one short) and stay queued until read. A read collects
 * packets until it has `length` bytes or meets a short packet; a packet larger than the
 * room left overflows ("babble", the rest of that packet is lost) as on libusb. A read on an
 * empty pipe waits for data until its timeout, like node-usb's WebUSB transferIn (1000 ms by
 * default), then fails with LIBUSB_TRANSFER_TIMED_OUT.
 */
export interface InPipeResult {
  readonly status: 'ok' | 'babble';
  readonly data: Uint8Array;
}

interface Waiter {
  readonly length: number;
  readonly collected: Uint8Array[];
  readonly resolve: (result: InPipeResult) => void;
  readonly reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class TransferTimeoutError extends Error {
  /** libusb's transfer status for a timeout, as node-usb reports it. */
  readonly errno = 2;
  constructor() {
    super('LIBUSB_TRANSFER_TIMED_OUT');
    this.name = 'Error';
  }
}

export class InPipe {
  readonly #packets: Uint8Array[] = [];
  readonly #waiters: Waiter[] = [];

  constructor(readonly packetSize: number) {}

  /** Bytes waiting to be read. */
  get queuedBytes(): number {
    return this.#packets.reduce((n, p) => n + p.length, 0);
  }

  /** Queues one response (one IN transfer's worth of data). */
  push(response: Uint8Array): void {
    for (let offset = 0; offset < response.length; offset += this.packetSize) {
      this.#packets.push(response.slice(offset, offset + this.packetSize));
    }
    this.#pump();
  }

  read(length: number, timeoutMs: number): Promise<InPipeResult> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { length, collected: [], resolve, reject, timer: undefined };
      this.#waiters.push(waiter);
      this.#pump();
      if (this.#waiters.includes(waiter)) {
        waiter.timer = setTimeout(() => {
          this.#remove(waiter);
          reject(new TransferTimeoutError());
        }, timeoutMs);
      }
    });
  }

  /**
   * Fails the pending reads but keeps queued data (the host closed the device). `reason`
   * makes the error, only when a read is pending: every close would otherwise build one (a
   * DOMException with its stack) for nobody.
   */
  abortReads(reason: () => Error): void {
    const waiters = this.#waiters.splice(0);
    if (waiters.length === 0) return;
    const error = reason();
    for (const waiter of waiters) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  /** Drops queued data; with a reason also fails the pending reads (reset, disconnect). */
  clear(reason?: () => Error): void {
    this.#packets.length = 0;
    if (reason) this.abortReads(reason);
  }

  #remove(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index >= 0) this.#waiters.splice(index, 1);
  }

  #pump(): void {
    for (;;) {
      const waiter = this.#waiters[0];
      const packet = this.#packets[0];
      if (!waiter || !packet) return;
      const have = waiter.collected.reduce((n, p) => n + p.length, 0);
      const room = waiter.length - have;
      this.#packets.shift();
      if (packet.length > room) {
        waiter.collected.push(packet.subarray(0, room));
        this.#finish(waiter, 'babble');
        continue;
      }
      waiter.collected.push(packet);
      if (packet.length < this.packetSize || packet.length === room) this.#finish(waiter, 'ok');
    }
  }

  #finish(waiter: Waiter, status: 'ok' | 'babble'): void {
    this.#remove(waiter);
    if (waiter.timer) clearTimeout(waiter.timer);
    const total = waiter.collected.reduce((n, p) => n + p.length, 0);
    const data = new Uint8Array(total);
    let offset = 0;
    for (const part of waiter.collected) {
      data.set(part, offset);
      offset += part.length;
    }
    waiter.resolve({ status, data });
  }
}
