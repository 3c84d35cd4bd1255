import { rspChecksum } from './checksum.js';
import { expandRunLength } from './run-length.js';

/** What the reader found in the incoming byte stream. */
export type ReaderEvent =
  | { readonly kind: 'ack' }
  | { readonly kind: 'nak' }
  /** A packet with a good checksum; run-length encoding expanded, binary escapes kept. */
  | { readonly kind: 'packet'; readonly payload: Uint8Array }
  /** A '%' notification (non-stop mode); same decoding as a packet. */
  | { readonly kind: 'notification'; readonly payload: Uint8Array }
  /** A framed packet whose checksum (or run-length encoding) is wrong: answer with '-'. */
  | { readonly kind: 'corrupt'; readonly raw: Uint8Array };

const DOLLAR = 0x24;
const PERCENT = 0x25;
const HASH = 0x23;

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}

/**
 * Incremental RSP decoder: feed it whatever the link delivers, in pieces of any size, and
 * it returns the events completed so far. Bytes outside packets other than '+' and '-'
 * (line noise, a server's banner) are skipped.
 */
export class PacketReader {
  #buffer: number[] = [];
  #inPacket = false;
  #notification = false;
  /** Bytes after '#' still to come: 2 for the checksum digits. */
  #checksumDigits: number[] | undefined;

  push(chunk: Uint8Array): ReaderEvent[] {
    const events: ReaderEvent[] = [];
    for (const byte of chunk) {
      const event = this.#step(byte);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  #step(byte: number): ReaderEvent | undefined {
    if (this.#checksumDigits !== undefined) {
      this.#checksumDigits.push(byte);
      return this.#checksumDigits.length === 2 ? this.#finish() : undefined;
    }
    if (this.#inPacket) {
      if (byte === HASH) this.#checksumDigits = [];
      else if (byte === DOLLAR)
        this.#buffer = []; // a new start: the old packet was cut off
      else this.#buffer.push(byte);
      return undefined;
    }
    if (byte === 0x2b) return { kind: 'ack' };
    if (byte === 0x2d) return { kind: 'nak' };
    if (byte === DOLLAR || byte === PERCENT) {
      this.#inPacket = true;
      this.#notification = byte === PERCENT;
      this.#buffer = [];
    }
    return undefined;
  }

  #finish(): ReaderEvent {
    const [high, low] = this.#checksumDigits!;
    const raw = Uint8Array.from(this.#buffer);
    const notification = this.#notification;
    this.#checksumDigits = undefined;
    this.#inPacket = false;
    this.#buffer = [];
    const expected = hexValue(high) * 16 + hexValue(low);
    if (hexValue(high) < 0 || hexValue(low) < 0 || expected !== rspChecksum(raw)) {
      return { kind: 'corrupt', raw };
    }
    const payload = expandRunLength(raw);
    if (payload === undefined) return { kind: 'corrupt', raw };
    return notification ? { kind: 'notification', payload } : { kind: 'packet', payload };
  }
}
