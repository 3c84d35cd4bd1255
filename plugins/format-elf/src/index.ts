import { FlashwrightError, PLUGIN_API_VERSION, type FlashwrightPlugin } from '@flashwright/core';
import type { ImageFormat, ParseOptions } from '@flashwright/core/plugin';
import { EM_ARM } from './elf-constants.js';
import { parseElf } from './parse-elf.js';
import { serializeElf } from './serialize-elf.js';
import { sniffElf } from './sniff.js';

export { EM_ARM, machineName } from './elf-constants.js';
export { parseElf, type ElfParseOptions } from './parse-elf.js';
export { serializeElf, type ElfWriteOptions } from './serialize-elf.js';
export { sniffElf } from './sniff.js';

export const PACKAGE_NAME = '@flashwright/format-elf';
export const PACKAGE_VERSION = '0.1.0';

/** The ELF format; `machines` lists the accepted e_machine values (ARM by default). */
export function elfFormat(machines: readonly number[] = [EM_ARM]): ImageFormat {
  return {
    id: 'elf',
    description: 'ELF32 executable (PT_LOAD segments at their physical addresses)',
    extensions: ['.elf', '.axf', '.out'],
    sniff: sniffElf,
    parse: (bytes: Uint8Array, options?: ParseOptions) =>
      parseElf(bytes, { fileName: options?.fileName, machines }),
    serialize: (image) => serializeElf(image, { machine: machines[0] }),
  };
}

/**
 * Options (recipe `plugins: [[elf, { machines: [40, 243] }]]`): `machines`, the e_machine
 * numbers to accept, for targets other than ARM.
 */
export function plugin(options: Readonly<Record<string, unknown>> = {}): FlashwrightPlugin {
  const { machines } = options;
  if (
    machines !== undefined &&
    !(
      Array.isArray(machines) &&
      machines.length > 0 &&
      machines.every((m) => Number.isInteger(m) && m > 0 && m < 0x10000)
    )
  ) {
    throw new FlashwrightError(
      'PLUGIN_INVALID',
      `${PACKAGE_NAME}: option "machines" must be a list of ELF e_machine numbers, e.g. [40] for ARM`,
    );
  }
  return {
    meta: { name: PACKAGE_NAME, version: PACKAGE_VERSION, apiVersion: PLUGIN_API_VERSION },
    formats: [elfFormat((machines as number[] | undefined) ?? [EM_ARM])],
  };
}
