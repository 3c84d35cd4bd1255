/**
 * The STM32 family's side of core's option-field contract: the roles it gives its fields
 * (read-protection levels, the flash each write-protection bit covers, watchdog and
 * low-power polarities) and the boot hazards only it can see. Core's doctor and dry-run
 * work from these alone; the simulator checks that the roles agree with what the flash
 * controllers read back as write-protected.
 */
import test from 'ava';
import { optionHazards } from '@flashwright/core/diagnose';
import { type AddressRange, mergeRanges } from '@flashwright/core/image';
import {
  type OptionFieldInfo,
  type OptionFieldRole,
  writeProtectedRanges,
} from '@flashwright/core/plugin';
import { optionLayouts } from '@flashwright/stm32-devices';
import { layoutOfPart } from '../src/descriptors.js';
import { stm32OptionHazards } from '../src/options/hazards.js';
import { simRig } from './helpers/sim-rig.js';

function fieldsOf(part: string): readonly OptionFieldInfo[] {
  const fields = layoutOfPart(part)?.optionFields;
  if (fields === undefined) throw new Error(`${part} has no layout`);
  return fields;
}

function roleOf<K extends OptionFieldRole['kind']>(
  part: string,
  name: string,
  kind: K,
): Extract<OptionFieldRole, { kind: K }> {
  const role = fieldsOf(part).find((f) => f.name === name)?.role;
  if (role?.kind !== kind) throw new Error(`${part} ${name} is not ${kind}`);
  return role as Extract<OptionFieldRole, { kind: K }>;
}

const range = (start: number, bytes: number): AddressRange => ({ start, end: start + bytes });

test('RDP: the levels of each line’s codes; level 2 is permanent where the line has it', (t) => {
  const l1 = roleOf('STM32L151CBxxA', 'RDP', 'read-protection');
  t.deepEqual([0xaa, 0xbb, 0xcc, 0x12].map(l1.levelOf), [0, 1, 2, 1]);
  const f4 = roleOf('STM32F411RE', 'RDP', 'read-protection');
  t.deepEqual([0xaa, 0x55, 0xcc].map(f4.levelOf), [0, 1, 2]);
  const f1 = fieldsOf('STM32F103RB').find((f) => f.name === 'RDP');
  t.is(f1?.role?.kind === 'read-protection' ? f1.role.levelOf(0x00) : undefined, 1);
  t.false(f1 !== undefined && 'isPermanent' in f1, 'F1 has no level 2');
});

test('write protection: the flash each bit covers, per controller', (t) => {
  // F1: 4 KiB per bit from the base, WRP3 bit 7 (WRPR bit 31) takes the rest.
  const f103 = roleOf('STM32F103RB', 'WRP0', 'write-protection');
  t.is(f103.protectsWhen, 'bit-clear');
  t.deepEqual(f103.bitRanges[1], [range(0x08001000, 0x1000)]);
  const f103ze = roleOf('STM32F103ZE', 'WRP3', 'write-protection');
  t.deepEqual(f103ze.bitRanges[7], [{ start: 0x0801f000, end: 0x08080000 }]);
  t.deepEqual(roleOf('STM32F103C8', 'WRP3', 'write-protection').bitRanges[7], []);
  // F4: a sector per bit; F413: bit 14 also covers sector 15.
  const f411 = roleOf('STM32F411RE', 'nWRP', 'write-protection');
  t.deepEqual(f411.bitRanges[4], [range(0x08010000, 0x10000)]);
  const f413 = roleOf('STM32F413ZH', 'nWRP', 'write-protection');
  t.deepEqual(f413.bitRanges[14], [range(0x08140000, 0x20000), range(0x08160000, 0x20000)]);
  // L1: a 4 KiB sector per set bit; WRP23 starts at sector 16.
  const l151 = roleOf('STM32L151CBxxA', 'WRP23', 'write-protection');
  t.is(l151.protectsWhen, 'bit-set');
  t.deepEqual(l151.bitRanges[0], [range(0x08010000, 0x1000)]);
  // L4: areas of pages of their bank.
  const l476 = roleOf('STM32L476RG', 'WRP1A_STRT', 'write-protection-area');
  t.like(l476, { area: 'WRP1A', bound: 'start' });
  t.deepEqual(l476.pages[1], range(0x08000800, 0x800));
  // H7: WPSN2 covers bank 2, a sector per bit (H7A/B: four).
  t.deepEqual(roleOf('STM32H743ZI', 'WPSN2', 'write-protection').bitRanges[0], [
    range(0x08100000, 0x20000),
  ]);
  t.deepEqual(roleOf('STM32H7A3ZI', 'WPSN1', 'write-protection').bitRanges[1], [
    range(0x08008000, 0x2000),
    range(0x0800a000, 0x2000),
    range(0x0800c000, 0x2000),
    range(0x0800e000, 0x2000),
  ]);
});

test('watchdog and low-power fields: 0 is the hardware watchdog and the reset on entry', (t) => {
  for (const [part, name] of [
    ['STM32F103RB', 'WDG_SW'],
    ['STM32L151CBxxA', 'IWDG_SW'],
    ['STM32H743ZI', 'IWDG1_SW'],
  ] as const) {
    t.like(roleOf(part, name, 'watchdog'), { hardwareWhen: 0, softwareWhen: 1 }, part);
  }
  t.like(roleOf('STM32L476RG', 'nRST_SHDW', 'low-power-reset'), {
    mode: 'shutdown',
    resetsWhen: 0,
  });
  t.like(roleOf('STM32H743ZI', 'NRST_STBY_D1', 'low-power-reset'), { mode: 'standby' });
  t.is(roleOf('STM32F767BI', 'BOOT_ADD0', 'boot').kind, 'boot');
});

const g0 = optionLayouts.g0;
const single = layoutOfPart('STM32F767BI')?.flash ?? [];
const dual = layoutOfPart('STM32F429ZI')?.flash ?? [];

test('boot hazards: BOOT0 from the option bytes picks the bootloader (G0, F04x, G4)', (t) => {
  t.like(stm32OptionHazards({ nBOOT_SEL: 1, nBOOT0: 0 }, g0, single), [
    { code: 'boots-bootloader', fix: { nBOOT0: 1 }, pinFix: { nBOOT_SEL: 0 } },
  ]);
  t.deepEqual(stm32OptionHazards({ nBOOT_SEL: 0, nBOOT0: 0 }, g0, single), [], 'the pin decides');
  t.like(stm32OptionHazards({ BOOT_SEL: 0, nBOOT0: 0 }, optionLayouts.f0, single), [
    { code: 'boots-bootloader', pinFix: { BOOT_SEL: 1 } },
  ]);
  t.deepEqual(stm32OptionHazards({ nSWBOOT0: 0, nBOOT0: 1 }, optionLayouts.g4, single), []);
});

test('boot hazards: an F7 boot address outside the flash, named with the factory value', (t) => {
  const f7 = optionLayouts.f7;
  t.deepEqual(stm32OptionHazards({ BOOT_ADD0: 0x80 }, f7, single), [], 'ITCM flash');
  t.deepEqual(stm32OptionHazards({ BOOT_ADD0: 0x2000 }, f7, single), [], 'AXIM flash');
  t.like(stm32OptionHazards({ BOOT_ADD0: 0x40 }, f7, single), [
    { code: 'boot-address', address: 0x00100000, romBootloader: true, fix: { BOOT_ADD0: 0x80 } },
  ]);
  t.like(stm32OptionHazards({ BOOT_ADD0: 0x8000 }, f7, single), [
    { address: 0x20000000, romBootloader: false },
  ]);
});

test('boot hazards: BFB2 boots bank 2 only on dual-bank parts, with each line’s polarity', (t) => {
  t.deepEqual(stm32OptionHazards({ BFB2: 1 }, optionLayouts['f4-dual'], single), []);
  t.like(stm32OptionHazards({ BFB2: 1 }, optionLayouts['f4-dual'], dual), [
    { code: 'boots-other-bank', fix: { BFB2: 0 }, bank: 2 },
  ]);
  // F1 XL and L1: BFB2 = 1 is the factory value and boots bank 1; 0 boots bank 2.
  for (const layout of ['f1-xl', 'l1'] as const) {
    t.deepEqual(stm32OptionHazards({ BFB2: 1 }, optionLayouts[layout], dual), [], layout);
    t.like(stm32OptionHazards({ BFB2: 0 }, optionLayouts[layout], dual), [{ fix: { BFB2: 1 } }]);
  }
});

test('core words the family’s hazards with the STM32 field names', (t) => {
  const device = {
    optionFields: () => fieldsOf('STM32G474RE'),
    optionHazards: (values: Readonly<Record<string, number>>) =>
      stm32OptionHazards(values, optionLayouts.g4, single),
  };
  const [dog, boot] = optionHazards({ IWDG_SW: 0, nSWBOOT0: 0, nBOOT0: 0 }, device);
  t.regex(dog?.problem ?? '', /^IWDG_SW = 0: a hardware watchdog runs from reset/);
  t.regex(
    boot?.problem ?? '',
    /^nSWBOOT0 = 0 and nBOOT0 = 0: .*starts its ROM bootloader after every reset/,
  );
  t.regex(boot?.advice ?? '', /\(or nSWBOOT0: 1 lets the boot pin decide\)/);
});

// The roles and the controllers read write protection independently (option values and
// roles versus the protection registers): on the simulated chips they must agree.
for (const [part, values] of [
  ['STM32F103RB', { WRP0: 0xfe, WRP3: 0x7f }],
  ['STM32F411RE', { nWRP: 0xfed }],
  ['STM32L151CBxxA', { WRP01: 0x8001, WRP23: 0x0002 }],
  ['STM32L476RG', { WRP1A_STRT: 2, WRP1A_END: 5, WRP1B_STRT: 0xff, WRP1B_END: 0 }],
  ['STM32H743ZI', { WPSN1: 0xfe, WPSN2: 0x7f }],
] as const) {
  test(`${part}: the roles’ write-protected flash is what the controller reads`, async (t) => {
    const rig = await simRig({ device: part });
    try {
      const device = await rig.identify();
      await device.writeOptionBytes(values);
      const fromRoles = writeProtectedRanges(device.optionFields(), await device.readOptionBytes());
      t.true(fromRoles.length > 0);
      t.deepEqual(fromRoles, mergeRanges((await device.protection()).writeProtected));
    } finally {
      await rig.close();
    }
  });
}

test('STM32F767ZI in dual-bank mode: one nWRP bit covers two sectors, in roles and controller', async (t) => {
  const rig = await simRig({ device: 'STM32F767ZI' });
  try {
    await (await rig.identify()).writeOptionBytes({ nDBANK: 0 });
    const device = await rig.identify();
    t.is(device.flash.length, 2, 'dual-bank after the reload');
    await device.writeOptionBytes({ nWRP: 0xffe });
    const fromRoles = writeProtectedRanges(device.optionFields(), await device.readOptionBytes());
    t.deepEqual(
      fromRoles,
      [{ start: 0x08000000, end: 0x08008000 }],
      'sectors 0 and 1 (16 KiB each)',
    );
    t.deepEqual(fromRoles, mergeRanges((await device.protection()).writeProtected));
  } finally {
    await rig.close();
  }
});
