/**
 * ELF constants, from the System V ABI (gABI) "ELF header", "Program header" and "Sections"
 * chapters; machine numbers from the gABI registry as in binutils include/elf/common.h.
 */
export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;

export const ElfClass = { elf32: 1, elf64: 2 } as const;
export const ElfData = { littleEndian: 1, bigEndian: 2 } as const;
export const ElfType = { none: 0, relocatable: 1, executable: 2, shared: 3, core: 4 } as const;

export const PT_LOAD = 1;
export const PN_XNUM = 0xffff;
export const SHT_PROGBITS = 1;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;

export const ELF32_HEADER_BYTES = 52;
export const ELF32_PROGRAM_HEADER_BYTES = 32;
export const ELF32_SECTION_HEADER_BYTES = 40;

export const EM_ARM = 40;

/** Names for machines a user might hand us by mistake, for error messages. */
const MACHINE_NAMES: Readonly<Record<number, string>> = {
  2: 'SPARC (EM_SPARC)',
  3: 'x86 (EM_386)',
  4: 'Motorola 68000 (EM_68K)',
  8: 'MIPS (EM_MIPS)',
  20: 'PowerPC (EM_PPC)',
  40: 'ARM (EM_ARM)',
  42: 'SuperH (EM_SH)',
  62: 'x86-64 (EM_X86_64)',
  83: 'AVR (EM_AVR)',
  94: 'Xtensa (EM_XTENSA)',
  105: 'MSP430 (EM_MSP430)',
  183: 'AArch64 (EM_AARCH64)',
  243: 'RISC-V (EM_RISCV)',
};

export function machineName(machine: number): string {
  return MACHINE_NAMES[machine] ?? `machine ${machine}`;
}
