/**
 * The shared explanations of core/src/diagnose, one by one: each turns facts into a
 * verdict, a message and a fix, and the pipeline's refusals are built from the same ones.
 */
import test from 'ava';
import { FlashImage, type AddressRange } from '../src/exports/image.js';
import {
  type Device,
  type FlashRegion,
  type OptionFieldInfo,
  type OptionHazard,
  type ProtectionState,
  unprotectedValues,
  writeProtectedRanges,
} from '../src/exports/plugin.js';
import { flashSize } from '../src/diagnose/device-checks.js';
import { imageFit, imageFitError } from '../src/diagnose/image-checks.js';
import { explainHazard, optionBytes, optionHazards } from '../src/diagnose/option-byte-checks.js';
import { probeFirmware, probeOpenFailed, targetVoltage } from '../src/diagnose/probe-checks.js';
import {
  readProtection,
  readProtectionError,
  writeProtection,
  writeProtectionHint,
} from '../src/diagnose/protection-checks.js';
import { recoveryAdvice } from '../src/diagnose/recovery.js';
import { noResponseHint, swdAnswers, swdFallbacks } from '../src/diagnose/swd-checks.js';
import { FlashwrightError } from '../src/errors/flashwright-error.js';

const FLASH = 0x08000000;

function region(kib: number, start = FLASH, name = 'flash'): FlashRegion {
  const sectors: AddressRange[] = [];
  for (let a = start; a < start + kib * 1024; a += 1024) sectors.push({ start: a, end: a + 1024 });
  return { name, start, end: start + kib * 1024, sectors, erasedValue: 0xff, writeUnitBytes: 2 };
}

function device(overrides: Partial<Device> = {}): Device {
  return {
    family: 'test',
    name: 'TEST-128K',
    matches: () => true,
    flash: [region(128)],
    ram: [],
    flashSize: { kib: 128, source: 'register' },
    facts: {},
    notes: [],
    protection: () => Promise.reject(new Error('unused')),
    unprotect: () => Promise.reject(new Error('unused')),
    erase: () => Promise.reject(new Error('unused')),
    program: () => Promise.reject(new Error('unused')),
    read: () => Promise.reject(new Error('unused')),
    optionFields: () => [],
    readOptionBytes: () => Promise.reject(new Error('unused')),
    writeOptionBytes: () => Promise.reject(new Error('unused')),
    ...overrides,
  };
}

const open: ProtectionState = { readLevel: 0, writeProtected: [], summary: 'RDP level 0' };

test('target voltage: skipped unmeasured, ok from 1.6 V, a warning when the target answers anyway', (t) => {
  t.is(targetVoltage(undefined, true).verdict, 'skipped');
  t.is(targetVoltage(1.6, false).verdict, 'ok');
  t.is(targetVoltage(3.3, undefined).message, '3.30 V');
  const quiet = targetVoltage(1.59, false);
  t.like(quiet, { verdict: 'fail', code: 'TARGET_VOLTAGE_LOW' });
  t.regex(quiet.message, /1\.59 V .* and nothing answers on SWD/);
  t.regex(quiet.hint ?? '', /Power the board/);
  t.like(targetVoltage(0, true), { verdict: 'warn', code: 'TARGET_VOLTAGE_LOW' });
});

test('probe firmware: only firmware-outdated warnings count, with the transport’s hint', (t) => {
  const info = { transport: 'stlink', name: 'ST-LINK/V2', firmwareVersion: 'V2J37S7' };
  const clone = probeFirmware(info, [
    { code: 'clone', message: 'This probe reports a binary serial number; it lacks an update.' },
  ]);
  t.is(clone.verdict, 'ok', 'the words "lacks" and "update" do not make it a firmware warning');
  const old = probeFirmware(info, [
    {
      code: 'firmware-outdated',
      message: 'Firmware V2J21S4 misses X (V2J22).',
      hint: 'Use the vendor’s updater.',
    },
  ]);
  t.like(old, {
    verdict: 'warn',
    code: 'PROBE_FIRMWARE_TOO_OLD',
    message: 'Firmware V2J21S4 misses X (V2J22).',
    hint: 'Use the vendor’s updater.',
  });
  const noHint = probeFirmware(info, [{ code: 'firmware-outdated', message: 'old' }]);
  t.regex(noHint.hint ?? '', /Update the probe firmware/, 'the catalogue’s hint without one');
  t.is(probeFirmware(undefined, []).verdict, 'skipped');
  const refused = probeFirmware(
    undefined,
    [],
    new FlashwrightError('PROBE_FIRMWARE_TOO_OLD', 'SWIM only', { hint: 'load STM32 firmware' }),
  );
  t.like(refused, { verdict: 'fail', message: 'SWIM only', hint: 'load STM32 firmware' });
});

test('SWD answers: a reset line that does not reach the target is a warning with the transport’s hint', (t) => {
  const settings = { mode: 'under-reset' } as const;
  t.is(swdAnswers(settings, []).verdict, 'ok');
  const other = swdAnswers(settings, [{ code: 'other', message: 'NRST is mentioned here.' }]);
  t.like(other, { verdict: 'warn', hint: undefined }, 'words do not classify a warning');
  const nrst = swdAnswers(settings, [
    { code: 'nrst-not-wired', message: 'The reset did not reach it.', hint: 'Wire RST.' },
  ]);
  t.is(nrst.verdict, 'warn');
  t.regex(nrst.message, /but: The reset did not reach it\.$/);
  t.is(nrst.hint, 'Wire RST. Until then a hardware reset is a software one.');
});

test('opening a probe fails: the listing’s udev hint wins over the open error’s', (t) => {
  const listing = {
    transport: 'stlink',
    name: 'ST-LINK/V2',
    serial: 'S1',
    usable: false,
    problem: { code: 'PROBE_ACCESS_DENIED' as const, message: 'denied', hint: 'udev rule here' },
  };
  const denied = probeOpenFailed(
    new FlashwrightError('PROBE_ACCESS_DENIED', 'No permission (EACCES)'),
    [listing],
  );
  t.like(denied, { verdict: 'fail', code: 'PROBE_ACCESS_DENIED', hint: 'udev rule here' });
  t.regex(denied.message, /^ST-LINK\/V2 \(serial S1\) is connected, but this user may not open it/);
  const notFound = probeOpenFailed(new FlashwrightError('PROBE_NOT_FOUND', 'No ST-Link S2'), [
    { ...listing, usable: true, problem: undefined },
  ]);
  t.regex(notFound.message, /No ST-Link S2 \(seen: ST-LINK\/V2 \(serial S1\)\)/);
});

test('SWD: fallbacks go slower, then under reset; the hint follows the settings', (t) => {
  t.deepEqual(swdFallbacks({ mode: 'normal' }), [
    { speedKhz: 480, mode: 'normal' },
    { speedKhz: 480, mode: 'under-reset' },
  ]);
  t.deepEqual(swdFallbacks({ speedKhz: 100, mode: 'normal' }), [
    { speedKhz: 100, mode: 'under-reset' },
  ]);
  t.deepEqual(swdFallbacks({ speedKhz: 100, mode: 'under-reset' }), []);
  t.regex(
    noResponseHint({ speedKhz: 4000, mode: 'hot-plug' }),
    /\(1\) lower the clock .*\(2\) set probe\.connect: under-reset/,
  );
  t.notRegex(noResponseHint({ speedKhz: 480, mode: 'normal' }), /lower the clock/);
});

test('flash size: a database size warns, a quirk is named with what other tools report', (t) => {
  const guessed = flashSize({
    name: 'X',
    flashSize: {
      kib: 128,
      source: 'database',
      raw: 0xffff,
      note: 'the flash-size register reads 0xFFFF',
      hint: 'The part number says it.',
    },
  });
  t.is(guessed.verdict, 'warn');
  t.is(guessed.message, 'the flash-size register reads 0xFFFF; using 128 KB');
  t.regex(
    guessed.hint ?? '',
    /^Set target\.flashSize .* if it is not 128 KB\. The part number says it\.$/,
  );
  const quirk = flashSize({ name: 'X', flashSize: { kib: 128, source: 'register', raw: 0x6b80 } });
  t.is(quirk.verdict, 'ok');
  t.regex(
    quirk.message,
    /^128 KB: the register reads 0x6B80, quirk applied \(.* reports 27520 KB\)$/,
  );
  const override = flashSize({
    name: 'X',
    flashSize: { kib: 64, source: 'override', raw: 0xffff, registerAddress: 0x1ffff7e0 },
  });
  t.is(
    override.message,
    '64 KB from target.flashSize; the flash-size register at 0x1FFFF7E0 reads 0xFFFF (a tool that reads the register as plain KiB reports 65535 KB)',
  );
  t.is(flashSize(device()).message, '128 KB');
});

test('read protection: level 0 ok; level 1 depends on the recipe; level 2 is permanent', (t) => {
  t.is(readProtection(open, 'X').verdict, 'ok');
  const locked: ProtectionState = { readLevel: 1, writeProtected: [], summary: 'RDP level 1' };
  t.like(readProtection(locked, 'X', 'confirmed'), { verdict: 'warn', code: 'TARGET_PROTECTED' });
  t.like(readProtection(locked, 'X', 'unconfirmed'), { verdict: 'fail', code: 'TARGET_PROTECTED' });
  const absent = readProtection(locked, 'X');
  const error = readProtectionError(locked, 'X');
  t.is(error.message, absent.message);
  t.is(error.hint, absent.hint);
  t.is(error.exitCode, 6);
  const rdp2 = readProtectionError({ ...locked, readLevel: 2, summary: 'RDP level 2' }, 'X');
  t.is(rdp2.code, 'TARGET_RDP2');
  t.regex(rdp2.hint ?? '', /cannot be undone/);
});

/** Four 1 KB pages per bit; a second field whose clear bits protect; one area. */
const pages = region(128).sectors;
const wrpFields: OptionFieldInfo[] = [
  {
    name: 'WP_MASK',
    description: 'protects 4 KB per set bit',
    max: 0xff,
    role: {
      kind: 'write-protection',
      protectsWhen: 'bit-set',
      bitRanges: Array.from({ length: 8 }, (_, i) => [
        { start: FLASH + i * 0x1000, end: FLASH + (i + 1) * 0x1000 },
      ]),
    },
  },
  {
    name: 'nWP_HIGH',
    description: 'protects the upper half while a bit is clear',
    max: 0x3,
    role: {
      kind: 'write-protection',
      protectsWhen: 'bit-clear',
      bitRanges: [
        [{ start: FLASH + 0x10000, end: FLASH + 0x18000 }],
        [{ start: FLASH + 0x18000, end: FLASH + 0x20000 }],
      ],
    },
  },
  {
    name: 'AREA_FIRST',
    description: 'first page of the area',
    max: 0xff,
    role: { kind: 'write-protection-area', area: 'A', bound: 'start', pages },
  },
  {
    name: 'AREA_LAST',
    description: 'last page of the area',
    max: 0xff,
    role: { kind: 'write-protection-area', area: 'A', bound: 'end', pages },
  },
  { name: 'WRP_LOOKALIKE', description: 'a name is not a role', max: 3 },
];

test('write protection from roles: the ranges set bits, clear bits and areas protect', (t) => {
  t.deepEqual(
    writeProtectedRanges(wrpFields, { WP_MASK: 0, nWP_HIGH: 3, AREA_FIRST: 1, AREA_LAST: 0 }),
    [],
  );
  t.deepEqual(
    writeProtectedRanges(wrpFields, {
      WP_MASK: 0b101,
      nWP_HIGH: 0b01,
      AREA_FIRST: 20,
      AREA_LAST: 21,
    }),
    [
      { start: FLASH, end: FLASH + 0x1000 },
      { start: FLASH + 0x2000, end: FLASH + 0x3000 },
      { start: FLASH + 20 * 1024, end: FLASH + 22 * 1024 },
      { start: FLASH + 0x18000, end: FLASH + 0x20000 },
    ],
  );
  t.deepEqual(
    writeProtectedRanges(wrpFields, { AREA_FIRST: 127, AREA_LAST: 255 }),
    [{ start: FLASH + 127 * 1024, end: FLASH + 128 * 1024 }],
    'an end past the last page stops at the last page',
  );
  t.deepEqual(unprotectedValues(wrpFields), {
    WP_MASK: 0,
    nWP_HIGH: 3,
    AREA_FIRST: 0xff,
    AREA_LAST: 0,
  });
});

test('write protection: the fix writes each field’s unprotected value and names the bits in the way', (t) => {
  const hint = writeProtectionHint({ optionFields: () => wrpFields });
  t.regex(hint, /on WP_MASK, nWP_HIGH, AREA_FIRST, AREA_LAST, then run again/);
  t.regex(
    hint,
    /\{ WP_MASK: 0, nWP_HIGH: 3, AREA_FIRST: 0xFF, AREA_LAST: 0, confirm: write-option-bytes \}/,
  );
  t.notRegex(hint, /LOOKALIKE/);
  const state: ProtectionState = {
    readLevel: 0,
    writeProtected: [{ start: FLASH, end: FLASH + 0x2000 }],
    summary: 'wrp',
  };
  const dev = device({ optionFields: () => wrpFields });
  t.is(writeProtection(state, [{ start: FLASH + 0x2000, end: FLASH + 0x2400 }], dev).verdict, 'ok');
  t.is(writeProtection(state, undefined, dev).verdict, 'warn');
  const blocked = writeProtection(state, [{ start: FLASH + 0xc00, end: FLASH + 0x1400 }], dev);
  t.like(blocked, { verdict: 'fail', code: 'WRITE_PROTECTED' });
  t.regex(blocked.hint ?? '', /\(the image needs WP_MASK bits 0, 1\)/);
  t.is(
    writeProtectionHint({ optionFields: () => [] }),
    'Clear the write protection with the option-bytes step (the chip’s write-protection fields), then run again.',
  );
});

/** A family's option fields with roles, under names core has never heard of. */
const roleFields: OptionFieldInfo[] = [
  {
    name: 'PROT',
    description: 'read protection',
    values: { '0': 0x11, '1': 0x22, '2': 0x33 },
    role: { kind: 'read-protection', levelOf: (raw) => (raw === 0x11 ? 0 : raw === 0x33 ? 2 : 1) },
  },
  {
    name: 'DOG',
    description: 'watchdog',
    role: { kind: 'watchdog', hardwareWhen: 1, softwareWhen: 0, firstTimeoutMs: 250 },
  },
  {
    name: 'NAP_RESET',
    description: 'reset on nap',
    role: { kind: 'low-power-reset', mode: 'stop', resetsWhen: 1, entersWhen: 0 },
  },
  {
    name: 'COMA_RESET',
    description: 'reset on coma',
    role: { kind: 'low-power-reset', mode: 'standby', resetsWhen: 1, entersWhen: 0 },
  },
  { name: 'NOTES', description: 'user data', role: { kind: 'user-data' } },
  { name: 'WDG_SW', description: 'a familiar name without a role' },
];

test('option hazards from roles: a hardware watchdog and resets on low power, under any name', (t) => {
  const dev = { optionFields: () => roleFields };
  t.deepEqual(optionHazards({ DOG: 0, NAP_RESET: 0, COMA_RESET: 0, WDG_SW: 0 }, dev), []);
  const [dog, sleep, ...rest] = optionHazards({ DOG: 1, NAP_RESET: 1, COMA_RESET: 1 }, dev);
  t.deepEqual(rest, []);
  t.like(dog, { code: 'hardware-watchdog', fields: { DOG: 1 }, fix: { DOG: 0 } });
  t.regex(dog?.problem ?? '', /^DOG = 1: a hardware watchdog runs from reset .*about 250 ms/);
  t.regex(dog?.advice ?? '', /`- option-bytes: \{ DOG: 0, confirm: write-option-bytes \}`/);
  t.like(sleep, { code: 'low-power-reset', fix: { NAP_RESET: 0, COMA_RESET: 0 } });
  t.regex(
    sleep?.problem ?? '',
    /^NAP_RESET = 1 and COMA_RESET = 1: the chip resets instead of entering Stop\/Standby mode/,
  );
  const check = optionBytes({ PROT: 0x11, DOG: 1, NOTES: 7 }, dev);
  t.is(check.verdict, 'warn');
  t.is(check.code, undefined, 'a hazard is advice, not an error code');
  t.is(
    optionBytes(
      { PROT: 0x11, NOTES: 0x42, WP_MASK: 0 },
      { optionFields: () => [...roleFields, ...wrpFields] },
    ).message,
    'nothing in the way of debugging or booting (PROT=0x11)',
    'user data and write-protection masks are not settings',
  );
});

test('option hazards from the family: core words each code from its values', (t) => {
  const family: OptionHazard[] = [
    { code: 'boots-bootloader', fields: { SEL: 0, PIN: 0 }, fix: { PIN: 1 }, pinFix: { SEL: 1 } },
    {
      code: 'boot-address',
      fields: { ADDR: 0x40 },
      fix: { ADDR: 0x80 },
      address: 0x00100000,
      romBootloader: true,
      pin: 'low',
      fixAddress: 0x00200000,
      alternative: { fix: { ADDR: 0x2000 }, address: 0x08000000 },
    },
    { code: 'boots-other-bank', fields: { OTHER: 1 }, fix: { OTHER: 0 }, bank: 2 },
  ];
  const dev = { optionFields: () => roleFields, optionHazards: () => family };
  const [dog, boot, address, bank] = optionHazards({ DOG: 1 }, dev);
  t.is(dog?.code, 'hardware-watchdog', 'erase hazards first, then the family’s boot hazards');
  t.regex(
    boot?.problem ?? '',
    /^SEL = 0 and PIN = 0: .* starts its ROM bootloader after every reset instead of the firmware in flash$/,
  );
  t.is(
    boot?.advice,
    '`- option-bytes: { PIN: 1, confirm: write-option-bytes }` boots the flash again (or SEL: 1 lets the boot pin decide).',
  );
  t.is(
    address?.problem,
    'ADDR = 0x40: with the boot pin low the core boots from 0x00100000, which is not the flash but the ROM bootloader',
  );
  t.regex(
    address?.advice ?? '',
    /boots the flash at 0x00200000 \(the factory value\); ADDR: 0x2000 boots it at 0x08000000\.$/,
  );
  t.regex(
    bank?.problem ?? '',
    /^OTHER = 1: the chip boots from bank 2 whenever that bank holds a valid image/,
  );
  t.regex(bank?.advice ?? '', /unless the firmware swaps banks on purpose\.$/);
  t.is(explainHazard(family[2]!).problem, bank?.problem ?? '');
});

test('debug that locks again at reset, and an inconsistent pin reset: core words them from their values', (t) => {
  const relock = explainHazard({
    code: 'debug-relocks',
    fields: { LOCK: 0xff },
    fix: { LOCK: 0x5a },
    register: 0x40000558,
    value: 0x5a,
    firmwareHalfMissing: false,
  });
  t.regex(
    relock.problem,
    /^LOCK = 0xFF: on this silicon the debug port locks again at every reset/,
  );
  t.regex(relock.advice, /LOCK: 0x5A.*allows it.*the firmware must write 0x5A to 0x40000558/);
  const firmware = explainHazard({
    code: 'debug-relocks',
    fields: { LOCK: 0x5a },
    fix: {},
    register: 0x40000558,
    value: 0x5a,
    firmwareHalfMissing: true,
  });
  t.regex(
    firmware.problem,
    /the option bytes allow debugging, but the debug port was locked after reset/,
  );
  t.regex(firmware.advice, /startup code/);
  const pin = explainHazard({
    code: 'reset-pin',
    fields: { RST0: 18, RST1: 0xffffffff },
    fix: { RST0: 18, RST1: 18 },
    pin: 'P0.18',
  });
  t.regex(pin.problem, /the reset pin \(P0\.18\) may not reset the chip/);
  t.regex(pin.advice, /RST0: 0x12, RST1: 0x12/);
});

test('image fit: past the end of the flash, outside it, or fine; run refuses with the same words', (t) => {
  const flash = [region(64)];
  const over = FlashImage.from([[FLASH + 0xfff0, new Uint8Array(32)]]);
  const overrun = imageFit(over, flash, 'TEST');
  t.regex(
    overrun.message,
    /does not fit .* runs to 0x0801000F, 16 B past the end of the flash at 0x0800FFFF/,
  );
  t.regex(overrun.hint ?? '', /target\.flashSize/);
  const ram = FlashImage.from([[0x20000000, new Uint8Array(4)]]);
  t.regex(
    imageFit(ram, flash, 'TEST').message,
    /has data outside the flash of TEST: 0x20000000\.\.0x20000003/,
  );
  t.is(imageFit(FlashImage.from([[FLASH, new Uint8Array(4)]]), flash, 'TEST').verdict, 'ok');
  const error = imageFitError(over, flash, 'TEST');
  t.is(error?.code, 'IMAGE_OUTSIDE_FLASH');
  t.is(error?.message, overrun.message);
  t.is(imageFitError(FlashImage.from([[FLASH, new Uint8Array(4)]]), flash, 'TEST'), undefined);
});

test('recovery advice: only after touching the flash, and only for link, power and flash failures', (t) => {
  const none = { erased: [], written: [], unknown: [] };
  const touched = {
    erased: [{ start: FLASH + 0x400, end: FLASH + 0x800 }],
    written: [{ start: FLASH, end: FLASH + 0x200 }],
    unknown: [{ start: FLASH + 0x200, end: FLASH + 0x400 }],
  };
  t.is(recoveryAdvice({ code: 'PROBE_DISCONNECTED' }, none), undefined);
  t.is(recoveryAdvice({ code: 'VERIFY_MISMATCH', hint: 'x' }, touched), undefined);
  t.regex(
    recoveryAdvice({ code: 'PROBE_DISCONNECTED', hint: 'replug' }, touched) ?? '',
    /^Reconnect the probe, then run the same recipe again/,
  );
  const flash = recoveryAdvice(
    { code: 'FLASH_PROGRAM_FAILED', hint: 'Check the sector.' },
    touched,
  );
  t.regex(flash ?? '', /^Check the sector\. Then run the same recipe again/);
  // Kept bytes of a partly covered sector: lost where the journal says erased or unknown.
  const lost = recoveryAdvice({ code: 'TARGET_NO_RESPONSE' }, touched, [
    { start: FLASH + 0x100, end: FLASH + 0x300 },
  ]);
  t.regex(
    lost ?? '',
    /256 B of earlier data kept from partly covered sectors \(0x08000200\.\.0x080002FF\)/,
  );
});
