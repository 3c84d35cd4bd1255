/**
 * Probe firmware versions ("V2J37S7", "V2J40M27", "V3J7M3B5S1") and the features each
 * version has (OpenOCD stlink_usb.c: stlink_usb_version and its STLINK_F_* feature gates;
 * pyOCD stlink.py).
 */
export interface FirmwareVersion {
  /** Hardware version: 2 (V2, V2-1) or 3 (V3). */
  readonly major: number;
  readonly jtag: number;
  readonly swim: number;
  readonly msd: number;
  readonly bridge: number;
}

const VERSION_PATTERN = /^V([234])J(\d+)((?:[SMBP]\d+)*)$/;

/** Parses a version string; returns undefined for anything that is not one. */
export function parseFirmwareVersion(text: string): FirmwareVersion | undefined {
  const match = VERSION_PATTERN.exec(text.trim().toUpperCase());
  if (!match) return undefined;
  const fields: Record<string, number> = {};
  for (const part of (match[3] ?? '').matchAll(/([SMBP])(\d+)/g)) {
    fields[part[1] ?? ''] = Number(part[2]);
  }
  return {
    major: Number(match[1]),
    jtag: Number(match[2]),
    swim: fields.S ?? 0,
    msd: fields.M ?? 0,
    bridge: fields.B ?? 0,
  };
}

export function formatFirmwareVersion(v: FirmwareVersion): string {
  let text = `V${v.major}J${v.jtag}`;
  if (v.msd) text += `M${v.msd}`;
  if (v.bridge) text += `B${v.bridge}`;
  if (v.swim || !v.msd) text += `S${v.swim}`;
  return text;
}

/** What a firmware version can do. V3 numbers its J versions afresh (V3J2 ~ V2J32). */
export interface FirmwareFeatures {
  readonly targetVoltage: boolean;
  readonly trace: boolean;
  readonly rwStatus2: boolean;
  readonly fpuRegisters: boolean;
  readonly swdSetFreq: boolean;
  readonly jtagSetFreq: boolean;
  readonly dapRegisters: boolean;
  readonly mem16: boolean;
  readonly writeNoIncrement: boolean;
  readonly multiAp: boolean;
  readonly closeApStatus: boolean;
  readonly bankedDp: boolean;
  readonly readNoIncrement: boolean;
  readonly cswInMemoryCommands: boolean;
  readonly rwMisc: boolean;
  /** V3 GET/SET_COM_FREQ and SWITCH_STLINK_FREQ instead of the V2 divisors. */
  readonly comFreq: boolean;
  /** 8-bit read/write maximum: 64 bytes, 512 on V3 from J6 (OpenOCD commit 324a45e02). */
  readonly maxRw8Bytes: number;
}

export function firmwareFeatures(v: FirmwareVersion): FirmwareFeatures {
  const v3 = v.major >= 3;
  const v2At = (jtag: number): boolean => !v3 && v.jtag >= jtag;
  const j32 = v3 ? v.jtag >= 2 : v.jtag >= 32;
  return {
    targetVoltage: v3 || v2At(13),
    trace: v3 || v2At(13),
    rwStatus2: v3 || v2At(15),
    fpuRegisters: v3 || v2At(15),
    // OpenOCD never sends the V2 clock commands to a V3; V3 answers them with CMD_ERROR.
    swdSetFreq: v2At(22),
    jtagSetFreq: v2At(24),
    dapRegisters: v3 || v2At(24),
    mem16: v3 || v2At(26),
    writeNoIncrement: v3 || v2At(26),
    multiAp: v3 || v2At(28),
    closeApStatus: v3 || v2At(29),
    bankedDp: j32,
    readNoIncrement: j32,
    cswInMemoryCommands: j32,
    rwMisc: j32,
    comFreq: v3,
    maxRw8Bytes: v3 && v.jtag >= 6 ? 512 : 64,
  };
}
