import { formatAddress } from '../image/address-range.js';
import { fieldsWithRole } from '../plugin/option-roles.js';
import type {
  Device,
  LowPowerMode,
  OptionFieldInfo,
  OptionHazard,
  OptionValues,
} from '../plugin/types.js';
import { ok, warn, type Diagnosis } from './diagnosis.js';

/** A hazard with the words core gives it: what is wrong, and what to do. */
export type ExplainedHazard = OptionHazard & {
  readonly problem: string;
  /** A sentence or two that quote the option-bytes step. */
  readonly advice: string;
};

function value(v: number): string {
  return v > 9 ? `0x${v.toString(16).toUpperCase()}` : String(v);
}

/** "A: 1, B: 0", as the values stand in a recipe. */
function inline(values: OptionValues): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}: ${value(v)}`)
    .join(', ');
}

/** The recipe step that writes `fix`, as the user would type it. */
export function optionBytesStep(fix: OptionValues): string {
  return `\`- option-bytes: { ${inline(fix)}, confirm: write-option-bytes }\``;
}

/** "A = 0", "A = 0 and B = 1", "A = 0, B = 0 and C = 0". */
function fieldList(fields: OptionValues): string {
  const parts = Object.entries(fields).map(([k, v]) => `${k} = ${value(v)}`);
  const last = parts.pop() ?? '';
  return parts.length === 0 ? last : `${parts.join(', ')} and ${last}`;
}

const modeNames: Readonly<Record<LowPowerMode, string>> = {
  stop: 'Stop',
  standby: 'Standby',
  shutdown: 'Shutdown',
};

/**
 * A watchdog the option bytes start at reset cannot be stopped. It keeps counting while
 * the debugger holds the core halted (unless the debugger freezes it), so a mass erase or
 * a long write outlasts its first timeout and the chip resets in the middle of it.
 */
function hardwareWatchdog(fields: readonly OptionFieldInfo[], values: OptionValues) {
  return fieldsWithRole(fields, 'watchdog').flatMap((f): OptionHazard[] =>
    values[f.name] === f.role.hardwareWhen
      ? [
          {
            code: 'hardware-watchdog',
            fields: { [f.name]: f.role.hardwareWhen },
            fix: { [f.name]: f.role.softwareWhen },
            firstTimeoutMs: f.role.firstTimeoutMs,
          },
        ]
      : [],
  );
}

/** Fields that turn entering a low-power mode into a reset, as one hazard. */
function resetOnLowPower(fields: readonly OptionFieldInfo[], values: OptionValues) {
  const set = fieldsWithRole(fields, 'low-power-reset').filter(
    (f) => values[f.name] === f.role.resetsWhen,
  );
  if (set.length === 0) return [];
  const hazard: OptionHazard = {
    code: 'low-power-reset',
    fields: Object.fromEntries(set.map((f) => [f.name, f.role.resetsWhen])),
    fix: Object.fromEntries(set.map((f) => [f.name, f.role.entersWhen])),
    modes: [...new Set(set.map((f) => f.role.mode))],
  };
  return [hazard];
}

/** Core's words for a hazard, from its code and values. */
export function explainHazard(hazard: OptionHazard): ExplainedHazard {
  const found = fieldList(hazard.fields);
  const step = optionBytesStep(hazard.fix);
  switch (hazard.code) {
    case 'hardware-watchdog': {
      const timeout =
        hazard.firstTimeoutMs === undefined
          ? ''
          : ` (about ${hazard.firstTimeoutMs} ms after reset unless the firmware reloads it)`;
      return {
        ...hazard,
        problem: `${found}: a hardware watchdog runs from reset and cannot be stopped, so it can reset the chip in the middle of a long erase or write${timeout}`,
        advice: `Unless the product needs a watchdog nothing can turn off, let the firmware start it: ${step}. Otherwise keep erases short (erase: auto) and connect under reset.`,
      };
    }
    case 'low-power-reset':
      return {
        ...hazard,
        problem: `${found}: the chip resets instead of entering ${hazard.modes.map((m) => modeNames[m]).join('/')} mode, which drops the debug connection every time the firmware goes to sleep`,
        advice: `Connect under reset (probe.connect: under-reset) so the firmware never gets to sleep, or, if those resets are not wanted, ${step}.`,
      };
    case 'boots-bootloader':
      return {
        ...hazard,
        problem: `${found}: the boot selection comes from the option bytes and picks the ROM bootloader, so the chip starts its ROM bootloader after every reset instead of the firmware in flash`,
        advice: `${step} boots the flash again${hazard.pinFix === undefined ? '' : ` (or ${inline(hazard.pinFix)} lets the boot pin decide)`}.`,
      };
    case 'boot-address': {
      const pin = hazard.pin === undefined ? '' : `with the boot pin ${hazard.pin} `;
      const other = hazard.alternative;
      return {
        ...hazard,
        problem: `${found}: ${pin}the core boots from ${formatAddress(hazard.address)}, which is not the flash${hazard.romBootloader ? ' but the ROM bootloader' : ''}`,
        advice: `${step} boots the flash at ${formatAddress(hazard.fixAddress)} (the factory value)${other === undefined ? '' : `; ${inline(other.fix)} boots it at ${formatAddress(other.address)}`}.`,
      };
    }
    case 'boots-other-bank':
      return {
        ...hazard,
        problem: `${found}: the chip boots from bank ${hazard.bank} whenever that bank holds a valid image, so an image written to another bank may never run`,
        advice: `${step}, unless the firmware swaps banks on purpose.`,
      };
    case 'debug-relocks': {
      const firmware = `the firmware must write 0x${hazard.value.toString(16).toUpperCase()} to ${formatAddress(hazard.register)} early at boot (before anything else runs), or the debug port locks again at every reset`;
      return {
        ...hazard,
        problem: hazard.firmwareHalfMissing
          ? `${found}: the option bytes allow debugging, but the debug port was locked after reset, so the firmware does not open it: ${firmware}`
          : `${found}: on this silicon the debug port locks again at every reset: the option bytes do not allow debugging`,
        advice: hazard.firmwareHalfMissing
          ? `Add that write to the firmware's startup code (the vendor's SystemInit does it when built to leave debugging open), flash it with an unprotect step, and reset.`
          : `${step} allows it (the unprotect step writes it after the recovery), and ${firmware}.`,
      };
    }
    case 'reset-pin':
      return {
        ...hazard,
        problem: `${found}: the pin reset is not configured consistently, so the reset pin (${hazard.pin}) may not reset the chip and connecting under reset fails`,
        advice: `${step} connects the pin reset to ${hazard.pin}; it takes effect after the next reset.`,
      };
  }
}

/**
 * Every hazard the option bytes hold, in the order they hurt: erase first (from the
 * fields' roles), then boot (from the family, which alone knows how its boot fields combine).
 */
export function optionHazards(
  values: OptionValues,
  device: Pick<Device, 'optionFields' | 'optionHazards'>,
): ExplainedHazard[] {
  const fields = device.optionFields();
  return [
    ...hardwareWatchdog(fields, values),
    ...resetOnLowPower(fields, values),
    ...(device.optionHazards?.(values) ?? []),
  ].map(explainHazard);
}

/** The option-bytes check: ok, or a warning listing every hazard with its fix. */
export function optionBytes(
  values: OptionValues,
  device: Pick<Device, 'optionFields' | 'optionHazards'>,
): Diagnosis {
  const hazards = optionHazards(values, device);
  // Protection masks and user data say nothing about debugging or booting.
  const quiet = new Set(
    fieldsWithRole(
      device.optionFields(),
      'write-protection',
      'write-protection-area',
      'user-data',
    ).map((f) => f.name),
  );
  const shown = Object.entries(values)
    .filter(([name]) => !quiet.has(name))
    .map(([name, v]) => `${name}=${value(v)}`)
    .join(', ');
  if (hazards.length === 0) {
    return ok('option-bytes', `nothing in the way of debugging or booting (${shown})`);
  }
  return warn('option-bytes', {
    message: hazards.map((h) => h.problem).join('. '),
    hint: hazards.map((h) => h.advice).join(' '),
    details: { hazards, values },
  });
}
