import type { OptionFieldInfo, OptionHazard, OptionValues } from '@flashwright/core/plugin';
import type { NrfPart } from './parts.js';

/**
 * UICR (nRF52840 PS v1.7, chapter "UICR - User information configuration registers";
 * nRF52832 PS v1.8 and the others likewise, with the per-part differences below), base
 * 0x10001000. Its bits can only be cleared by a write; setting one again takes ERASEUICR,
 * which erases the whole UICR (so every other word is read first and written back).
 */
export const UICR_BASE = 0x10001000;
/** UICR words this family reads and rewrites around ERASEUICR: NRFFW..REGOUT0. */
export const UICR_USED_BYTES = 0x310;

/** APPROTECT.PALL (bits 7:0): 0xFF Disabled, 0x00 Enabled, 0x5A HwDisabled (hardened silicon). */
export const APPROTECT_DISABLED = 0xff;
export const APPROTECT_ENABLED = 0x00;
export const APPROTECT_HW_DISABLED = 0x5a;
/**
 * APPROTECT.DISABLE (hardened silicon): the firmware writes SwDisable = 0x5A at boot to keep
 * the debug port open (nRF52840 PS v1.7, "APPROTECT - Access port protection", register
 * DISABLE at 0x40000558; Nordic MDK system_nrf52_approtect.h does it in SystemInit).
 */
export const APPROTECT_DISABLE_REGISTER = 0x40000558;
export const APPROTECT_SW_DISABLE = 0x5a;

/** One UICR field: a word offset, a bit mask and how it is shown. */
export interface UicrField {
  readonly info: OptionFieldInfo;
  readonly offset: number;
  readonly mask: number;
  readonly shift: number;
}

function field(offset: number, mask: number, shift: number, info: OptionFieldInfo): UicrField {
  return { info, offset, mask: mask >>> 0, shift };
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).toUpperCase()}`;

/** The UICR fields of a part (REGOUT0 only on nRF52833/52840, NFCPINS not on nRF52810/811/820). */
export function uicrFields(part: NrfPart, hardened: boolean): UicrField[] {
  const open = hardened ? APPROTECT_HW_DISABLED : APPROTECT_DISABLED;
  const fields: UicrField[] = [
    field(0x208, 0xff, 0, {
      name: 'APPROTECT',
      description: hardened
        ? `Access port protection (PALL). This silicon has the hardened APPROTECT: only hw-disabled (0x5A) lets the firmware open the debug port, by writing APPROTECT.DISABLE = 0x5A at boot (${hex(APPROTECT_DISABLE_REGISTER)}); anything else locks it at every reset`
        : 'Access port protection (PALL): enabled blocks the debugger from memory; only a CTRL-AP ERASEALL (unprotect) removes it',
      values: hardened
        ? { enabled: APPROTECT_ENABLED, 'hw-disabled': APPROTECT_HW_DISABLED, erased: 0xff }
        : { enabled: APPROTECT_ENABLED, disabled: APPROTECT_DISABLED },
      min: 0,
      max: 0xff,
      role: { kind: 'read-protection', levelOf: (raw) => (raw === open ? 0 : 1) },
      // ERASEALL through the CTRL-AP always removes it: never permanent.
      isPermanent: () => false,
    }),
    field(0x200, 0xffffffff, 0, pselReset(0, part)),
    field(0x204, 0xffffffff, 0, pselReset(1, part)),
  ];
  if (part.nfcPins) {
    fields.push(
      field(0x20c, 0x1, 0, {
        name: 'NFCPINS',
        description: 'NFC antenna pins: nfc (factory) or gpio (P0.09 and P0.10 as GPIOs)',
        values: { nfc: 1, gpio: 0 },
        min: 0,
        max: 1,
      }),
    );
  }
  if (part.regout0) {
    fields.push(
      field(0x304, 0x7, 0, {
        name: 'REGOUT0',
        description:
          'GPIO output voltage from REG0 in high-voltage mode (VDDH supply); default leaves 1.8 V',
        values: { '1v8': 0, '2v1': 1, '2v4': 2, '2v7': 3, '3v0': 4, '3v3': 5, default: 7 },
        min: 0,
        max: 7,
      }),
    );
  }
  for (let n = 0; n < 32; n++) {
    fields.push(
      field(0x080 + 4 * n, 0xffffffff, 0, {
        name: `CUSTOMER${n}`,
        description: `Customer register ${n}, free for the firmware`,
        min: 0,
        max: 0xffffffff,
        role: { kind: 'user-data' },
      }),
    );
  }
  return fields;
}

function pselReset(n: 0 | 1, part: NrfPart): OptionFieldInfo {
  return {
    name: `PSELRESET${n}`,
    description: `Pin reset, register ${n} of 2 (both must hold the same value): P0.${part.resetPin} (${part.resetPin}) connects the pin reset, disconnected leaves it a GPIO`,
    values: { [`p0.${part.resetPin}`]: part.resetPin, disconnected: 0xffffffff },
    min: 0,
    max: 0xffffffff,
  };
}

/** Field values from UICR words (offset -> word). */
export function decodeUicr(
  fields: readonly UicrField[],
  words: ReadonlyMap<number, number>,
): Record<string, number> {
  const values: Record<string, number> = {};
  for (const f of fields) {
    const word = words.get(f.offset) ?? 0xffffffff;
    values[f.info.name] = ((word & f.mask) >>> f.shift) >>> 0;
  }
  return values;
}

/** New UICR words with `values` applied (offset -> word), from the current words. */
export function encodeUicr(
  fields: readonly UicrField[],
  words: ReadonlyMap<number, number>,
  values: OptionValues,
): Map<number, number> {
  const out = new Map(words);
  for (const [name, value] of Object.entries(values)) {
    const f = fields.find((x) => x.info.name === name);
    if (!f) continue;
    const word = out.get(f.offset) ?? 0xffffffff;
    out.set(f.offset, ((word & ~f.mask) | ((value << f.shift) & f.mask)) >>> 0);
  }
  return out;
}

/**
 * What the UICR holds that gets in the way of debugging: a hardened chip that locks again
 * at every reset (UICR.APPROTECT not HwDisabled, or HwDisabled while the firmware does not
 * write APPROTECT.DISABLE: `lockedNow` says the debug port was found locked), and a pin
 * reset configured in only one of PSELRESET[0..1] or to a pin that is not the reset pin.
 */
export function uicrHazards(
  part: NrfPart,
  hardened: boolean,
  values: OptionValues,
  lockedNow: boolean,
): OptionHazard[] {
  const hazards: OptionHazard[] = [];
  const approtect = values['APPROTECT'];
  if (hardened && approtect !== undefined) {
    const firmwareHalfMissing = approtect === APPROTECT_HW_DISABLED && lockedNow;
    if (approtect !== APPROTECT_HW_DISABLED || firmwareHalfMissing) {
      hazards.push({
        code: 'debug-relocks',
        fields: { APPROTECT: approtect },
        fix: approtect === APPROTECT_HW_DISABLED ? {} : { APPROTECT: APPROTECT_HW_DISABLED },
        register: APPROTECT_DISABLE_REGISTER,
        value: APPROTECT_SW_DISABLE,
        firmwareHalfMissing,
      });
    }
  }
  const psel0 = values['PSELRESET0'];
  const psel1 = values['PSELRESET1'];
  if (psel0 !== undefined && psel1 !== undefined) {
    const connected = (v: number): boolean => (v & 0x80000000) === 0;
    const pinOf = (v: number): number => v & 0x3f;
    const wrongPin = [psel0, psel1].some((v) => connected(v) && pinOf(v) !== part.resetPin);
    if (psel0 !== psel1 || wrongPin) {
      hazards.push({
        code: 'reset-pin',
        fields: { PSELRESET0: psel0, PSELRESET1: psel1 },
        fix: { PSELRESET0: part.resetPin, PSELRESET1: part.resetPin },
        pin: `P0.${part.resetPin}`,
      });
    }
  }
  return hazards;
}
