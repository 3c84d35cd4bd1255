import { FlashwrightError } from '../errors/flashwright-error.js';
import type { Device } from '../plugin/types.js';
import { formatBytes } from '../pipeline/units-text.js';
import { fail, fromError, ok, warn, type Diagnosis } from './diagnosis.js';

/** DEV_ID and REV_ID, where the family reports them and the name does not already say. */
function idFacts(device: Device): string {
  const { devId, revId } = device.facts;
  const parts = [
    devId === undefined || device.name.includes(String(devId))
      ? undefined
      : `DEV_ID ${String(devId)}`,
    revId === undefined ? undefined : `REV_ID ${String(revId)}`,
  ].filter((p) => p !== undefined);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** The connected chip is not the recipe's `target.device`. */
export function deviceMismatch(expected: string, device: Device): Diagnosis {
  return fail('device-id', {
    code: 'TARGET_DEVICE_MISMATCH',
    message: `The recipe expects ${expected}, but the connected chip is ${device.name}${idFacts(device)}`,
    hint: 'Connect the right board, or change target.device in the recipe if the part really changed.',
    details: { expected, found: device.name, facts: device.facts },
  });
}

/** The chip was identified (and is the recipe's part, when the recipe names one). */
export function deviceIdentified(device: Device, expected: string | undefined): Diagnosis {
  if (expected !== undefined && !device.matches(expected)) return deviceMismatch(expected, device);
  return ok(
    'device-id',
    `${device.name}${idFacts(device)}${expected === undefined ? '' : `, as the recipe expects (${expected})`}`,
  );
}

/** Identification failed: no family knew the chip, or its id is not in the database. */
export function deviceNotIdentified(error: FlashwrightError): Diagnosis {
  if (error.code !== 'TARGET_UNKNOWN_DEVICE') return fromError('device-id', error);
  return fail('device-id', {
    code: 'TARGET_UNKNOWN_DEVICE',
    message: error.message,
    hint:
      error.hint ??
      'Check target.family in the recipe; run `flashwright info -v` to see the raw ID registers.',
    details: error.details,
  });
}

/**
 * The chip answers, but no loaded family knows it (its id registers mean nothing to them).
 * Through a memory-only probe (a GDB server) the usual cause is an emulator that does not
 * model the ID registers: naming the part lets the pipeline take its layout on trust.
 */
export function noFamilyRecognised(
  tried: readonly string[],
  options: { readonly memoryOnly?: boolean } = {},
): FlashwrightError {
  const gdb =
    options.memoryOnly === true
      ? ' Some GDB servers (emulators) do not show the ID registers: name the part in target.device and flashwright takes its layout from the device database.'
      : '';
  return new FlashwrightError(
    'TARGET_UNKNOWN_DEVICE',
    `The chip answers, but no target family recognised it (tried ${tried.join(', ') || 'none'})`,
    {
      hint: `Check target.family in the recipe; run \`flashwright info -v\` to see the raw ID registers. A chip that is not an Arm Cortex-M, or a clone with other ID registers, needs its own family plugin.${gdb}`,
    },
  );
}

/** For the pipeline: the mismatch error with doctor's wording. */
export function deviceMismatchError(expected: string, device: Device): FlashwrightError {
  const diagnosis = deviceMismatch(expected, device);
  return new FlashwrightError('TARGET_DEVICE_MISMATCH', diagnosis.message, {
    hint: diagnosis.hint,
    source: { keyPath: 'target.device' },
    details: diagnosis.details,
  });
}

function totalFlash(device: Device): number {
  return device.flash.reduce((sum, r) => sum + (r.end - r.start), 0);
}

function hexText(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^0x[0-9a-f]+$/i.test(value)) return Number(value);
  return undefined;
}

/**
 * Is the flash size believable? A family reports where its size came from in the device
 * facts (`flashSizeSource`: register, override or family-maximum; `flashSizeRaw` when a
 * quirk was applied) and explains itself in a note mentioning the flash-size register.
 * The raw value read as plain KiB is what tools without the quirk report: the STM32L151CB
 * register reads 0x6B80, which STM32CubeProgrammer shows as 27520 KB.
 */
export function flashSize(device: Device): Diagnosis {
  const size = formatBytes(totalFlash(device));
  const source = device.facts.flashSizeSource;
  const raw = hexText(device.facts.flashSizeRaw);
  const note = device.notes.find((n) => /flash[- ]size|flashSize/i.test(n));
  if (source === 'family-maximum') {
    return warn('flash-size', {
      message: `${note ?? `The flash-size register of ${device.name} is implausible`}; using ${size}`,
      hint: `Set target.flashSize in the recipe to the size in the part's datasheet (the letter after the pin-count letter in the part number, as the B in STM32F103RB: 8 = 64K, B = 128K, C = 256K, E = 512K, G = 1M) if it is not ${size}.`,
      details: { flashBytes: totalFlash(device), raw },
    });
  }
  // The raw value read as plain KiB is what a tool without the quirk reports.
  const naive =
    raw !== undefined && (raw & 0xffff) * 1024 !== totalFlash(device)
      ? ` (a tool that reads the register as plain KiB reports ${raw & 0xffff} KB)`
      : '';
  if (source === 'override') {
    const register =
      typeof device.facts.flashSizeRegister === 'string'
        ? ` at ${device.facts.flashSizeRegister}`
        : '';
    const reads =
      raw === undefined
        ? ''
        : `; the flash-size register${register} reads 0x${raw.toString(16).toUpperCase().padStart(4, '0')}`;
    return ok('flash-size', `${size} from target.flashSize${reads}${naive}`);
  }
  if (raw !== undefined) {
    return ok(
      'flash-size',
      `${size}: ${note ?? `the register reads 0x${raw.toString(16).toUpperCase()}`}, quirk applied${naive}`,
    );
  }
  return ok('flash-size', `${size}${note === undefined ? '' : ` (${note})`}`);
}
