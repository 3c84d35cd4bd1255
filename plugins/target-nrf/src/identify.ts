import { isFlashwrightError } from '@flashwright/core';
import type { Device, IdentifyOptions, MemoryPort, TargetContext } from '@flashwright/core/plugin';
import { CtrlAp, CTRL_AP_IDR } from './ctrl-ap.js';
import { NrfDevice, type NrfIdentity } from './device.js';
import { NRF_PAGE_BYTES, partByNumber } from './parts.js';

/** FICR (nRF52840 PS v1.7, chapter "FICR - Factory information configuration registers"). */
export const Ficr = {
  CODEPAGESIZE: 0x10000010,
  CODESIZE: 0x10000014,
  PART: 0x10000100,
  VARIANT: 0x10000104,
  PACKAGE: 0x10000108,
  RAM: 0x1000010c,
  FLASH: 0x10000110,
  /** Undocumented part and revision codes Nordic's MDK reads (nrf52_erratas.h). */
  HW_PART: 0x10000130,
  HW_REVISION: 0x10000134,
} as const;

/** INFO.PACKAGE codes (PS, FICR INFO.PACKAGE) to the package letters of the ordering code. */
const PACKAGES: Readonly<Record<number, string>> = {
  0x2000: 'QF',
  0x2001: 'CH',
  0x2002: 'CI',
  0x2003: 'QC',
  0x2004: 'QI',
  0x2005: 'CK',
  0x2007: 'QD',
  0x2008: 'CA',
};

/** Reads FICR; undefined when the words are not an nRF52's (another chip answered). */
export async function readIdentity(
  memory: MemoryPort,
  signal?: AbortSignal,
): Promise<NrfIdentity | undefined> {
  const partNumber = await memory.read32(Ficr.PART, signal);
  const part = partByNumber(partNumber);
  if (!part) return undefined;
  const pageBytes = await memory.read32(Ficr.CODEPAGESIZE, signal);
  if (pageBytes !== NRF_PAGE_BYTES) return undefined;
  const pages = await memory.read32(Ficr.CODESIZE, signal);
  const variantRaw = await memory.read32(Ficr.VARIANT, signal);
  const packageRaw = await memory.read32(Ficr.PACKAGE, signal);
  const ramKiB = await memory.read32(Ficr.RAM, signal);
  const flashKiB = await memory.read32(Ficr.FLASH, signal);
  const hwPart = await memory.read32(Ficr.HW_PART, signal);
  const hwRevision = await memory.read32(Ficr.HW_REVISION, signal);
  // nrf52_erratas.h nrf52_configuration_249: this revision code and later (and unknown
  // newer ones) have the hardened APPROTECT.
  const hardened = hwPart === part.hwPart && hwRevision >= part.hardenedFromRevision;
  return {
    part,
    flashBytes: pages * pageBytes,
    ramBytes: (ramKiB > 0 && ramKiB <= part.maxRamKiB ? ramKiB : part.maxRamKiB) * 1024,
    variant: ascii(variantRaw),
    packageName: PACKAGES[packageRaw] ?? `0x${packageRaw.toString(16)}`,
    hardened,
    raw: { variantRaw, packageRaw, flashKiB, hwPart, hwRevision },
  };
}

/**
 * Identifies an nRF52 from FICR through the AHB-AP. When the AHB-AP refuses (access port
 * protection: AP 0 CSW.DeviceEn reads 0) and the CTRL-AP answers with Nordic's IDR, the
 * chip is a protected nRF52 whose part cannot be read until it is recovered: identified as
 * such, so that the protection is reported (and can be removed) rather than failing.
 */
export async function identifyNrf(
  ctx: TargetContext,
  options: IdentifyOptions = {},
): Promise<Device | undefined> {
  const { signal } = options;
  let memoryError: unknown;
  try {
    const identity = await readIdentity(ctx.memory, signal);
    return identity ? new NrfDevice(ctx, identity) : undefined;
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    if (!isFlashwrightError(error) || error.code !== 'TARGET_FAULT') throw error;
    memoryError = error;
  }
  const access = ctx.probe.access;
  if (access.level === 'memory') return undefined;
  const ctrlAp = new CtrlAp(access.dap);
  const blocked = await ctrlAp.memoryApDisabled(signal).catch(() => false);
  if (!blocked) return undefined;
  const idr = await ctrlAp.idr(signal);
  if (idr !== CTRL_AP_IDR) return undefined;
  ctx.log.debug(`nRF52: memory refused (${String(memoryError)}); the CTRL-AP answers`);
  return new NrfDevice(ctx, undefined);
}

function ascii(word: number): string {
  let text = '';
  for (let shift = 24; shift >= 0; shift -= 8) {
    const c = (word >>> shift) & 0xff;
    text += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
  }
  return text;
}
