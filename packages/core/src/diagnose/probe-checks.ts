import type { FlashwrightError } from '../errors/flashwright-error.js';
import { isFlashwrightError } from '../errors/flashwright-error.js';
import type { ProbeInfo, ProbeListing, ProbeWarning, TransportFactory } from '../plugin/types.js';
import { diagnosisError, fail, fromError, ok, skipped, warn, type Diagnosis } from './diagnosis.js';

/**
 * Below this the target is unpowered or VDD is not wired to the probe. The lowest STM32
 * supply is 1.62-1.71 V (H7 1.62 V, L1/L0 1.65 V, F4 1.7 V, L4 1.71 V: the "Operating
 * conditions" tables of the datasheets), so 1.6 V leaves room for the probe's ADC error.
 */
export const MIN_TARGET_VOLTAGE_V = 1.6;

function probeName(info: ProbeInfo): string {
  return `${info.name}${info.serial === undefined ? '' : ` (serial ${info.serial})`}`;
}

/** The probe opened: which one, and which others were seen. */
export function probeFound(info: ProbeInfo, listings: readonly ProbeListing[]): Diagnosis {
  const others = listings.filter((l) => l.serial !== info.serial || l.name !== info.name);
  const unusable = others.filter((l) => !l.usable);
  const tail =
    unusable.length === 0
      ? ''
      : `; ${unusable.length} other probe${unusable.length === 1 ? '' : 's'} cannot be opened (run \`flashwright probes\`)`;
  return ok('probe', `${probeName(info)} opened${tail}`);
}

/**
 * Opening failed. The listing knows more than the open error where the transport could
 * see the probe but not open it: on Linux its hint carries the udev rule itself.
 */
export function probeOpenFailed(
  error: FlashwrightError,
  listings: readonly ProbeListing[],
): Diagnosis {
  if (error.code === 'PROBE_ACCESS_DENIED') {
    const denied = listings.find((l) => l.problem?.code === 'PROBE_ACCESS_DENIED');
    const hint = denied?.problem?.hint ?? error.hint;
    const which = denied === undefined ? '' : `${probeName(denied)} is connected, but `;
    return fail('probe', {
      code: 'PROBE_ACCESS_DENIED',
      message: `${which}this user may not open it: ${error.message}`,
      hint,
      details: error.details,
    });
  }
  if (error.code === 'PROBE_NOT_FOUND' && listings.length > 0) {
    const seen = listings.map((l) => `${probeName(l)}${l.usable ? '' : ' (unusable)'}`);
    return fail('probe', {
      code: 'PROBE_NOT_FOUND',
      message: `${error.message} (seen: ${seen.join(', ')})`,
      hint: error.hint,
      details: error.details,
    });
  }
  return fromError('probe', error);
}

/**
 * For the pipeline: a probe that could not be opened, explained as doctor explains it.
 * The transport's listing is asked only now, on the failure path: it may know why (the
 * udev rule for a probe this user may not open, the probes that are there).
 */
export async function explainOpenFailure(
  error: unknown,
  transport: TransportFactory,
  signal?: AbortSignal,
): Promise<unknown> {
  if (!isFlashwrightError(error)) return error;
  if (error.code !== 'PROBE_ACCESS_DENIED' && error.code !== 'PROBE_NOT_FOUND') return error;
  const listings = await transport.list(signal).catch((listError: unknown) => {
    if (!isFlashwrightError(listError)) throw listError;
    return [];
  });
  return diagnosisError(probeOpenFailed(error, listings), { cause: error, source: error.source });
}

/**
 * Firmware that works but lacks what flashwright uses (the transport's `firmware-outdated`
 * warnings, with its hint on how to update), firmware whose link to the host is slow
 * (`slow-link`), or a firmware it refused outright (`refusal`).
 */
export function probeFirmware(
  info: ProbeInfo | undefined,
  warnings: readonly ProbeWarning[],
  refusal?: FlashwrightError,
): Diagnosis {
  if (refusal !== undefined) return fromError('probe-firmware', refusal);
  if (info === undefined) return skipped('probe-firmware', 'no probe was opened');
  const outdated = warnings.filter((w) => w.code === 'firmware-outdated');
  if (outdated.length > 0) {
    const hints = outdated.flatMap((w) => (w.hint === undefined ? [] : [w.hint]));
    return warn('probe-firmware', {
      code: 'PROBE_FIRMWARE_TOO_OLD',
      message: outdated.map((w) => w.message).join(' '),
      hint: hints.length === 0 ? undefined : hints.join(' '),
      details: { firmware: info.firmwareVersion, warnings: outdated },
    });
  }
  // A link that works but holds transfers back (the transport's `slow-link` warnings).
  const slow = warnings.filter((w) => w.code === 'slow-link');
  if (slow.length > 0) {
    const hints = slow.flatMap((w) => (w.hint === undefined ? [] : [w.hint]));
    return warn('probe-firmware', {
      message: `${info.firmwareVersion ?? info.name}: ${slow.map((w) => w.message).join(' ')}`,
      hint: hints.length === 0 ? undefined : hints.join(' '),
      details: { firmware: info.firmwareVersion, warnings: slow },
    });
  }
  return ok(
    'probe-firmware',
    info.firmwareVersion === undefined
      ? `${info.name} does not report a firmware version`
      : `${info.firmwareVersion}: nothing flashwright uses is missing`,
  );
}

/**
 * The probe's reading of the target supply. `answered` says whether the target then
 * answered on SWD: a low reading from a target that answers is a probe that cannot measure
 * (clones) or a VREF pin left unwired, not a dead target.
 */
export function targetVoltage(volts: number | undefined, answered: boolean | undefined): Diagnosis {
  if (volts === undefined) return skipped('target-voltage', 'the probe does not measure it');
  const reading = `${volts.toFixed(2)} V`;
  if (volts >= MIN_TARGET_VOLTAGE_V) return ok('target-voltage', reading);
  if (answered === true) {
    // Genuine ST-LINK/V2s take the target supply on pin 1 or 2 of the 20-pin header for
    // their level shifters (ST community answers to "Cannot connect to target"); clones
    // often lack the sense (unconfirmed; stlink-org/stlink#1343 shows a board reading zeros).
    return warn('target-voltage', {
      code: 'TARGET_VOLTAGE_LOW',
      message: `The probe reads ${reading}, yet the target answers on SWD: the probe's VREF/VAPP pin is not connected to the target's VDD, or the probe cannot measure it (many ST-Link clones read 0 V)`,
      hint: 'Wire the target VDD to the probe’s VREF/VAPP pin (pin 1 or 2 of the ST-Link 20-pin header); genuine ST-Links use it as the I/O reference. On a clone the reading is harmless.',
      details: { volts },
    });
  }
  return fail('target-voltage', {
    code: 'TARGET_VOLTAGE_LOW',
    message: `The probe reads ${reading} on the target supply (at least ${MIN_TARGET_VOLTAGE_V} V needed)${answered === false ? ' and nothing answers on SWD' : ''}: the target is unpowered, or its VDD is not connected to the probe`,
    details: { volts },
  });
}
