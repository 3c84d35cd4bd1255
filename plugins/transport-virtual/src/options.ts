import { resolve } from 'node:path';
import { FlashwrightError } from '@flashwright/core';
import { didYouMean } from '@flashwright/core/plugin';
import type { FaultSpec } from '@flashwright/sim';

/** The virtual hardware a recipe asks for (`probe.options` of `transport: virtual`; README.md). */
export type VirtualProbeKind =
  'stlink-v2' | 'stlink-v2-1' | 'stlink-v3' | 'cmsis-dap-v1' | 'cmsis-dap-v2';

export interface VirtualOptions {
  readonly probe: VirtualProbeKind;
  readonly device?: string | undefined;
  /** Absolute path of the state file (resolved against the recipe's directory). */
  readonly state?: string | undefined;
  readonly rdp?: 0 | 1 | 2 | undefined;
  readonly flashSizeRaw?: number | undefined;
  readonly firmware?: string | undefined;
  readonly voltage?: number | undefined;
  /** A clone ST-Link: binary serial, target voltage reads 0 V, NRST not wired (sim). */
  readonly clone?: boolean | undefined;
  /** The probe's USB serial number (default: the kind's, or a clone's binary one). */
  readonly serialNumber?: string | undefined;
  readonly timing: 'instant' | 'realtime';
  readonly faults: readonly FaultSpec[];
  /** nRF52: legacy or hardened APPROTECT silicon. */
  readonly revision?: 'legacy' | 'hardened' | undefined;
  /** nRF52: access port protection of a new board. */
  readonly approtect?: boolean | undefined;
}

const PROBES: readonly VirtualProbeKind[] = [
  'stlink-v2',
  'stlink-v2-1',
  'stlink-v3',
  'cmsis-dap-v1',
  'cmsis-dap-v2',
];

const KEYS = [
  'probe',
  'device',
  'state',
  'rdp',
  'flashSizeRaw',
  'firmware',
  'voltage',
  'clone',
  'serialNumber',
  'timing',
  'faults',
  'revision',
  'approtect',
  'boards',
] as const;

/** Required numeric fields of each fault kind (sim FaultSpec); `length` is optional. */
const FAULT_FIELDS: Readonly<Record<FaultSpec['kind'], readonly string[]>> = {
  'usb-timeout': ['atTransfer'],
  'usb-stall': ['atTransfer'],
  disconnect: ['atTransfer'],
  'power-loss': ['afterFlashBytes'],
  'swd-wait': ['atAccess', 'count'],
  'bus-fault': ['address'],
  'flash-error': ['address'],
};
const OPTIONAL_FAULT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'bus-fault': ['length'],
};

const FIRMWARE_PATTERN = /^V([234])J(\d+)((?:[SMBP]\d+)*)$/i;

function invalid(key: string, message: string, hint?: string): FlashwrightError {
  return new FlashwrightError('RECIPE_INVALID', `probe.options.${key}: ${message}`, {
    hint: hint ?? 'See the probe.options table in the README of @flashwright/transport-virtual.',
    source: { keyPath: `probe.options.${key}` },
  });
}

/** Integers may be written as numbers or as strings like "0x20000000" (YAML keeps hex as text). */
function integer(key: string, value: unknown, min: number, max: number): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^(0x[0-9a-f_]+|\d[\d_]*)$/i.test(value.trim())
        ? Number(value.trim().replaceAll('_', ''))
        : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalid(key, `expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
    return value as T;
  const close = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
  throw invalid(
    key,
    `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}${close ? ` (did you mean ${close}?)` : ''}`,
  );
}

function parseFault(raw: unknown, index: number): FaultSpec {
  const key = `faults[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(key, 'expected an object such as { kind: usb-timeout, atTransfer: 40 }');
  }
  const record = raw as Record<string, unknown>;
  const kind = oneOf(
    `${key}.kind`,
    record['kind'],
    Object.keys(FAULT_FIELDS) as FaultSpec['kind'][],
  );
  const required = FAULT_FIELDS[kind];
  const optional = OPTIONAL_FAULT_FIELDS[kind] ?? [];
  const fault: Record<string, unknown> = { kind };
  for (const field of Object.keys(record)) {
    if (field === 'kind' || required.includes(field) || optional.includes(field)) continue;
    const close = didYouMean(field, [...required, ...optional]);
    throw invalid(
      `${key}.${field}`,
      `unknown field for a ${kind} fault${close ? ` (did you mean ${close}?)` : ''}`,
    );
  }
  for (const field of [...required, ...optional]) {
    const value = record[field];
    if (value === undefined) {
      if (required.includes(field))
        throw invalid(`${key}.${field}`, `a ${kind} fault needs ${field}`);
      continue;
    }
    // Addresses span 32 bits; a power loss may hit before the first byte; counts start at 1.
    const min = field === 'address' || field === 'afterFlashBytes' ? 0 : 1;
    const max = field === 'address' ? 0xffffffff : 2 ** 31;
    fault[field] = integer(`${key}.${field}`, value, min, max);
  }
  return fault as FaultSpec;
}

function checkFirmware(firmware: string, probe: VirtualProbeKind): string {
  // A CMSIS-DAP probe reports any text as its firmware version (DAP_Info 0x09).
  if (probe.startsWith('cmsis-dap')) return firmware.trim();
  const match = FIRMWARE_PATTERN.exec(firmware.trim());
  if (!match) {
    throw invalid(
      'firmware',
      `"${firmware}" is not an ST-Link firmware version`,
      'Write it as ST prints it, e.g. V2J37S7, V2J40M27 or V3J7M3B5S1.',
    );
  }
  const major = Number(match[1]);
  const wantsV3 = probe === 'stlink-v3';
  if (probe.startsWith('stlink') && major >= 3 !== wantsV3) {
    throw invalid(
      'firmware',
      `${firmware} is ${major >= 3 ? 'V3' : 'V2'} firmware, but probe is ${probe}`,
    );
  }
  return firmware.trim().toUpperCase();
}

/** Validates `probe.options` of a virtual-transport recipe; every problem is RECIPE_INVALID. */
export function parseVirtualOptions(
  raw: Readonly<Record<string, unknown>>,
  recipeDir: string,
): VirtualOptions {
  for (const key of Object.keys(raw)) {
    if ((KEYS as readonly string[]).includes(key)) continue;
    const close = didYouMean(key, KEYS);
    throw invalid(key, `unknown option${close ? ` (did you mean ${close}?)` : ''}`);
  }
  const probe = raw['probe'] === undefined ? 'stlink-v2' : oneOf('probe', raw['probe'], PROBES);
  const text = (key: string): string | undefined => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '')
      throw invalid(key, 'expected a non-empty string');
    return value;
  };
  const faults = raw['faults'] ?? [];
  if (!Array.isArray(faults)) throw invalid('faults', 'expected a list of faults');
  const voltage = raw['voltage'];
  if (voltage !== undefined && (typeof voltage !== 'number' || !(voltage >= 0 && voltage <= 5.5))) {
    throw invalid('voltage', `expected volts from 0 to 5.5, got ${JSON.stringify(voltage)}`);
  }
  const flag = (key: string): boolean | undefined => {
    const value = raw[key];
    if (value !== undefined && typeof value !== 'boolean') {
      throw invalid(key, `expected true or false, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const clone = flag('clone');
  const approtect = flag('approtect');
  const state = text('state');
  const firmware = text('firmware');
  const serialNumber = text('serialNumber');
  // A USB string descriptor holds at most 126 UTF-16 code units (USB 2.0, 9.6.7).
  if (serialNumber !== undefined && !/^[\x21-\x7e]{1,126}$/.test(serialNumber)) {
    throw invalid('serialNumber', 'expected 1 to 126 printable ASCII characters without spaces');
  }
  return {
    probe,
    device: deviceOption(raw['device']),
    state: state === undefined ? undefined : resolve(recipeDir, state),
    rdp: raw['rdp'] === undefined ? undefined : (integer('rdp', raw['rdp'], 0, 2) as 0 | 1 | 2),
    flashSizeRaw:
      raw['flashSizeRaw'] === undefined
        ? undefined
        : integer('flashSizeRaw', raw['flashSizeRaw'], 0, 0xffff),
    firmware: firmware === undefined ? undefined : checkFirmware(firmware, probe),
    voltage,
    ...(clone === undefined ? {} : { clone }),
    ...(serialNumber === undefined ? {} : { serialNumber }),
    timing:
      raw['timing'] === undefined
        ? 'instant'
        : oneOf('timing', raw['timing'], ['instant', 'realtime'] as const),
    faults: faults.map((f, i) => parseFault(f, i)),
    ...(raw['revision'] === undefined
      ? {}
      : { revision: oneOf('revision', raw['revision'], ['legacy', 'hardened'] as const) }),
    ...(approtect === undefined ? {} : { approtect }),
  };
}

/**
 * The simulated part: a part number, or a DEV_ID (`0x436`), which YAML reads as a number and
 * which settles a part number that names several ids (STM32L151RC: 0x427 or 0x436).
 */
function deviceOption(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value <= 0 || value > 0xfff) {
      throw invalid(
        'device',
        `expected a part number or a 12-bit DEV_ID such as 0x436, got ${value}`,
      );
    }
    return `0x${value.toString(16)}`;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid('device', 'expected a non-empty string');
  }
  return value;
}
