import type { Device, OptionValues } from '../plugin/types.js';
import { ok, warn, type Diagnosis } from './diagnosis.js';

/** One option-byte setting that gets in the way of debugging or booting. */
export interface OptionHazard {
  /** The fields involved, with their current values. */
  readonly fields: Readonly<Record<string, number>>;
  readonly problem: string;
  /** The option-bytes step values that remove the hazard (when changing it is the fix). */
  readonly fix: Readonly<Record<string, number>>;
  /** What to do, in a sentence or two that quote the option-bytes step. */
  readonly advice: string;
}

function value(v: number): string {
  return v > 9 ? `0x${v.toString(16).toUpperCase()}` : String(v);
}

/** The recipe step that writes `fix`, as the user would type it. */
export function optionBytesStep(fix: Readonly<Record<string, number>>): string {
  const fields = Object.entries(fix).map(([k, v]) => `${k}: ${value(v)}`);
  return `\`- option-bytes: { ${fields.join(', ')}, confirm: write-option-bytes }\``;
}

/** The first of `names` the device has (families name the same bit differently). */
function pick(values: OptionValues, names: readonly string[]): [string, number] | undefined {
  for (const name of names) {
    const value = values[name];
    if (value !== undefined) return [name, value];
  }
  return undefined;
}

/**
 * A hardware watchdog (WDG_SW/IWDG_SW = 0) starts at reset and cannot be stopped. It keeps
 * counting while the debugger holds the core halted, unless the debugger sets DBGMCU's
 * watchdog freeze bit; from reset it times out after 4096 x 4 LSI cycles, about half a
 * second (IWDG_PR and IWDG_RLR reset values /4 and 0xFFF, LSI 32-40 kHz: the IWDG chapters
 * of RM0008/RM0038/RM0090). A mass erase or a long
 * write outlasts that, and the chip resets in the middle of it.
 */
function hardwareWatchdog(values: OptionValues): OptionHazard | undefined {
  const field = pick(values, ['WDG_SW', 'IWDG_SW', 'IWDG1_SW']);
  if (field === undefined || field[1] !== 0) return undefined;
  const [name] = field;
  return {
    fields: { [name]: 0 },
    problem: `${name} = 0: the independent watchdog runs from reset and cannot be stopped, so it can reset the chip in the middle of a long erase or write (about half a second after reset unless the firmware reloads it)`,
    fix: { [name]: 1 },
    advice: `Unless the product needs a watchdog nothing can turn off, let the firmware start it: ${optionBytesStep({ [name]: 1 })}. Otherwise keep erases short (erase: auto) and connect under reset.`,
  };
}

/** nRST_STOP/nRST_STDBY/nRST_SHDW = 0: entering that low-power mode resets the chip. */
function resetOnLowPower(values: OptionValues): OptionHazard | undefined {
  const bits: [string, string][] = [
    ['nRST_STOP', 'Stop'],
    ['NRST_STOP_D1', 'Stop'],
    ['nRST_STDBY', 'Standby'],
    ['NRST_STBY_D1', 'Standby'],
    ['nRST_SHDW', 'Shutdown'],
  ];
  const set = bits.filter(([name]) => values[name] === 0);
  if (set.length === 0) return undefined;
  const modes = [...new Set(set.map(([, mode]) => mode))].join('/');
  const fix = Object.fromEntries(set.map(([name]) => [name, 1]));
  return {
    fields: Object.fromEntries(set.map(([name]) => [name, 0])),
    problem: `${set.map(([n]) => n).join(', ')} = 0: the chip resets instead of entering ${modes} mode, which drops the debug connection every time the firmware goes to sleep`,
    fix,
    advice: `Connect under reset (probe.connect: under-reset) so the firmware never gets to sleep, or, if those resets are not wanted, ${optionBytesStep(fix)}.`,
  };
}

/**
 * Boot selection held in option bytes instead of the BOOT0 pin: nSWBOOT0 = 0 (L4+, G4,
 * WB, WL) or nBOOT_SEL = 1 (G0, C0), or BOOT_SEL = 0 (F04x/F09x), with nBOOT0 = 0, means
 * BOOT0 = 1: the chip starts the ROM bootloader after every reset, never the flash.
 */
function bootsBootloader(values: OptionValues): OptionHazard | undefined {
  const nBoot0 = values['nBOOT0'];
  if (nBoot0 !== 0) return undefined;
  const selector =
    values['nSWBOOT0'] === 0
      ? (['nSWBOOT0', 0] as const)
      : values['nBOOT_SEL'] === 1
        ? (['nBOOT_SEL', 1] as const)
        : values['BOOT_SEL'] === 0
          ? (['BOOT_SEL', 0] as const)
          : undefined;
  if (selector === undefined) return undefined;
  return {
    fields: { [selector[0]]: selector[1], nBOOT0: 0 },
    problem: `${selector[0]} = ${selector[1]} and nBOOT0 = 0: BOOT0 comes from the option bytes and is 1, so the chip starts its ROM bootloader after every reset instead of the firmware in flash`,
    fix: { nBOOT0: 1 },
    advice: `${optionBytesStep({ nBOOT0: 1 })} boots the flash again${selector[0] === 'nSWBOOT0' ? ' (or nSWBOOT0: 1 lets the BOOT0 pin decide)' : ''}.`,
  };
}

/** The F7 ROM bootloader (system memory), BOOT_ADD1's factory target (RM0410 boot table). */
const F7_SYSTEM_MEMORY = 0x00100000;

/** F7: BOOT_ADD0 (address bits [29:14]) is where the core boots with BOOT0 low. */
function bootAddressOutsideFlash(values: OptionValues, device: Device): OptionHazard | undefined {
  const add0 = values['BOOT_ADD0'];
  if (add0 === undefined) return undefined;
  const address = (add0 << 14) >>> 0;
  // F7 flash answers at 0x08000000 (AXIM) and at 0x00200000 (ITCM): the boot table of RM0385/RM0410.
  const flashBytes = device.flash.reduce((sum, r) => sum + (r.end - r.start), 0);
  const inFlash = [0x08000000, 0x00200000].some(
    (base) => address >= base && address < base + flashBytes,
  );
  if (inFlash) return undefined;
  return {
    fields: { BOOT_ADD0: add0 },
    problem: `BOOT_ADD0 = 0x${add0.toString(16).toUpperCase()}: with BOOT0 low the core boots from 0x${address.toString(16).toUpperCase().padStart(8, '0')}, which is not the flash${address === F7_SYSTEM_MEMORY ? ' but the ROM bootloader' : ''}`,
    fix: { BOOT_ADD0: 0x80 },
    advice: `${optionBytesStep({ BOOT_ADD0: 0x80 })} boots the flash through ITCM at 0x00200000 (the factory value); 0x2000 boots it at 0x08000000 through AXIM.`,
  };
}

/** BFB2 = 1 on a dual-bank part: a valid image in bank 2 runs instead of bank 1's. */
function bootFromBank2(values: OptionValues, device: Device): OptionHazard | undefined {
  if (values['BFB2'] !== 1 || device.flash.length < 2) return undefined;
  return {
    fields: { BFB2: 1 },
    problem:
      'BFB2 = 1: the chip boots from bank 2 whenever bank 2 holds a valid image, so an image written to bank 1 may never run',
    fix: { BFB2: 0 },
    advice: `${optionBytesStep({ BFB2: 0 })}, unless the firmware swaps banks on purpose.`,
  };
}

/** Every hazard the option bytes hold, in the order they hurt: erase first, then boot. */
export function optionHazards(values: OptionValues, device: Device): OptionHazard[] {
  return [
    hardwareWatchdog(values),
    resetOnLowPower(values),
    bootsBootloader(values),
    bootAddressOutsideFlash(values, device),
    bootFromBank2(values, device),
  ].filter((h): h is OptionHazard => h !== undefined);
}

/** The option-bytes check: ok, or a warning listing every hazard with its fix. */
export function optionBytes(values: OptionValues, device: Device): Diagnosis {
  const hazards = optionHazards(values, device);
  const shown = Object.entries(values)
    .filter(([name]) => !/^(n?WRP|WPSN|DATA)/i.test(name))
    .map(
      ([name, value]) => `${name}=${value > 9 ? `0x${value.toString(16).toUpperCase()}` : value}`,
    )
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
