import {
  fieldBytes,
  hasCap,
  layouts,
  packetName,
  PacketType,
  type CapName,
  type FieldSpec,
  type PacketName,
} from './protocol.js';

/** A header field's value: an integer, 32 integers, or the hello's version string. */
export type FieldValue = number | bigint | readonly number[] | string;

/**
 * One usbredir packet: its type, the id of the header, the type-specific header fields
 * by their names in usbredirproto.h, and the data that follows. A hello carries its
 * capability words as the field `capabilities`.
 */
export interface Packet {
  readonly name: PacketName;
  readonly id: bigint;
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly data: Uint8Array;
}

export interface PacketInit {
  readonly name: PacketName;
  readonly id?: bigint | number;
  readonly fields?: Readonly<Record<string, FieldValue>>;
  readonly data?: Uint8Array;
}

export class UsbredirProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsbredirProtocolError';
  }
}

/** Packets longer than this are refused (usbredirparser caps bulk data at 128 MiB; no probe needs 1). */
const MAX_PACKET_BYTES = 16 * 1024 * 1024;

/** A numeric field of a decoded packet (0 when absent). */
export function num(packet: Packet, name: string): number {
  const value = packet.fields[name];
  return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : 0;
}

/** An array field of a decoded packet. */
export function list(packet: Packet, name: string): readonly number[] {
  const value = packet.fields[name];
  return Array.isArray(value) ? (value as readonly number[]) : [];
}

/**
 * Encodes and decodes usbredir packets for one connection. Which optional fields a packet
 * has, and whether header ids are 32 or 64 bits, depends on the capabilities both sides
 * announced: until the peer's hello has been decoded only a hello can be encoded, and the
 * hello always has a 32-bit id ("the hello packet always has 32 bits id fields").
 */
export class UsbredirCodec {
  #buffer = new Uint8Array(0);
  #peerCaps: readonly number[] | undefined;

  constructor(readonly ownCaps: readonly number[]) {}

  get peerCaps(): readonly number[] | undefined {
    return this.#peerCaps;
  }

  /** Whether both sides have the capability (false until the peer's hello is in). */
  both(cap: CapName): boolean {
    return this.#peerCaps !== undefined && hasCap(this.ownCaps, cap) && hasCap(this.#peerCaps, cap);
  }

  #idBytes(name: PacketName): 4 | 8 {
    return name !== 'hello' && this.both('64bits_ids') ? 8 : 4;
  }

  #present(spec: FieldSpec): boolean {
    return spec.cap === undefined || this.both(spec.cap);
  }

  /** Size of the type-specific header of this type under the negotiated capabilities. */
  headerBytes(name: PacketName): number {
    return layouts[name]
      .filter((s) => this.#present(s))
      .reduce((n, s) => n + fieldBytes(s.kind), 0);
  }

  encode(init: PacketInit): Uint8Array {
    if (init.name !== 'hello' && this.#peerCaps === undefined) {
      throw new UsbredirProtocolError(`cannot send ${init.name} before the peer's hello`);
    }
    const fields = init.fields ?? {};
    const specs = layouts[init.name].filter((s) => this.#present(s));
    const capabilities =
      init.name === 'hello' ? ((fields.capabilities as readonly number[] | undefined) ?? []) : [];
    const data = init.data ?? new Uint8Array(0);
    const idBytes = this.#idBytes(init.name);
    const body = this.headerBytes(init.name) + 4 * capabilities.length + data.length;
    const out = new Uint8Array(8 + idBytes + body);
    const view = new DataView(out.buffer);
    view.setUint32(0, PacketType[init.name], true);
    view.setUint32(4, body, true);
    const id = BigInt(init.id ?? 0);
    if (idBytes === 8) view.setBigUint64(8, id, true);
    else view.setUint32(8, Number(id & 0xffffffffn), true);
    let offset = 8 + idBytes;
    for (const spec of specs) {
      writeField(view, offset, spec, fields[spec.name]);
      offset += fieldBytes(spec.kind);
    }
    for (const word of capabilities) {
      view.setUint32(offset, word >>> 0, true);
      offset += 4;
    }
    out.set(data, offset);
    return out;
  }

  /** Feeds received bytes; returns every packet they complete, in order. */
  push(bytes: Uint8Array): Packet[] {
    const joined = new Uint8Array(this.#buffer.length + bytes.length);
    joined.set(this.#buffer);
    joined.set(bytes, this.#buffer.length);
    const packets: Packet[] = [];
    let offset = 0;
    for (;;) {
      const packet = this.#decodeAt(joined, offset);
      if (!packet) break;
      packets.push(packet.packet);
      offset = packet.end;
    }
    this.#buffer = joined.slice(offset);
    return packets;
  }

  #decodeAt(bytes: Uint8Array, start: number): { packet: Packet; end: number } | undefined {
    if (bytes.length - start < 8) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset + start, bytes.length - start);
    const type = view.getUint32(0, true);
    const length = view.getUint32(4, true);
    const name = packetName(type);
    if (name === undefined) throw new UsbredirProtocolError(`unknown packet type ${type}`);
    if (name !== 'hello' && this.#peerCaps === undefined) {
      throw new UsbredirProtocolError(`${name} received before the peer's hello`);
    }
    if (length > MAX_PACKET_BYTES) {
      throw new UsbredirProtocolError(
        `${name} of ${length} bytes is longer than ${MAX_PACKET_BYTES}`,
      );
    }
    const idBytes = this.#idBytes(name);
    const total = 8 + idBytes + length;
    if (bytes.length - start < total) return undefined;
    const id = idBytes === 8 ? view.getBigUint64(8, true) : BigInt(view.getUint32(8, true));
    const headerBytes = this.headerBytes(name);
    if (length < headerBytes) {
      throw new UsbredirProtocolError(
        `${name} is ${length} bytes, shorter than its ${headerBytes}-byte header`,
      );
    }
    const fields: Record<string, FieldValue> = {};
    let offset = 8 + idBytes;
    for (const spec of layouts[name]) {
      if (!this.#present(spec)) continue;
      fields[spec.name] = readField(view, offset, spec);
      offset += fieldBytes(spec.kind);
    }
    let data = bytes.slice(start + offset, start + total);
    if (name === 'hello') {
      const words: number[] = [];
      const dataView = new DataView(data.buffer, data.byteOffset, data.byteLength);
      for (let i = 0; i + 4 <= data.length; i += 4) words.push(dataView.getUint32(i, true));
      fields.capabilities = words;
      data = new Uint8Array(0);
      this.#peerCaps = words;
    }
    return { packet: { name, id, fields, data }, end: start + total };
  }
}

function writeField(
  view: DataView,
  offset: number,
  spec: FieldSpec,
  value: FieldValue | undefined,
): void {
  const scalar = typeof value === 'number' || typeof value === 'bigint' ? Number(value) : 0;
  const array = Array.isArray(value) ? (value as readonly number[]) : [];
  switch (spec.kind) {
    case 'u8':
      view.setUint8(offset, scalar);
      return;
    case 'u16':
      view.setUint16(offset, scalar, true);
      return;
    case 'u32':
      view.setUint32(offset, scalar >>> 0, true);
      return;
    case 'u64':
      view.setBigUint64(offset, typeof value === 'bigint' ? value : BigInt(scalar), true);
      return;
    case 'u8x32':
      for (let i = 0; i < 32; i++) view.setUint8(offset + i, array[i] ?? 0);
      return;
    case 'u16x32':
      for (let i = 0; i < 32; i++) view.setUint16(offset + 2 * i, array[i] ?? 0, true);
      return;
    case 'u32x32':
      for (let i = 0; i < 32; i++) view.setUint32(offset + 4 * i, (array[i] ?? 0) >>> 0, true);
      return;
    case 'char64': {
      const text = new TextEncoder().encode(typeof value === 'string' ? value : '');
      // 63 bytes at most: the string is 0-terminated inside its 64 bytes.
      for (let i = 0; i < 64; i++) view.setUint8(offset + i, i < 63 ? (text[i] ?? 0) : 0);
      return;
    }
  }
}

function readField(view: DataView, offset: number, spec: FieldSpec): FieldValue {
  switch (spec.kind) {
    case 'u8':
      return view.getUint8(offset);
    case 'u16':
      return view.getUint16(offset, true);
    case 'u32':
      return view.getUint32(offset, true);
    case 'u64':
      return view.getBigUint64(offset, true);
    case 'u8x32':
      return Array.from({ length: 32 }, (_, i) => view.getUint8(offset + i));
    case 'u16x32':
      return Array.from({ length: 32 }, (_, i) => view.getUint16(offset + 2 * i, true));
    case 'u32x32':
      return Array.from({ length: 32 }, (_, i) => view.getUint32(offset + 4 * i, true));
    case 'char64': {
      const raw = new Uint8Array(view.buffer, view.byteOffset + offset, 64);
      const end = raw.indexOf(0);
      return new TextDecoder().decode(raw.subarray(0, end < 0 ? 64 : end));
    }
  }
}
