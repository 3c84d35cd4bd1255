import { FlashwrightError } from '@flashwright/core';
import { FlashImage, formatAddress } from '@flashwright/core/image';
import { EM_ARM, ElfType, PT_LOAD, SHF_ALLOC, SHT_NOBITS, machineName } from './elf-constants.js';
import { ElfReader, type ProgramHeader, type SectionHeader } from './elf-reader.js';

export interface ElfParseOptions {
  readonly fileName?: string | undefined;
  /** Accepted e_machine values; ARM (40) by default. */
  readonly machines?: readonly number[] | undefined;
}

/** One piece of loadable data and where it came from, for overlap messages. */
interface Chunk {
  readonly address: number;
  readonly data: Uint8Array;
  readonly segment: ProgramHeader;
  readonly section: SectionHeader | undefined;
}

/**
 * Reads the flash image of an ELF32 executable, little- or big-endian.
 *
 * Data comes from PT_LOAD segments with file contents, placed at their physical address
 * p_paddr (the load address: initialised .data sits in flash there while p_vaddr is its RAM
 * address). Segments with no file bytes (.bss, stacks) are skipped. Within a segment only
 * the bytes of allocated, non-NOBITS sections are taken, which is what
 * `objcopy -O binary` writes; it leaves out ELF headers that the linker sometimes maps into
 * the first segment. probe-rs likewise skips segments that contain no section
 * (probe-rs/src/flashing/download.rs, extract_from_elf). A file without section headers is
 * loaded segment by segment.
 */
export function parseElf(bytes: Uint8Array, options: ElfParseOptions = {}): FlashImage {
  const file = options.fileName ?? '<input>';
  const machines = options.machines ?? [EM_ARM];
  const elf = new ElfReader(bytes, file);
  const { header } = elf;

  if (header.type === ElfType.relocatable) {
    throw new FlashwrightError(
      'IMAGE_UNSUPPORTED',
      `${file}: relocatable object file (ET_REL), not a linked program`,
      {
        hint: 'Flash the linked executable (the .elf the link step writes), not a .o file.',
        details: { file, type: header.type },
      },
    );
  }
  if (header.type !== ElfType.executable && header.type !== ElfType.shared) {
    throw new FlashwrightError(
      'IMAGE_UNSUPPORTED',
      `${file}: ELF type ${header.type} is not an executable (ET_EXEC)`,
      { details: { file, type: header.type } },
    );
  }
  if (!machines.includes(header.machine)) {
    throw new FlashwrightError(
      'IMAGE_UNSUPPORTED',
      `${file}: ELF for ${machineName(header.machine)}, expected ${machines.map(machineName).join(' or ')}`,
      {
        hint: 'Check that this is the firmware for your target, built with its cross-compiler (e.g. arm-none-eabi-gcc).',
        details: { file, machine: header.machine, expected: machines },
      },
    );
  }

  const segments = elf.programHeaders();
  const sections = elf.sectionHeaders();
  const loadable = sections.filter(
    (s) => (s.flags & SHF_ALLOC) !== 0 && s.type !== SHT_NOBITS && s.size > 0,
  );
  const chunks: Chunk[] = [];
  for (const segment of segments) {
    if (segment.type !== PT_LOAD || segment.filesz === 0) continue;
    const contents = elf.slice(segment.offset, segment.filesz, `segment ${segment.index}`);
    if (sections.length === 0) {
      chunks.push({ address: segment.paddr, data: contents, segment, section: undefined });
      continue;
    }
    for (const section of loadable) {
      const start = section.offset - segment.offset;
      if (start < 0 || start + section.size > segment.filesz) continue;
      chunks.push({
        address: segment.paddr + start,
        data: contents.subarray(start, start + section.size),
        segment,
        section,
      });
    }
  }
  if (chunks.length === 0) {
    throw new FlashwrightError('IMAGE_MALFORMED', `${file}: the ELF file has no loadable data`, {
      hint: 'No PT_LOAD segment has file contents: is this a debug-only or stripped file?',
      details: { file },
    });
  }
  checkOverlap(chunks, (chunk) => describe(elf, sections, chunk), file);
  return FlashImage.from(
    chunks.map((c) => [c.address, c.data] as const),
    // gABI: "If the file has no associated entry point, this member holds zero."
    { source: file, entryPoint: header.entry === 0 ? undefined : header.entry },
  );
}

function describe(elf: ElfReader, sections: readonly SectionHeader[], chunk: Chunk): string {
  const segment = `segment ${chunk.segment.index}`;
  return chunk.section === undefined
    ? segment
    : `section ${elf.sectionName(sections, chunk.section)} (${segment})`;
}

function checkOverlap(chunks: readonly Chunk[], name: (c: Chunk) => string, file: string): void {
  const sorted = [...chunks].sort((a, b) => a.address - b.address);
  let widest: Chunk | undefined;
  for (const chunk of sorted) {
    if (widest !== undefined && chunk.address < widest.address + widest.data.length) {
      throw new FlashwrightError(
        'IMAGE_OVERLAP',
        `${file}: ${name(chunk)} and ${name(widest)} both load at ${formatAddress(chunk.address)}`,
        {
          hint: 'Check the linker script: two output sections share load addresses (AT> / LMA).',
          details: { file, address: chunk.address, places: [name(widest), name(chunk)] },
        },
      );
    }
    if (
      widest === undefined ||
      chunk.address + chunk.data.length > widest.address + widest.data.length
    ) {
      widest = chunk;
    }
  }
}
