import type { DeviceDescriptor, DeviceLayout, PartDescription } from '@flashwright/core/plugin';
import {
  isDualBank,
  parsePartNumber,
  stm32Devices,
  type Stm32DeviceData,
} from '@flashwright/stm32-devices';
import { flashRegions, ramRegions } from './device/regions.js';
import { availableOptionFields } from './options/available-fields.js';
import { optionFieldInfos } from './options/option-codec.js';

function hex(value: number): string {
  return `0x${value.toString(16).toUpperCase()}`;
}

function layoutSummary(data: Stm32DeviceData): string {
  const l = data.layout;
  switch (l.kind) {
    case 'pages':
      return `pages of ${sizeText(l.pageBytes)}`;
    case 'pages-by-bank-mode':
      return `pages of ${sizeText(l.singleBankPageBytes)} (single bank) or ${sizeText(l.dualBankPageBytes)} (dual bank)`;
    case 'sectors':
      return `sectors ${runs(l.sectorsKiB)} per bank`;
    case 'sectors-by-bank-mode':
      return `sectors ${runs(l.singleBankSectorsKiB)} (single bank) or ${runs(l.dualBankSectorsKiB)} per bank (dual bank)`;
  }
}

function sizeText(bytes: number): string {
  return bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

/** "4x16K, 1x64K, 7x128K". */
function runs(kib: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < kib.length) {
    let j = i;
    while (j < kib.length && kib[j] === kib[i]) j++;
    out.push(`${j - i}x${kib[i]}K`);
    i = j;
  }
  return out.join(', ');
}

/** One database entry as `flashwright devices [--json]` shows it. */
export function describeDevice(data: Stm32DeviceData): DeviceDescriptor {
  return {
    id: hex(data.devId),
    name: data.name,
    family: 'stm32',
    line: data.line,
    core: data.core,
    flashBase: data.flashBase,
    maxFlashKiB: data.maxFlashKiB,
    ramKiB: data.ramBytes === undefined ? undefined : data.ramBytes / 1024,
    layout: data.layout,
    layoutSummary: layoutSummary(data),
    writeUnitBytes: data.writeUnitBytes === 'psize' ? 'PSIZE (1, 2 or 4)' : data.writeUnitBytes,
    erasedValue: data.erasedValue,
    dualBank: data.dualBank !== undefined,
    controller: { kind: data.controller.kind, base: hex(data.controller.base) },
    idcodeAddress: hex(data.idcodeAddress),
    flashSizeRegister: hex(data.flashSizeRegister),
    flashSizeDecode: data.flashSizeDecode,
  };
}

export function deviceDescriptors(): DeviceDescriptor[] {
  return stm32Devices.map(describeDevice);
}

/**
 * The layout of a part named in a recipe, for dry-run planning without a chip: the size from
 * the part number (or target.flashSize, or the line maximum), single-bank unless the size is
 * always dual-bank, and the default write unit (x32 on F2/F4/F7).
 */
export function layoutOfPart(name: string, flashSizeBytes?: number): DeviceLayout | undefined {
  const part = parsePartNumber(name);
  const devId = part?.devIds.length === 1 ? part.devIds[0] : undefined;
  const data = stm32Devices.find((d) => d.devId === devId);
  if (!part || !data) return undefined;
  const kib = Math.min(
    flashSizeBytes !== undefined ? flashSizeBytes / 1024 : (part.flashKiB ?? data.maxFlashKiB),
    flashSizeBytes !== undefined ? Number.POSITIVE_INFINITY : data.maxFlashKiB,
  );
  const flash = flashRegions(data, kib, false, 4);
  return {
    name: `${part.name} (${data.name})`,
    flash,
    ram: ramRegions(data, part.name),
    // Dual-bank fields included: without a chip, a recipe may name either bank's fields.
    optionFields: optionFieldInfos(availableOptionFields(data, true, kib), data, flash),
  };
}

/**
 * The database entries of a full part number ("STM32F411RET6"), with the part's flash: the
 * size its flash-size code gives (the entry's largest without one), laid out in banks as
 * `layoutOfPart` lays them out, and the entry's RAM. Several entries when the part number
 * leaves the choice open (STM32F030 without a size code); none for what is not an STM32
 * part number of a known line.
 */
export function describePart(name: string): PartDescription[] {
  const part = parsePartNumber(name);
  if (part === undefined) return [];
  return part.devIds.flatMap((devId) => {
    const data = stm32Devices.find((d) => d.devId === devId);
    if (data === undefined) return [];
    const notes: string[] = [];
    let flashKiB = part.flashKiB ?? data.maxFlashKiB;
    if (part.flashKiB === undefined) {
      notes.push(
        `The part number has no flash-size code (the character after the pin count): ${data.maxFlashKiB} KiB is the largest of ${data.name}.`,
      );
    } else if (part.flashKiB > data.maxFlashKiB) {
      notes.push(
        `Its flash-size code says ${part.flashKiB} KiB, more than the ${data.maxFlashKiB} KiB of ${data.name}: shown with ${data.maxFlashKiB} KiB.`,
      );
      flashKiB = data.maxFlashKiB;
    }
    const flash = flashRegions(data, flashKiB, false, 4);
    const modeBits = (data.dualBank?.modeBits ?? []).filter(
      (m) => m.forKiB === undefined || m.forKiB.includes(flashKiB),
    );
    if (!isDualBank(data, flashKiB) && modeBits.length > 0) {
      notes.push(
        `The bank organisation is an option bit (${modeBits.map((m) => `${m.register}.${m.name}`).join(', ')}): shown as one bank; \`flashwright info\` shows the chip's own layout.`,
      );
    }
    return [
      {
        part: part.name,
        device: describeDevice(data),
        flashKiB,
        flashSizeFrom: part.flashKiB === undefined ? 'database' : 'part-number',
        flash,
        ram: ramRegions(data, part.name),
        notes,
      },
    ];
  });
}
