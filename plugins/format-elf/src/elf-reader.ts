import { FlashwrightError } from '@flashwright/core';
import {
  ELF32_HEADER_BYTES,
  ELF32_PROGRAM_HEADER_BYTES,
  ELF32_SECTION_HEADER_BYTES,
  ELF_MAGIC,
  ElfClass,
  ElfData,
  PN_XNUM,
  machineName,
} from './elf-constants.js';

export interface Elf32Header {
  readonly littleEndian: boolean;
  readonly type: number;
  readonly machine: number;
  readonly entry: number;
  readonly phoff: number;
  readonly shoff: number;
  readonly phentsize: number;
  readonly phnum: number;
  readonly shentsize: number;
  readonly shnum: number;
  readonly shstrndx: number;
}

export interface ProgramHeader {
  readonly index: number;
  readonly type: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly paddr: number;
  readonly filesz: number;
  readonly memsz: number;
}

export interface SectionHeader {
  readonly index: number;
  readonly nameOffset: number;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
}

/** Bounds-checked reads of an ELF32 file in its own byte order. */
export class ElfReader {
  readonly header: Elf32Header;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #file: string;

  constructor(bytes: Uint8Array, file: string) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#file = file;
    this.header = this.#readHeader();
  }

  programHeaders(): ProgramHeader[] {
    const { phoff, phentsize } = this.header;
    const phnum = this.#programHeaderCount();
    if (phnum === 0) return [];
    if (phentsize < ELF32_PROGRAM_HEADER_BYTES) {
      throw this.#malformed(`program header entries are ${phentsize} bytes, expected at least 32`);
    }
    this.#need(phoff, phnum * phentsize, 'the program header table');
    const headers: ProgramHeader[] = [];
    for (let index = 0; index < phnum; index++) {
      const at = phoff + index * phentsize;
      headers.push({
        index,
        type: this.#u32(at),
        offset: this.#u32(at + 4),
        vaddr: this.#u32(at + 8),
        paddr: this.#u32(at + 12),
        filesz: this.#u32(at + 16),
        memsz: this.#u32(at + 20),
      });
    }
    return headers;
  }

  /** Section headers, or an empty list when the file has none (stripped of them). */
  sectionHeaders(): SectionHeader[] {
    const { shoff, shentsize } = this.header;
    const shnum = this.#sectionHeaderCount();
    if (shoff === 0 || shnum === 0) return [];
    if (shentsize < ELF32_SECTION_HEADER_BYTES) {
      throw this.#malformed(`section header entries are ${shentsize} bytes, expected at least 40`);
    }
    this.#need(shoff, shnum * shentsize, 'the section header table');
    const headers: SectionHeader[] = [];
    for (let index = 0; index < shnum; index++)
      headers.push(this.#sectionAt(shoff + index * shentsize, index));
    return headers;
  }

  /** A section's name from the section name string table, or `#index` when there is none. */
  sectionName(sections: readonly SectionHeader[], section: SectionHeader): string {
    const table = sections[this.header.shstrndx];
    if (table === undefined || section.nameOffset >= table.size) return `#${section.index}`;
    const start = table.offset + section.nameOffset;
    let end = start;
    while (end < this.#bytes.length && end < table.offset + table.size && this.#bytes[end] !== 0)
      end++;
    return (
      new TextDecoder('latin1').decode(this.#bytes.subarray(start, end)) || `#${section.index}`
    );
  }

  /** `length` bytes at `offset`, checked against the end of the file. */
  slice(offset: number, length: number, what: string): Uint8Array {
    this.#need(offset, length, what);
    return this.#bytes.subarray(offset, offset + length);
  }

  #readHeader(): Elf32Header {
    const b = this.#bytes;
    if (!ELF_MAGIC.every((m, i) => b[i] === m)) {
      if (b.length < 4 && ELF_MAGIC.slice(0, b.length).every((m, i) => b[i] === m)) {
        throw this.#truncated('the ELF header');
      }
      const head = [...b.subarray(0, 4)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
      throw new FlashwrightError(
        'IMAGE_MALFORMED',
        `${this.#file}: not an ELF file (it starts with ${head || 'nothing'}, not 7f 45 4c 46)`,
        { details: { file: this.#file } },
      );
    }
    if (b.length < 20) throw this.#truncated('the ELF header');
    const elfClass = b[4]!;
    const data = b[5]!;
    if (data !== ElfData.littleEndian && data !== ElfData.bigEndian) {
      throw this.#malformed(`unknown byte order ${data} in e_ident[EI_DATA]`);
    }
    const littleEndian = data === ElfData.littleEndian;
    // e_machine sits at offset 18 in ELF32 and ELF64 alike, so it can be named either way.
    const machine = this.#view.getUint16(18, littleEndian);
    if (elfClass === ElfClass.elf64) {
      throw new FlashwrightError(
        'IMAGE_UNSUPPORTED',
        `${this.#file}: 64-bit ELF (ELFCLASS64) for ${machineName(machine)}; microcontroller firmware is 32-bit ELF (ELFCLASS32)`,
        {
          hint: 'This is probably a program for a computer, not the firmware: use the .elf your embedded build writes (e.g. build/app.elf).',
          details: { file: this.#file, class: 'ELFCLASS64', machine },
        },
      );
    }
    if (elfClass !== ElfClass.elf32) throw this.#malformed(`unknown ELF class ${elfClass}`);
    if (b.length < ELF32_HEADER_BYTES) throw this.#truncated('the ELF header');
    return {
      littleEndian,
      type: this.#view.getUint16(16, littleEndian),
      machine,
      entry: this.#view.getUint32(24, littleEndian),
      phoff: this.#view.getUint32(28, littleEndian),
      shoff: this.#view.getUint32(32, littleEndian),
      phentsize: this.#view.getUint16(42, littleEndian),
      phnum: this.#view.getUint16(44, littleEndian),
      shentsize: this.#view.getUint16(46, littleEndian),
      shnum: this.#view.getUint16(48, littleEndian),
      shstrndx: this.#view.getUint16(50, littleEndian),
    };
  }

  /** With more than 0xFFFE program headers, the real count is in section 0's sh_info. */
  #programHeaderCount(): number {
    if (this.header.phnum !== PN_XNUM) return this.header.phnum;
    this.#need(this.header.shoff, ELF32_SECTION_HEADER_BYTES, 'section header 0');
    return this.#u32(this.header.shoff + 28);
  }

  /** With 0x10000 or more sections, e_shnum is 0 and the count is in section 0's sh_size. */
  #sectionHeaderCount(): number {
    const { shoff, shnum } = this.header;
    if (shnum !== 0 || shoff === 0) return shnum;
    this.#need(shoff, ELF32_SECTION_HEADER_BYTES, 'section header 0');
    return this.#u32(shoff + 20);
  }

  #sectionAt(at: number, index: number): SectionHeader {
    return {
      index,
      nameOffset: this.#u32(at),
      type: this.#u32(at + 4),
      flags: this.#u32(at + 8),
      addr: this.#u32(at + 12),
      offset: this.#u32(at + 16),
      size: this.#u32(at + 20),
    };
  }

  #u32(offset: number): number {
    return this.#view.getUint32(offset, this.header.littleEndian);
  }

  #need(offset: number, length: number, what: string): void {
    if (offset + length > this.#bytes.length) throw this.#truncated(what);
  }

  #truncated(what: string): FlashwrightError {
    return new FlashwrightError(
      'IMAGE_TRUNCATED',
      `${this.#file}: the file ends inside ${what} (file is ${this.#bytes.length} bytes)`,
      {
        hint: 'The file is incomplete: rebuild it or copy it again.',
        details: { file: this.#file, fileBytes: this.#bytes.length },
      },
    );
  }

  #malformed(message: string): FlashwrightError {
    return new FlashwrightError('IMAGE_MALFORMED', `${this.#file}: ${message}`, {
      details: { file: this.#file },
    });
  }
}
