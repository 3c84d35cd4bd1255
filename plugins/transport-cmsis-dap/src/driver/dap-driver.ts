import { throwIfAborted } from '@flashwright/core/plugin';
import type { DapCommand } from '../protocol/command.js';
import type { PacketChannel } from '../usb/packet-channel.js';

/** Packet size and count to assume before DAP_Info has told them: one 64-byte packet. */
const INITIAL_PACKET_BYTES = 64;

/**
 * Sends CMSIS-DAP commands and matches their responses, keeping as many commands at the
 * probe as it buffers (DAP_Info Packet Count): the probe answers in the order it received
 * them (CMSIS-DAP specification, "Communication": commands are executed in sequence), so
 * responses are read in order and given to their commands. A command is written once a
 * buffer is free; an abort is honoured before a command is sent, never between a command
 * and its response, so the link stays in step.
 */
export class DapDriver {
  #packetBytes = INITIAL_PACKET_BYTES;
  #packetCount = 1;
  #inFlight = 0;
  /** Most commands that were ever at the probe at once (for tests). */
  #peakInFlight = 0;
  readonly #waiting: (() => void)[] = [];
  #writes: Promise<void> = Promise.resolve();
  #reads: Promise<void> = Promise.resolve();

  constructor(readonly channel: PacketChannel) {}

  get packetBytes(): number {
    return this.#packetBytes;
  }

  get packetCount(): number {
    return this.#packetCount;
  }

  get peakInFlight(): number {
    return this.#peakInFlight;
  }

  /** What DAP_Info reported; packets are at most that large and that many are in flight. */
  configure(packetBytes: number, packetCount: number): void {
    this.#packetBytes = packetBytes;
    this.#packetCount = Math.max(1, packetCount);
    this.channel.packetBytes = packetBytes;
    this.#wake();
  }

  async send<R>(command: DapCommand<R>, signal?: AbortSignal): Promise<R> {
    if (command.request.length > this.#packetBytes) {
      throw new RangeError(
        `${command.name} of ${command.request.length} bytes exceeds the probe's ${this.#packetBytes}-byte packets`,
      );
    }
    await this.#acquire(signal);
    try {
      const written = this.#writes.then(() => this.channel.write(command.request));
      this.#writes = written.catch(() => undefined);
      const response = this.#reads.then(() => written).then(() => this.channel.read());
      this.#reads = response.then(
        () => undefined,
        () => undefined,
      );
      return command.decode(await response);
    } finally {
      this.#release();
    }
  }

  async #acquire(signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    while (this.#inFlight >= this.#packetCount) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
      throwIfAborted(signal);
    }
    this.#inFlight++;
    this.#peakInFlight = Math.max(this.#peakInFlight, this.#inFlight);
  }

  #release(): void {
    this.#inFlight--;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiting.splice(0);
    for (const wake of waiters) wake();
  }
}
