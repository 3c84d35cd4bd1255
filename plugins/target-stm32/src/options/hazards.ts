import type { FlashRegion, OptionHazard, OptionValues } from '@flashwright/core/plugin';
import type { OptionFieldData } from '@flashwright/stm32-devices';

/**
 * Boot selection held in the option bytes instead of the BOOT0 pin: nSWBOOT0 = 0 (L4+, G4,
 * WB, WL), nBOOT_SEL = 1 (G0, C0) or BOOT_SEL = 0 (F04x/F09x) takes BOOT0 from nBOOT0, and
 * nBOOT0 = 0 makes it 1: the chip starts the ROM bootloader after every reset, never the
 * flash. The pin fix is the selector's other value.
 */
function bootsBootloader(values: OptionValues): OptionHazard | undefined {
  if (values['nBOOT0'] !== 0) return undefined;
  const selectors = [
    ['nSWBOOT0', 0, 1],
    ['nBOOT_SEL', 1, 0],
    ['BOOT_SEL', 0, 1],
  ] as const;
  const selector = selectors.find(([name, fromOptions]) => values[name] === fromOptions);
  if (selector === undefined) return undefined;
  const [name, fromOptions, fromPin] = selector;
  return {
    code: 'boots-bootloader',
    fields: { [name]: fromOptions, nBOOT0: 0 },
    fix: { nBOOT0: 1 },
    pinFix: { [name]: fromPin },
  };
}

/** The F7 ROM bootloader (system memory), BOOT_ADD1's factory target (RM0410 boot table). */
const F7_SYSTEM_MEMORY = 0x00100000;
/** F7 flash answers at 0x08000000 (AXIM) and 0x00200000 (ITCM): the boot table of RM0385/RM0410. */
const F7_FLASH_AXIM = 0x08000000;
const F7_FLASH_ITCM = 0x00200000;

/** F7: BOOT_ADD0 (address bits [29:14]) is where the core boots with BOOT0 low. */
function bootAddressOutsideFlash(
  values: OptionValues,
  flash: readonly FlashRegion[],
): OptionHazard | undefined {
  const add0 = values['BOOT_ADD0'];
  if (add0 === undefined) return undefined;
  const address = (add0 * 2 ** 14) >>> 0;
  const flashBytes = flash.reduce((sum, r) => sum + (r.end - r.start), 0);
  const inFlash = [F7_FLASH_AXIM, F7_FLASH_ITCM].some(
    (base) => address >= base && address < base + flashBytes,
  );
  if (inFlash) return undefined;
  return {
    code: 'boot-address',
    fields: { BOOT_ADD0: add0 },
    fix: { BOOT_ADD0: F7_FLASH_ITCM / 2 ** 14 },
    address,
    romBootloader: address === F7_SYSTEM_MEMORY,
    pin: 'low',
    fixAddress: F7_FLASH_ITCM,
    alternative: { fix: { BOOT_ADD0: F7_FLASH_AXIM / 2 ** 14 }, address: F7_FLASH_AXIM },
  };
}

/**
 * BFB2 in its boot-bank-2 position on a part running dual-bank: a valid image in bank 2
 * runs instead of bank 1's. Which value that is differs per line (the field's role data).
 */
function bootFromBank2(
  values: OptionValues,
  fields: readonly OptionFieldData[],
  flash: readonly FlashRegion[],
): OptionHazard | undefined {
  const role = fields.find((f) => f.name === 'BFB2')?.role;
  if (role?.kind !== 'boot' || role.bank2When === undefined || flash.length < 2) return undefined;
  if (values['BFB2'] !== role.bank2When) return undefined;
  return {
    code: 'boots-other-bank',
    fields: { BFB2: role.bank2When },
    fix: { BFB2: 1 - role.bank2When },
    bank: 2,
  };
}

/**
 * The boot hazards of an STM32's option values, which core cannot see from single fields
 * (the watchdog and low-power resets it finds from the fields' roles).
 */
export function stm32OptionHazards(
  values: OptionValues,
  fields: readonly OptionFieldData[],
  flash: readonly FlashRegion[],
): OptionHazard[] {
  return [
    bootsBootloader(values),
    bootAddressOutsideFlash(values, flash),
    bootFromBank2(values, fields, flash),
  ].filter((h): h is OptionHazard => h !== undefined);
}
