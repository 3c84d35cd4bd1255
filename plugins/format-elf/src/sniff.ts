import { ELF_MAGIC } from './elf-constants.js';

/** True when `head` starts with the ELF magic, 7F 'E' 'L' 'F' (any class or machine). */
export function sniffElf(head: Uint8Array): boolean {
  return ELF_MAGIC.every((byte, i) => head[i] === byte);
}
