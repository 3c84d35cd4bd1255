/**
 * Builds small ELF32 files for tests, byte by byte and independently of the plugin's writer,
 * so odd layouts can be made: segments without sections, NOBITS-only segments, headers
 * mapped into a segment, big-endian files.
 */
export interface TestSegment {
  readonly paddr: number;
  readonly vaddr?: number;
  /** File contents of the segment (p_filesz = length). */
  readonly data: readonly number[];
  readonly memsz?: number;
  readonly type?: number;
  /** Place the segment at this file offset instead of after the previous one. */
  readonly offset?: number;
}

export interface TestSection {
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  /** File offset relative to a segment's data: [segment index, offset in it, size]. */
  readonly within: readonly [number, number, number];
}

export interface TestElf {
  readonly littleEndian?: boolean;
  readonly machine?: number;
  readonly type?: number;
  readonly entry?: number;
  readonly segments: readonly TestSegment[];
  readonly sections?: readonly TestSection[];
}

export function buildElf(spec: TestElf): Uint8Array {
  const le = spec.littleEndian ?? true;
  const out = new Uint8Array(0x10000);
  const view = new DataView(out.buffer);
  const u16 = (at: number, v: number): void => view.setUint16(at, v, le);
  const u32 = (at: number, v: number): void => view.setUint32(at, v, le);

  out.set([0x7f, 0x45, 0x4c, 0x46, 1, le ? 1 : 2, 1], 0);
  u16(16, spec.type ?? 2);
  u16(18, spec.machine ?? 40);
  u32(20, 1);
  u32(24, spec.entry ?? 0);
  u32(28, 52);
  u16(40, 52);
  u16(42, 32);
  u16(44, spec.segments.length);
  u16(46, 40);

  let cursor = 52 + 32 * spec.segments.length;
  const offsets: number[] = [];
  spec.segments.forEach((segment, i) => {
    const offset = segment.offset ?? cursor;
    offsets.push(offset);
    out.set(segment.data, offset);
    cursor = Math.max(cursor, offset + segment.data.length);
    const at = 52 + 32 * i;
    u32(at, segment.type ?? 1);
    u32(at + 4, offset);
    u32(at + 8, segment.vaddr ?? segment.paddr);
    u32(at + 12, segment.paddr);
    u32(at + 16, segment.data.length);
    u32(at + 20, segment.memsz ?? segment.data.length);
  });

  const sections = spec.sections;
  if (sections !== undefined) {
    const names = ['', '.shstrtab', ...sections.map((s) => s.name)];
    const strtab = new TextEncoder().encode(`${names.join('\0')}\0`);
    const strtabOffset = cursor;
    out.set(strtab, strtabOffset);
    const shoff = (strtabOffset + strtab.length + 3) & ~3;
    u32(32, shoff);
    u16(48, names.length);
    u16(50, 1);
    const nameAt = (i: number): number => names.slice(0, i).reduce((n, s) => n + s.length + 1, 0);
    const put = (
      index: number,
      type: number,
      flags: number,
      offset: number,
      size: number,
    ): void => {
      const at = shoff + 40 * index;
      u32(at, nameAt(index));
      u32(at + 4, type);
      u32(at + 8, flags);
      u32(at + 16, offset);
      u32(at + 20, size);
    };
    put(1, 3, 0, strtabOffset, strtab.length);
    sections.forEach((s, i) => {
      const [segment, offset, size] = s.within;
      put(2 + i, s.type, s.flags, offsets[segment]! + offset, size);
    });
    cursor = shoff + 40 * names.length;
  }
  return out.slice(0, cursor);
}

export const SHT_PROGBITS = 1;
export const SHT_NOBITS = 8;
export const SHF_ALLOC = 2;
export const SHF_EXEC = 4;

export const fixtureUrl = (name: string): URL =>
  new URL(`../../../../test/fixtures/firmware/blink-l151/out/${name}`, import.meta.url);
