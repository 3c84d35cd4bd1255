/**
 * Mutators for image files: bytes (flips, truncation, insertion, duplication, interesting
 * values), text records (duplicate and dropped lines, other record types, huge counts and
 * addresses, with the checksum repaired so the parser looks past it) and ELF headers.
 * Each returns the new bytes and appends what it did to `log`.
 */
import type { Rng } from './fuzz.js';

const INTERESTING_32 = [
  0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffe, 0xffffffff,
];

/** One generic byte-level change. */
export function mutateBytes(rng: Rng, input: Uint8Array, log: string[]): Uint8Array {
  const bytes = Uint8Array.from(input);
  const at = (extra = 0): number => rng.int(bytes.length + extra);
  switch (rng.int(7)) {
    case 0: {
      if (bytes.length === 0) return bytes;
      const i = at();
      bytes[i] = rng.int(256);
      log.push(`set ${i}`);
      return bytes;
    }
    case 1: {
      if (bytes.length === 0) return bytes;
      const i = at();
      bytes[i]! ^= 1 << rng.int(8);
      log.push(`bitflip ${i}`);
      return bytes;
    }
    case 2: {
      const end = at(1);
      log.push(`truncate ${end}`);
      return bytes.subarray(0, end);
    }
    case 3: {
      const start = at(1);
      const length = 1 + rng.int(32);
      log.push(`delete ${start}+${length}`);
      return concat(bytes.subarray(0, start), bytes.subarray(start + length));
    }
    case 4: {
      const i = at(1);
      const extra = Uint8Array.from({ length: 1 + rng.int(16) }, () =>
        rng.chance(0.5) ? rng.int(256) : rng.pick([0x3a, 0x53, 0x0a, 0x0d, 0x30, 0x46, 0x20]),
      );
      log.push(`insert ${i}+${extra.length}`);
      return concat(bytes.subarray(0, i), extra, bytes.subarray(i));
    }
    case 5: {
      const start = at(1);
      const length = 1 + rng.int(128);
      const to = at(1);
      log.push(`duplicate ${start}+${length} at ${to}`);
      return concat(bytes.subarray(0, to), bytes.slice(start, start + length), bytes.subarray(to));
    }
    default: {
      if (bytes.length < 4) return bytes;
      const i = rng.int(bytes.length - 3) & ~3;
      const value = rng.pick(INTERESTING_32);
      new DataView(bytes.buffer).setUint32(i, value, rng.chance(0.5));
      log.push(`u32 ${i}=0x${value.toString(16)}`);
      return bytes;
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export type RecordKind = 'ihex' | 'srec';

const hex2 = (n: number): string => (n & 0xff).toString(16).toUpperCase().padStart(2, '0');

/** Recomputes a record's checksum, when the record is still hex digits of whole bytes. */
function fixChecksum(kind: RecordKind, line: string): string {
  const start = kind === 'ihex' ? 1 : 2;
  const body = line.slice(start, -2);
  if (line.length < start + 2 || body.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(body)) {
    return line;
  }
  let sum = 0;
  for (let i = 0; i < body.length; i += 2) sum += parseInt(body.slice(i, i + 2), 16);
  const checksum = kind === 'ihex' ? -sum : ~sum;
  return `${line.slice(0, -2)}${hex2(checksum)}`;
}

/** Records that push parsers to their edges: far addresses, odd types, long counts. */
function extremeRecord(rng: Rng, kind: RecordKind): string {
  const bytes = (n: number): string => Array.from({ length: n }, () => hex2(rng.int(256))).join('');
  if (kind === 'ihex') {
    return rng.pick([
      `:02000004FFFF00`,
      `:0200000400000${rng.int(10)}00`,
      `:02000002FFFF00`,
      `:04000005${bytes(4)}00`,
      `:04000003${bytes(4)}00`,
      `:10FFF800${bytes(16)}00`,
      `:FF000000${bytes(255)}00`,
      `:00000001FF`,
      `:0000000${rng.int(10)}00`,
    ]);
  }
  return rng.pick([
    `S30AFFFFFFFC${bytes(5)}00`,
    `S30900000000${bytes(4)}00`,
    `S2FF000000${bytes(251)}00`,
    `S5030000FC`,
    `S6040000000000`,
    `S70500000000FA`,
    `S804000000FB`,
    `S9030000FC`,
    `S0030000FC`,
    `S4030000FC`,
    `S1FFFFFF${bytes(252)}00`,
  ]);
}

/** One record-level change to an Intel HEX or S-record file (or a byte-level one). */
export function mutateRecords(
  rng: Rng,
  kind: RecordKind,
  input: Uint8Array,
  log: string[],
): Uint8Array {
  if (rng.chance(0.2)) return mutateBytes(rng, input, log);
  const text = Buffer.from(input).toString('latin1');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const i = rng.int(lines.length);
  const line = lines[i] ?? '';
  const typeAt = kind === 'ihex' ? 7 : 1;
  const countAt = kind === 'ihex' ? 1 : 2;
  let changed: string | undefined;
  switch (rng.int(9)) {
    case 0:
      lines.splice(rng.int(lines.length + 1), 0, line);
      log.push(`duplicate line ${i + 1}`);
      break;
    case 1:
      lines.splice(i, 1);
      log.push(`drop line ${i + 1}`);
      break;
    case 2: {
      const j = rng.int(lines.length);
      [lines[i], lines[j]] = [lines[j] ?? '', line];
      log.push(`swap lines ${i + 1} ${j + 1}`);
      break;
    }
    case 3: {
      const type =
        kind === 'ihex'
          ? hex2(rng.chance(0.8) ? rng.int(6) : rng.int(256))
          : rng.pick([...'0123456789', 'A', 'x']);
      changed = `${line.slice(0, typeAt)}${type}${line.slice(typeAt + (kind === 'ihex' ? 2 : 1))}`;
      log.push(`line ${i + 1} type ${type}`);
      break;
    }
    case 4: {
      const count = rng.pick([0, 1, 2, 3, 4, 0x7f, 0xff, rng.int(256)]);
      changed = `${line.slice(0, countAt)}${hex2(count)}${line.slice(countAt + 2)}`;
      log.push(`line ${i + 1} count ${count}`);
      break;
    }
    case 5: {
      // An address field of all ones (or zeros): the top of the address space.
      const at = kind === 'ihex' ? 3 : 4;
      const width = kind === 'ihex' ? 4 : rng.pick([4, 6, 8]);
      const digit = rng.pick(['F', '0', 'E']);
      changed = `${line.slice(0, at)}${digit.repeat(width)}${line.slice(at + width)}`;
      log.push(`line ${i + 1} address ${digit}x${width}`);
      break;
    }
    case 6: {
      const cut = rng.int(line.length + 1);
      changed = line.slice(0, cut) + (rng.chance(0.5) ? hex2(rng.int(256)).repeat(rng.int(4)) : '');
      log.push(`line ${i + 1} cut at ${cut}`);
      break;
    }
    case 7:
      lines.splice(i, 0, fixChecksum(kind, extremeRecord(rng, kind)));
      log.push(`insert ${lines[i]?.slice(0, 16)} at line ${i + 1}`);
      break;
    default: {
      const at = rng.int(line.length + 1);
      const insert = rng.pick([' ', '\t', 'g', ':', 'S', '00', '\x1a', '\u00e9']);
      changed = `${line.slice(0, at)}${insert}${line.slice(at)}`;
      log.push(`line ${i + 1} insert ${JSON.stringify(insert)} at ${at}`);
    }
  }
  if (changed !== undefined) {
    lines[i] = rng.chance(0.75) ? fixChecksum(kind, changed) : changed;
  }
  return Uint8Array.from(Buffer.from(lines.join(eol), 'latin1'));
}

/** One change to an ELF32 header field (file, program or section header), or to bytes. */
export function mutateElf(rng: Rng, input: Uint8Array, log: string[]): Uint8Array {
  if (input.length < 52 || rng.chance(0.25)) return mutateBytes(rng, input, log);
  const bytes = Uint8Array.from(input);
  const view = new DataView(bytes.buffer);
  const little = bytes[5] !== 2;
  const u16 = (at: number): number => (at + 2 <= bytes.length ? view.getUint16(at, little) : 0);
  const u32 = (at: number): number => (at + 4 <= bytes.length ? view.getUint32(at, little) : 0);
  const fields: [string, number, 1 | 2 | 4][] = [
    ['EI_CLASS', 4, 1],
    ['EI_DATA', 5, 1],
    ['e_type', 16, 2],
    ['e_machine', 18, 2],
    ['e_entry', 24, 4],
    ['e_phoff', 28, 4],
    ['e_shoff', 32, 4],
    ['e_phentsize', 42, 2],
    ['e_phnum', 44, 2],
    ['e_shentsize', 46, 2],
    ['e_shnum', 48, 2],
    ['e_shstrndx', 50, 2],
  ];
  const phoff = u32(28);
  for (let n = 0; n < Math.min(u16(44), 8); n++) {
    const base = phoff + n * 32;
    for (const [name, offset] of [
      ['p_type', 0],
      ['p_offset', 4],
      ['p_vaddr', 8],
      ['p_paddr', 12],
      ['p_filesz', 16],
      ['p_memsz', 20],
    ] as const) {
      fields.push([`ph${n}.${name}`, base + offset, 4]);
    }
  }
  const shoff = u32(32);
  for (let n = 0; n < Math.min(u16(48), 24); n++) {
    const base = shoff + n * 40;
    for (const [name, offset] of [
      ['sh_name', 0],
      ['sh_type', 4],
      ['sh_flags', 8],
      ['sh_addr', 12],
      ['sh_offset', 16],
      ['sh_size', 20],
      ['sh_link', 24],
      ['sh_entsize', 36],
    ] as const) {
      fields.push([`sh${n}.${name}`, base + offset, 4]);
    }
  }
  const [name, at, width] = rng.pick(fields);
  if (at + width > bytes.length) return mutateBytes(rng, input, log);
  const old = width === 1 ? bytes[at]! : width === 2 ? u16(at) : u32(at);
  const value = rng.pick([
    0,
    1,
    2,
    old + 1,
    old - 1,
    old * 2,
    bytes.length,
    bytes.length - 1,
    bytes.length + 1,
    0xff,
    0xffff,
    0x7fffffff,
    0xfffffff0,
    0xffffffff,
    rng.u32(),
  ]);
  const masked = width === 1 ? value & 0xff : width === 2 ? value & 0xffff : value >>> 0;
  if (width === 1) bytes[at] = masked;
  else if (width === 2) view.setUint16(at, masked, little);
  else view.setUint32(at, masked, little);
  log.push(`${name}=0x${masked.toString(16)}`);
  return bytes;
}
