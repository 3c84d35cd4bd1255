import type { FlashImage } from '@flashwright/core/image';
import {
  ELF32_HEADER_BYTES,
  ELF32_PROGRAM_HEADER_BYTES,
  ELF32_SECTION_HEADER_BYTES,
  ELF_MAGIC,
  EM_ARM,
  ElfClass,
  ElfData,
  ElfType,
  PT_LOAD,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHT_PROGBITS,
  SHT_STRTAB,
} from './elf-constants.js';

/** ARM EABI version 5 in e_flags (ARM ELF ABI, "ELF header" e_flags: EF_ARM_EABI_VER5). */
const EF_ARM_EABI_VER5 = 0x05000000;
const PF_RWX = 0x7;

export interface ElfWriteOptions {
  /** e_machine; ARM by default. */
  readonly machine?: number | undefined;
}

/**
 * Writes a little-endian ELF32 executable: one PT_LOAD segment and one PROGBITS section
 * (.load0, .load1, ...) per image block, physical and virtual address both the block's
 * address, plus the section name table. Section headers are written so that tools that go by
 * sections (objcopy -O binary, objdump) read it as they read a linker's output.
 */
export function serializeElf(image: FlashImage, options: ElfWriteOptions = {}): Uint8Array {
  const machine = options.machine ?? EM_ARM;
  const blocks = [...image.blocks];
  const names = ['', '.shstrtab', ...blocks.map((_, i) => `.load${i}`)];
  const nameTable = new TextEncoder().encode(`${names.join('\0')}\0`);
  const nameOffset = (i: number): number => names.slice(0, i).reduce((n, s) => n + s.length + 1, 0);

  const phoff = ELF32_HEADER_BYTES;
  let offset = phoff + blocks.length * ELF32_PROGRAM_HEADER_BYTES;
  const dataOffsets: number[] = [];
  for (const [, data] of blocks) {
    offset = align4(offset);
    dataOffsets.push(offset);
    offset += data.length;
  }
  const nameTableOffset = offset;
  const shoff = align4(nameTableOffset + nameTable.length);
  const shnum = 2 + blocks.length;
  const out = new Uint8Array(shoff + shnum * ELF32_SECTION_HEADER_BYTES);
  const view = new DataView(out.buffer);
  const u16 = (at: number, v: number): void => view.setUint16(at, v, true);
  const u32 = (at: number, v: number): void => view.setUint32(at, v, true);

  out.set(ELF_MAGIC, 0);
  out[4] = ElfClass.elf32;
  out[5] = ElfData.littleEndian;
  out[6] = 1; // EI_VERSION: EV_CURRENT
  u16(16, ElfType.executable);
  u16(18, machine);
  u32(20, 1); // e_version
  u32(24, image.entryPoint ?? 0);
  u32(28, blocks.length > 0 ? phoff : 0);
  u32(32, shoff);
  u32(36, machine === EM_ARM ? EF_ARM_EABI_VER5 : 0);
  u16(40, ELF32_HEADER_BYTES);
  u16(42, ELF32_PROGRAM_HEADER_BYTES);
  u16(44, blocks.length);
  u16(46, ELF32_SECTION_HEADER_BYTES);
  u16(48, shnum);
  u16(50, 1); // e_shstrndx: .shstrtab is section 1

  blocks.forEach(([address, data], i) => {
    const at = phoff + i * ELF32_PROGRAM_HEADER_BYTES;
    u32(at, PT_LOAD);
    u32(at + 4, dataOffsets[i]!);
    u32(at + 8, address); // p_vaddr
    u32(at + 12, address); // p_paddr
    u32(at + 16, data.length); // p_filesz
    u32(at + 20, data.length); // p_memsz
    u32(at + 24, PF_RWX);
    u32(at + 28, 1); // p_align
    out.set(data, dataOffsets[i]);
  });
  out.set(nameTable, nameTableOffset);

  const section = (
    index: number,
    type: number,
    flags: number,
    addr: number,
    at: number,
    size: number,
  ): void => {
    const base = shoff + index * ELF32_SECTION_HEADER_BYTES;
    u32(base, nameOffset(index));
    u32(base + 4, type);
    u32(base + 8, flags);
    u32(base + 12, addr);
    u32(base + 16, at);
    u32(base + 20, size);
    u32(base + 32, 1); // sh_addralign
  };
  section(1, SHT_STRTAB, 0, 0, nameTableOffset, nameTable.length);
  blocks.forEach(([address, data], i) => {
    section(
      2 + i,
      SHT_PROGBITS,
      SHF_ALLOC | SHF_WRITE | SHF_EXECINSTR,
      address,
      dataOffsets[i]!,
      data.length,
    );
  });
  return out;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
