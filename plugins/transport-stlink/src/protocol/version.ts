import type { RawVersion, VersionEx } from './general-commands.js';

/** ST-Link PIDs whose low version field is M (mass storage), not S (OpenOCD stlink_usb_version). */
const V2_1_PIDS: ReadonlySet<number> = new Set([0x374b, 0x3752]);

/** A decoded firmware version: V (hardware), J (SWD/JTAG), S (SWIM), M (MSC/VCP), B, P. */
export interface StLinkVersion {
  readonly hardware: number;
  readonly jtag: number;
  readonly swim: number;
  readonly msc: number;
  readonly bridge: number;
  readonly power: number;
  readonly vendorId: number;
  readonly productId: number;
}

/**
 * Decodes GET_VERSION (OpenOCD stlink_usb_version). On V2-1 PIDs the middle field is J and the
 * low field M, except on STM8-only boards, which OpenOCD recognises as (x <= 22, y = 7) or
 * (x >= 25, 7 <= y <= 12) and reads as M=x, S=y, J=0 (no SWD at all).
 */
export function decodeVersion(raw: RawVersion): StLinkVersion {
  const hardware = (raw.word >>> 12) & 0x0f;
  const x = (raw.word >>> 6) & 0x3f;
  const y = raw.word & 0x3f;
  const base = { hardware, bridge: 0, power: 0, vendorId: raw.vendorId, productId: raw.productId };
  if (V2_1_PIDS.has(raw.productId)) {
    const stm8Only = (x <= 22 && y === 7) || (x >= 25 && y >= 7 && y <= 12);
    return stm8Only ? { ...base, jtag: 0, msc: x, swim: y } : { ...base, jtag: x, msc: y, swim: 0 };
  }
  return { ...base, jtag: x, swim: y, msc: 0 };
}

/**
 * V3 and V3PWR report zeros for J and S in GET_VERSION and need GET_VERSION_EX (OpenOCD
 * stlink_usb_version). V3PWR says hardware 4, so test >= 3 (probe-rs#2719).
 */
export function needsVersionEx(version: StLinkVersion): boolean {
  return version.hardware >= 3 && version.jtag === 0 && version.swim === 0;
}

export function versionFromEx(ex: VersionEx): StLinkVersion {
  return { ...ex };
}

/**
 * The version string as ST and OpenOCD print it: "V2J37S7", "V2J40M27", "V3J7M3B5S1".
 * V1/V2 follow OpenOCD's rule (J unless only M, S when set or without M); V3 and later
 * print J always and the rest only when non-zero, as pyOCD does for "V4J5B1P5".
 */
export function formatVersion(v: StLinkVersion): string {
  let text = `V${v.hardware}`;
  if (v.hardware >= 3) {
    text += `J${v.jtag}`;
    if (v.msc !== 0) text += `M${v.msc}`;
    if (v.bridge !== 0) text += `B${v.bridge}`;
    if (v.swim !== 0) text += `S${v.swim}`;
    if (v.power !== 0) text += `P${v.power}`;
    return text;
  }
  if (v.jtag !== 0 || v.msc === 0) text += `J${v.jtag}`;
  if (v.msc !== 0) text += `M${v.msc}`;
  if (v.swim !== 0 || v.msc === 0) text += `S${v.swim}`;
  return text;
}

/** Features that depend on the firmware's J number (OpenOCD stlink_usb_version STLINK_F_*). */
export type FirmwareFeature =
  | 'targetVoltage'
  | 'rwStatus2'
  | 'fpuRegisters'
  | 'swdSetFreq'
  | 'jtagSetFreq'
  | 'dapRegisters'
  | 'memory16'
  | 'multiAp'
  | 'closeApStatus'
  | 'bankedDp'
  | 'rw8Max512'
  | 'comFreq';

/**
 * Minimum J per hardware line; `undefined` = not on that line. V2 thresholds: OpenOCD
 * stlink_usb.c and pyOCD stlink.py (SWD_SET_FREQ at J22 as OpenOCD gates it and its commit
 * 145f8ed81 says; "J20" is a pyOCD comment copied into probe-rs). V3 has everything from J1
 * except the J32-level set (V3J2) and 512-byte 8-bit transfers (V3J6, OpenOCD commit
 * 324a45e02).
 */
const minimumJ: Readonly<Record<FirmwareFeature, { v2?: number; v3?: number }>> = {
  targetVoltage: { v2: 13, v3: 1 },
  rwStatus2: { v2: 15, v3: 1 },
  fpuRegisters: { v2: 15, v3: 1 },
  swdSetFreq: { v2: 22 },
  jtagSetFreq: { v2: 24 },
  dapRegisters: { v2: 24, v3: 1 },
  memory16: { v2: 26, v3: 1 },
  multiAp: { v2: 28, v3: 1 },
  closeApStatus: { v2: 29, v3: 1 },
  bankedDp: { v2: 32, v3: 2 },
  rw8Max512: { v3: 6 },
  comFreq: { v3: 1 },
};

function line(version: StLinkVersion): 'v2' | 'v3' {
  return version.hardware >= 3 ? 'v3' : 'v2';
}

export function hasFeature(version: StLinkVersion, feature: FirmwareFeature): boolean {
  // V3PWR (hardware 4) has every V3 feature unconditionally (OpenOCD `case 4`).
  const min = minimumJ[feature][line(version)];
  if (min === undefined) return false;
  return version.hardware >= 4 || version.jtag >= min;
}

/**
 * The firmware that brings a feature on this probe's hardware line, e.g. "V2J26", or
 * undefined when that line never has it.
 */
export function firmwareWith(version: StLinkVersion, feature: FirmwareFeature): string | undefined {
  const which = line(version);
  const min = minimumJ[feature][which];
  return min === undefined ? undefined : `${which === 'v3' ? 'V3' : 'V2'}J${min}`;
}

/**
 * Largest 8-bit memory transfer: 64 bytes, or 512 on V3 from J6 (OpenOCD stlink_usb.c
 * STLINK_F_HAS_RW8_512BYTES; commit 324a45e02: earlier V3 firmware crashes on large sizes).
 */
export function maxMemory8Bytes(version: StLinkVersion, direction: 'read' | 'write'): number {
  if (!hasFeature(version, 'rw8Max512')) return 64;
  // probe-rs saw 8-bit reads above 255 bytes fail on V3 J5 and J7 (stlink/mod.rs read_mem_8bit):
  // reads stay at 255, which costs nothing in practice (8-bit reads only cover unaligned edges).
  return direction === 'read' ? 255 : 512;
}

/** Largest 16/32-bit memory transfer: the probe's 6144-byte buffer (OpenOCD STLINK_DATA_SIZE). */
export const MAX_MEMORY_WORD_BYTES = 6144;
