import type {
  DeviceDescriptor,
  DeviceLayout,
  PartDescription,
  TargetFamily,
} from '@flashwright/core/plugin';
import { nrfFlash } from './device.js';
import { identifyNrf } from './identify.js';
import { NRF_PARTS, partByName, RAM_BASE, type NrfPart } from './parts.js';
import { uicrFields } from './uicr.js';

function descriptor(part: NrfPart): DeviceDescriptor {
  return {
    id: `0x${part.part.toString(16)}`,
    name: part.name,
    family: 'nrf52',
    flashBase: 0,
    maxFlashKiB: part.maxFlashKiB,
    ramKiB: part.maxRamKiB,
    pageBytes: 4096,
  };
}

function layoutOf(name: string, flashSizeBytes?: number): DeviceLayout | undefined {
  const part = partByName(name);
  if (!part) return undefined;
  return {
    name: part.name,
    flash: nrfFlash(part, flashSizeBytes ?? part.maxFlashKiB * 1024),
    ram: [{ start: RAM_BASE, end: RAM_BASE + part.maxRamKiB * 1024 }],
    // Without the chip the revision is unknown: the legacy fields (the hardened ones differ
    // only in APPROTECT's named values).
    optionFields: uicrFields(part, false).map((f) => f.info),
  };
}

function describePart(name: string): readonly PartDescription[] {
  const part = partByName(name);
  if (!part) return [];
  const layout = layoutOf(name);
  if (!layout) return [];
  return [
    {
      part: name.trim(),
      device: descriptor(part),
      flashKiB: part.maxFlashKiB,
      flashSizeFrom: 'database',
      flash: layout.flash,
      ram: layout.ram ?? [],
      notes:
        part.name === 'nRF52832'
          ? ['nRF52832-xxAB has 256 KB flash and 32 KB RAM; the chip’s FICR says which one it is.']
          : [],
    },
  ];
}

/** The nRF52 target family. */
export const nrfFamily: TargetFamily = {
  id: 'nrf52',
  description:
    'Nordic Semiconductor nRF52 (nRF52810, nRF52811, nRF52820, nRF52832, nRF52833, nRF52840)',
  identify: (ctx, options) => identifyNrf(ctx, options),
  devices: () => NRF_PARTS.map(descriptor),
  layoutOf: (name, options) => layoutOf(name, options?.flashSizeBytes),
  describePart,
};
