import { FlashwrightError } from '../errors/flashwright-error.js';
import type { ConnectMode, ProbeWarning } from '../plugin/types.js';
import { diagnosisError, fail, fromError, ok, warn, type Diagnosis } from './diagnosis.js';
import { targetVoltage } from './probe-checks.js';

/** How the probe was told to attach: the recipe's probe.speed and probe.connect. */
export interface SwdSettings {
  readonly speedKhz?: number | undefined;
  readonly mode: ConnectMode;
}

/**
 * A clock most wiring survives: ST-Link V2 has a 480 kHz step (its divisor table), and
 * pyOCD and OpenOCD users report long or unshielded leads working there when 1.8-4 MHz fail.
 */
export const SLOW_SPEED_KHZ = 480;

function describeSettings(settings: SwdSettings): string {
  const speed = settings.speedKhz === undefined ? 'the default speed' : `${settings.speedKhz} kHz`;
  return `connect: ${settings.mode}, ${speed}`;
}

/**
 * What to try, most likely first, given how the probe attached. `ack` is the SWD
 * acknowledgement the attach ended with, where the probe reports it (raw-DAP probes: the
 * ADIv5 layer's error details): `no-ack` means nothing drove SWDIO at all, which is power or
 * wiring before it is speed.
 */
export function noResponseHint(settings: SwdSettings, ack?: unknown): string {
  const steps: string[] = [];
  if (ack === 'no-ack') {
    steps.push(
      'nothing acknowledged on SWD at all: check that the target is powered and that GND, SWDIO and SWCLK are connected (and not swapped) before anything else',
    );
  }
  if (settings.speedKhz === undefined || settings.speedKhz > SLOW_SPEED_KHZ) {
    steps.push(
      `lower the clock with probe.speed: ${SLOW_SPEED_KHZ} (long or loose SWD wires fail at high clocks)`,
    );
  }
  if (settings.mode !== 'under-reset') {
    steps.push(
      'set probe.connect: under-reset, which catches firmware that sleeps or turns the SWD pins into GPIOs (NRST must be wired to the probe)',
    );
  } else {
    steps.push(
      'check that NRST reaches the probe’s RST pin (on many ST-Link clones that pin drives SWIM_RST, not NRST)',
    );
  }
  steps.push(
    'hold BOOT0 high while powering up so the ROM bootloader runs instead of the firmware, then connect and release it',
    'check power, GND, SWDIO and SWCLK',
  );
  return `Try in turn: ${steps.map((s, i) => `(${i + 1}) ${s}`).join('; ')}. A chip at RDP level 2 never answers on SWD: that is permanent.`;
}

/**
 * The explanation of "nothing answers on SWD" with the recipe's settings in it. `run`
 * throws it from its connect step; `doctor` prints it when no fallback answered either.
 * Other errors (a low target voltage, a probe failure) keep their own explanation.
 */
export function swdNoResponse(error: FlashwrightError, settings: SwdSettings): Diagnosis {
  if (error.code !== 'TARGET_NO_RESPONSE') return fromError('swd', error);
  return fail('swd', {
    code: 'TARGET_NO_RESPONSE',
    message: `The target does not answer on SWD (${describeSettings(settings)}): ${error.message}`,
    hint: noResponseHint(settings, error.details?.['ack']),
    details: { ...error.details, speedKhz: settings.speedKhz, connect: settings.mode },
  });
}

/**
 * For the pipeline: an attach that failed, with the same message and hint as doctor's. A
 * low voltage the probe measured (details.volts) is doctor's target-voltage failure;
 * nothing answering is its SWD failure, with the recipe's settings in it.
 */
export function explainNoResponse(error: unknown, settings: SwdSettings): unknown {
  if (!(error instanceof FlashwrightError)) return error;
  const volts = error.details?.['volts'];
  if (error.code === 'TARGET_VOLTAGE_LOW' && typeof volts === 'number') {
    const voltage = targetVoltage(volts, false);
    return voltage.verdict === 'fail'
      ? diagnosisError(voltage, { cause: error, source: error.source })
      : error;
  }
  if (error.code !== 'TARGET_NO_RESPONSE') return error;
  const diagnosis = swdNoResponse(error, settings);
  return new FlashwrightError('TARGET_NO_RESPONSE', diagnosis.message, {
    hint: diagnosis.hint,
    cause: error,
    source: error.source ?? { keyPath: 'probe.connect' },
    details: { check: 'swd', ...diagnosis.details },
  });
}

/**
 * The settings doctor tries after the recipe's own failed: a slower clock, then connecting
 * under reset (slow too). Read-only: attaching halts the core at most.
 */
export function swdFallbacks(settings: SwdSettings): SwdSettings[] {
  const fallbacks: SwdSettings[] = [];
  const fast = settings.speedKhz === undefined || settings.speedKhz > SLOW_SPEED_KHZ;
  if (fast) fallbacks.push({ speedKhz: SLOW_SPEED_KHZ, mode: settings.mode });
  if (settings.mode !== 'under-reset') {
    fallbacks.push({
      speedKhz: fast ? SLOW_SPEED_KHZ : settings.speedKhz,
      mode: 'under-reset',
    });
  }
  return fallbacks;
}

/** The recipe's settings failed, a fallback worked: say which, and what to put in the recipe. */
export function swdWorksWith(
  settings: SwdSettings,
  working: SwdSettings,
  error: FlashwrightError,
): Diagnosis {
  const changes: string[] = [];
  if (working.speedKhz !== settings.speedKhz && working.speedKhz !== undefined) {
    changes.push(`probe.speed: ${working.speedKhz}`);
  }
  if (working.mode !== settings.mode) changes.push(`probe.connect: ${working.mode}`);
  return warn('swd', {
    code: 'TARGET_NO_RESPONSE',
    message: `No answer with the recipe's settings (${describeSettings(settings)}: ${error.message}), but the target answers with ${describeSettings(working)}`,
    hint: `Set ${changes.join(' and ')} in the recipe.`,
    details: { failed: settings, working },
  });
}

/**
 * The target answered. Warnings the probe raised while attaching are worth a verdict of
 * their own: a reset line that does not reach the chip (`nrst-not-wired`) makes every
 * "under reset" attach a software reset, which firmware that disables SWD early defeats.
 */
export function swdAnswers(
  settings: SwdSettings,
  attachWarnings: readonly ProbeWarning[],
): Diagnosis {
  const answers = `The target answers (${describeSettings(settings)})`;
  if (attachWarnings.length === 0) return ok('swd', answers);
  const nrst = attachWarnings.find((w) => w.code === 'nrst-not-wired');
  return warn('swd', {
    message: `${answers}, but: ${attachWarnings.map((w) => w.message).join(' ')}`,
    hint:
      nrst === undefined
        ? undefined
        : `${nrst.hint ?? 'Wire the target’s NRST to the probe’s reset pin.'} Until then a hardware reset is a software one.`,
    details: { warnings: attachWarnings },
  });
}
