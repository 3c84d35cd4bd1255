import { FlashwrightError } from '../errors/flashwright-error.js';
import { formatAddress } from '../image/address-range.js';
import type { Device } from '../plugin/types.js';
import { formatBytes } from '../image/units-text.js';
import { fail, fromError, ok, warn, type Diagnosis } from './diagnosis.js';

/** The family's id registers, where it reports them and the name does not already say. */
function idFacts(device: Device): string {
  const parts = Object.entries(device.ids ?? {})
    .filter(([, value]) => !device.name.includes(value))
    .map(([name, value]) => `${name} ${value}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** The connected chip is not the recipe's `target.device`. */
export function deviceMismatch(expected: string, device: Device): Diagnosis {
  return fail('device-id', {
    code: 'TARGET_DEVICE_MISMATCH',
    message: `The recipe expects ${expected}, but the connected chip is ${device.name}${idFacts(device)}`,
    hint: 'Connect the right board, or change target.device in the recipe if the part really changed.',
    details: { expected, found: device.name, ids: device.ids, facts: device.facts },
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

function hex4(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Is the flash size believable? The family says where it came from (`Device.flashSize`):
 * the register (with its quirks applied, explained in `note`), the recipe's override, or
 * its database when the register could not be trusted (a warning). The raw value read as
 * plain KiB is what tools without the quirk report: a register reading 0x6B80 where only
 * the low byte counts shows as 27520 KB there.
 */
export function flashSize(device: Pick<Device, 'name' | 'flashSize'>): Diagnosis {
  const { kib, source, raw, registerAddress, note, hint } = device.flashSize;
  const size = formatBytes(kib * 1024);
  if (source === 'database') {
    return warn('flash-size', {
      message: `${note ?? `The flash-size register of ${device.name} is implausible`}; using ${size}`,
      hint: `Set target.flashSize in the recipe to the size in the part's datasheet if it is not ${size}.${hint === undefined ? '' : ` ${hint}`}`,
      details: { flashSize: device.flashSize },
    });
  }
  const naive =
    raw !== undefined && (raw & 0xffff) !== kib
      ? ` (a tool that reads the register as plain KiB reports ${raw & 0xffff} KB)`
      : '';
  if (source === 'override') {
    const at = registerAddress === undefined ? '' : ` at ${formatAddress(registerAddress)}`;
    const reads = raw === undefined ? '' : `; the flash-size register${at} reads ${hex4(raw)}`;
    return ok('flash-size', `${size} from target.flashSize${reads}${naive}`);
  }
  if (raw !== undefined) {
    return ok(
      'flash-size',
      `${size}: ${note ?? `the register reads ${hex4(raw)}`}, quirk applied${naive}`,
    );
  }
  return ok('flash-size', `${size}${note === undefined ? '' : ` (${note})`}`);
}
