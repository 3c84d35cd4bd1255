/**
 * An in-process GDB server for tests: speaks RSP (framing, acks, no-ack mode, escapes) over
 * an in-memory link, serves memory, registers, target.xml, a memory map with vFlash, and
 * monitor commands, and can misbehave on request (drop big packets, truncate writes, fail).
 * Its packet parsing is written independently of the product's codec on purpose.
 */
import type { ByteLink, ByteLinkHandlers } from '../../src/byte-link.js';

export interface FakeFlash {
  readonly start: number;
  readonly end: number;
  readonly blockSize: number;
}

export interface FakeGdbServerOptions {
  /** PacketSize to announce; undefined announces none. */
  packetSize?: number | undefined;
  offerNoAck?: boolean;
  binaryWrites?: boolean;
  multiprocess?: boolean;
  /** Packets with a payload longer than this vanish without ack or reply (QEMU does this). */
  dropPayloadAbove?: number;
  /** M/X writes longer than this store only this many bytes but still answer OK. */
  truncateWritesAbove?: number;
  /** m requests longer than this answer E22. */
  maxReadBytes?: number;
  /** m replies stop after this many bytes (partial reads). */
  partialReadBytes?: number;
  /** Accesses touching [start, end) answer E0E. */
  faultRange?: { start: number; end: number };
  /** target.xml and its includes, by annex name; absent means no qXfer:features. */
  features?: Record<string, string>;
  registerPackets?: boolean;
  flash?: FakeFlash;
  /** Serve a broken memory map. */
  memoryMapXml?: string;
  /** Monitor commands that work; others print "unknown command". undefined: no qRcmd at all. */
  monitorCommands?: string[] | undefined;
  /** Packets sent as soon as the client attaches (e.g. an unsolicited stop reply). */
  greeting?: string[];
  /** Corrupt the checksum of the first N replies (the client must NAK them). */
  corruptReplies?: number;
  /** NAK the first N packets received. */
  nakPackets?: number;
  /** Use run-length encoding in hex replies. */
  runLengthReplies?: boolean;
  /** Packet prefixes never answered. */
  silentFor?: string[];
  /** Answer qSupported? false makes the fake look like something else entirely. */
  speaksRsp?: boolean;
}

const enc = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
const dec = (bytes: Uint8Array): string => String.fromCharCode(...bytes);
const hex = (bytes: Uint8Array): string =>
  [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
const unhex = (text: string): Uint8Array =>
  Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));

function sum(bytes: Uint8Array): number {
  let s = 0;
  for (const b of bytes) s = (s + b) & 0xff;
  return s;
}

function escape(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const b of bytes) {
    if (b === 0x23 || b === 0x24 || b === 0x7d || b === 0x2a) out.push(0x7d, b ^ 0x20);
    else out.push(b);
  }
  return Uint8Array.from(out);
}

function unescape(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++)
    out.push(bytes[i] === 0x7d ? bytes[++i]! ^ 0x20 : bytes[i]!);
  return Uint8Array.from(out);
}

/** Run-length encodes runs of 4+ identical characters (count char = extra repeats + 29). */
function runLength(text: string): string {
  let out = '';
  for (let i = 0; i < text.length;) {
    let run = 1;
    while (i + run < text.length && text[i + run] === text[i] && run < 60) run++;
    const extra = run - 1;
    // Counts that would print as '#' (6) or '$' (7) are avoided, as the protocol requires.
    if (extra >= 3 && extra !== 6 && extra !== 7) {
      out += `${text[i]}*${String.fromCharCode(extra + 29)}`;
    } else {
      out += text.slice(i, i + run);
    }
    i += run;
  }
  return out;
}

export class FakeGdbServer {
  readonly options: FakeGdbServerOptions;
  /** Every packet payload received, as text (binary bytes as latin1). */
  readonly received: string[] = [];
  readonly monitorLog: string[] = [];
  readonly memory = new Map<number, number>();
  readonly registers = new Map<number, number>();
  running = false;
  noAck = false;
  detached = false;
  pendingFlash = new Map<number, number>();
  #inbox: number[] = [];
  #handlers: ByteLinkHandlers | undefined;
  #corruptLeft: number;
  #nakLeft: number;
  #closed = false;

  constructor(options: FakeGdbServerOptions = {}) {
    this.options = {
      packetSize: 0x1000,
      offerNoAck: true,
      binaryWrites: true,
      multiprocess: true,
      registerPackets: true,
      monitorCommands: ['reset halt'],
      speaksRsp: true,
      ...options,
    };
    this.#corruptLeft = options.corruptReplies ?? 0;
    this.#nakLeft = options.nakPackets ?? 0;
  }

  /** The client's end of the link. */
  link(description = 'fake:1234'): ByteLink {
    return {
      description,
      attach: (handlers) => {
        this.#handlers = handlers;
        for (const packet of this.options.greeting ?? []) this.#sendPacket(packet);
      },
      send: (bytes) => {
        const copy = bytes.slice();
        setImmediate(() => this.#receive(copy));
      },
      close: () => {
        this.disconnect();
        return Promise.resolve();
      },
    };
  }

  disconnect(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    setImmediate(() => this.#handlers?.closed(error));
  }

  /** Raw bytes to the client, e.g. garbage or a hand-made frame. */
  sendRaw(text: string): void {
    const bytes = enc(text);
    setImmediate(() => this.#handlers?.data(bytes));
  }

  /** The target stops on its own, e.g. at a breakpoint. */
  stop(signal = 5): void {
    this.running = false;
    this.#sendPacket(`T${signal.toString(16).padStart(2, '0')}thread:p01.01;`);
  }

  read(address: number, length: number): Uint8Array {
    return Uint8Array.from({ length }, (_, i) => this.memory.get(address + i) ?? 0);
  }

  load(address: number, data: Uint8Array): void {
    data.forEach((b, i) => this.memory.set(address + i, b));
  }

  // -------------------------------------------------------------------------------------

  #receive(bytes: Uint8Array): void {
    if (this.#closed) return;
    for (const b of bytes) this.#inbox.push(b);
    for (;;) {
      while (this.#inbox.length > 0 && this.#inbox[0] !== 0x24) {
        const b = this.#inbox.shift()!;
        if (b === 0x03 && this.running) this.stop(2);
      }
      const hash = this.#inbox.indexOf(0x23);
      if (hash < 0 || this.#inbox.length < hash + 3) return;
      const frame = this.#inbox.splice(0, hash + 3);
      const payload = Uint8Array.from(frame.slice(1, hash));
      if (
        this.options.dropPayloadAbove !== undefined &&
        payload.length > this.options.dropPayloadAbove
      )
        continue;
      const checksum = parseInt(dec(Uint8Array.from(frame.slice(hash + 1))), 16);
      if (checksum !== sum(payload)) {
        if (!this.noAck) this.sendRaw('-');
        continue;
      }
      if (this.#nakLeft > 0) {
        this.#nakLeft--;
        this.sendRaw('-');
        continue;
      }
      if (!this.noAck) this.sendRaw('+');
      const text = dec(payload);
      this.received.push(text);
      this.#handle(text, payload);
    }
  }

  #sendPacket(text: string | Uint8Array): void {
    const body = typeof text === 'string' ? enc(text) : text;
    let checksum = sum(body);
    if (this.#corruptLeft > 0) {
      this.#corruptLeft--;
      checksum = (checksum + 1) & 0xff;
    }
    const frame = new Uint8Array(body.length + 4);
    frame[0] = 0x24;
    frame.set(body, 1);
    frame.set(enc(`#${checksum.toString(16).padStart(2, '0')}`), body.length + 1);
    setImmediate(() => this.#handlers?.data(frame));
  }

  #reply(text: string | Uint8Array): void {
    this.#sendPacket(text);
  }

  #hexReply(text: string): void {
    this.#reply(this.options.runLengthReplies === true ? runLength(text) : text);
  }

  #faults(address: number, length: number): boolean {
    const f = this.options.faultRange;
    return f !== undefined && address < f.end && f.start < address + length;
  }

  #handle(text: string, payload: Uint8Array): void {
    const o = this.options;
    if (o.silentFor?.some((p) => text.startsWith(p))) return;
    if (!o.speaksRsp) return;
    if (text.startsWith('qSupported')) {
      const features = [
        o.packetSize === undefined ? undefined : `PacketSize=${o.packetSize.toString(16)}`,
        o.offerNoAck === true ? 'QStartNoAckMode+' : undefined,
        o.features !== undefined ? 'qXfer:features:read+' : undefined,
        o.flash !== undefined || o.memoryMapXml !== undefined
          ? 'qXfer:memory-map:read+'
          : undefined,
        o.multiprocess === true ? 'multiprocess+' : undefined,
      ];
      return this.#reply(features.filter((f) => f !== undefined).join(';'));
    }
    if (text === 'QStartNoAckMode') {
      this.#reply('OK');
      this.noAck = true;
      return;
    }
    if (text === '?') return this.#reply(o.multiprocess === true ? 'T05thread:p01.01;' : 'S05');
    if (text === 'c') {
      this.running = true;
      return;
    }
    if (text.startsWith('D')) {
      this.detached = true;
      return this.#reply('OK');
    }
    if (text.startsWith('m')) return this.#readMemory(text);
    if (text.startsWith('M') || text.startsWith('X')) return this.#writeMemory(text, payload);
    if (text.startsWith('qXfer:features:read:'))
      return this.#xfer(text, 'qXfer:features:read:', (annex) => o.features?.[annex]);
    if (text.startsWith('qXfer:memory-map:read::'))
      return this.#xfer(text, 'qXfer:memory-map:read:', () => this.#memoryMapXml());
    if (text.startsWith('qRcmd,')) return this.#monitor(dec(unhex(text.slice(6))));
    if (text.startsWith('vFlash')) return this.#flashPacket(text, payload);
    if (text === 'g') return this.#hexReply(hex(this.#registerBlock()));
    if (text.startsWith('G')) return this.#writeRegisterBlock(text.slice(1));
    if (text.startsWith('p') && o.registerPackets === true) {
      const value = this.registers.get(parseInt(text.slice(1), 16)) ?? 0;
      return this.#hexReply(
        hex(Uint8Array.of(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24)),
      );
    }
    if (text.startsWith('P') && o.registerPackets === true) {
      const [n, v] = text.slice(1).split('=');
      const b = unhex(v!);
      this.registers.set(
        parseInt(n!, 16),
        (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0,
      );
      return this.#reply('OK');
    }
    this.#reply('');
  }

  #readMemory(text: string): void {
    const [a, l] = text.slice(1).split(',');
    const address = parseInt(a!, 16);
    let length = parseInt(l!, 16);
    if (this.options.maxReadBytes !== undefined && length > this.options.maxReadBytes)
      return this.#reply('E22');
    if (this.#faults(address, length)) return this.#reply('E0E');
    if (this.options.partialReadBytes !== undefined)
      length = Math.min(length, this.options.partialReadBytes);
    this.#hexReply(hex(this.read(address, length)));
  }

  #writeMemory(text: string, payload: Uint8Array): void {
    const binary = text.startsWith('X');
    if (binary && this.options.binaryWrites !== true) return this.#reply('');
    const colon = text.indexOf(':');
    const [a, l] = text.slice(1, colon).split(',');
    const address = parseInt(a!, 16);
    const length = parseInt(l!, 16);
    let data = binary ? unescape(payload.subarray(colon + 1)) : unhex(text.slice(colon + 1));
    if (data.length !== length) return this.#reply('E01');
    if (this.#faults(address, length)) return this.#reply('E0E');
    const cut = this.options.truncateWritesAbove;
    if (cut !== undefined && data.length > cut) data = data.subarray(0, cut);
    this.load(address, data);
    this.#reply('OK');
  }

  #xfer(text: string, prefix: string, content: (annex: string) => string | undefined): void {
    const rest = text.slice(prefix.length);
    const colon = rest.lastIndexOf(':');
    const annex = rest.slice(0, colon);
    const [off, len] = rest.slice(colon + 1).split(',');
    const document = content(annex);
    if (document === undefined) return this.#reply('E00');
    const offset = parseInt(off!, 16);
    const part = document.slice(offset, offset + parseInt(len!, 16));
    const last = offset + part.length >= document.length;
    this.#reply(Uint8Array.from([...enc(last ? 'l' : 'm'), ...escape(enc(part))]));
  }

  #memoryMapXml(): string {
    if (this.options.memoryMapXml !== undefined) return this.options.memoryMapXml;
    const f = this.options.flash!;
    return `<?xml version="1.0"?>\n<!DOCTYPE memory-map PUBLIC "+//IDN gnu.org//DTD GDB Memory Map V1.0//EN" "http://sourceware.org/gdb/gdb-memory-map.dtd">\n<memory-map><memory type="flash" start="0x${f.start.toString(16)}" length="0x${(f.end - f.start).toString(16)}"><property name="blocksize">0x${f.blockSize.toString(16)}</property></memory><memory type="ram" start="0x20000000" length="0x5000"/></memory-map>`;
  }

  #monitor(command: string): void {
    this.monitorLog.push(command);
    const known = this.options.monitorCommands;
    if (known === undefined) return this.#reply('');
    if (known.includes(command)) {
      this.#reply(hex(enc(`${command}: done\n`)).replace(/^/, 'O'));
      this.registers.set(15, 0x08000100);
      return this.#reply('OK');
    }
    this.#reply(`O${hex(enc(`unknown command: '${command.split(' ')[0]}'\r\n`))}`);
    this.#reply('OK');
  }

  #flashPacket(text: string, payload: Uint8Array): void {
    const f = this.options.flash;
    if (f === undefined) return this.#reply('');
    if (text.startsWith('vFlashErase:')) {
      const [a, l] = text.slice(12).split(',');
      const start = parseInt(a!, 16);
      const end = start + parseInt(l!, 16);
      if (start < f.start || end > f.end || (start - f.start) % f.blockSize !== 0)
        return this.#reply('E01');
      for (let i = start; i < end; i++) this.memory.set(i, 0xff);
      return this.#reply('OK');
    }
    if (text.startsWith('vFlashWrite:')) {
      const colon = text.indexOf(':', 12);
      const address = parseInt(text.slice(12, colon), 16);
      const data = unescape(payload.subarray(colon + 1));
      if (address < f.start || address + data.length > f.end) return this.#reply('E.memtype');
      data.forEach((b, i) => this.pendingFlash.set(address + i, b));
      return this.#reply('OK');
    }
    if (text === 'vFlashDone') {
      for (const [address, b] of this.pendingFlash) {
        if (this.memory.get(address) !== 0xff) return this.#reply('E03');
        this.memory.set(address, b);
      }
      this.pendingFlash.clear();
      return this.#reply('OK');
    }
    this.#reply('');
  }

  #registerBlock(): Uint8Array {
    const block = new Uint8Array(16 * 4 + 4);
    for (let i = 0; i < 17; i++)
      new DataView(block.buffer).setUint32(i * 4, this.registers.get(i === 16 ? 25 : i) ?? 0, true);
    return block;
  }

  #writeRegisterBlock(text: string): void {
    const block = unhex(text);
    for (let i = 0; i < 16; i++)
      this.registers.set(i, new DataView(block.buffer).getUint32(i * 4, true));
    this.#reply('OK');
  }
}

/** target.xml as QEMU serves it for Cortex-M (r0-r12, sp, lr, pc, then xpsr as regnum 25). */
export const cortexMFeatures: Record<string, string> = {
  'target.xml':
    '<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd"><target><architecture>arm</architecture><xi:include href="arm-m-profile.xml"/></target>',
  'arm-m-profile.xml': `<?xml version="1.0"?><!DOCTYPE feature SYSTEM "gdb-target.dtd"><feature name="org.gnu.gdb.arm.m-profile">${Array.from({ length: 13 }, (_, i) => `<reg name="r${i}" bitsize="32"/>`).join('')}<reg name="sp" bitsize="32" type="data_ptr"/><reg name="lr" bitsize="32"/><reg name="pc" bitsize="32" type="code_ptr"/><reg name="xpsr" bitsize="32" regnum="25"/></feature>`,
};

export const silentLog = { debug: (): void => {}, info: (): void => {}, warn: (): void => {} };

export function recordingLog(): {
  lines: string[];
  debug(m: string): void;
  info(m: string): void;
  warn(m: string): void;
} {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
  };
}
