/**
 * The shared explanations of core/src/diagnose, one by one: each turns facts into a
 * verdict, a message and a fix, and the pipeline's refusals are built from the same ones.
 */
import test from 'ava';
import {
  FlashImage,
  type AddressRange,
  type Device,
  type FlashRegion,
  type OptionFieldInfo,
  type ProtectionState,
} from '../src/index.js';
import { flashSize } from '../src/diagnose/device-checks.js';
import { imageFit, imageFitError } from '../src/diagnose/image-checks.js';
import { optionBytes, optionHazards } from '../src/diagnose/option-byte-checks.js';
import { probeFirmware, probeOpenFailed, targetVoltage } from '../src/diagnose/probe-checks.js';
import {
  readProtection,
  readProtectionError,
  writeProtection,
  writeProtectionHint,
} from '../src/diagnose/protection-checks.js';
import { recoveryAdvice } from '../src/diagnose/recovery.js';
import { noResponseHint, swdFallbacks } from '../src/diagnose/swd-checks.js';
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

test('probe firmware: only warnings about missing features count, not a clone’s serial', (t) => {
  const info = { transport: 'stlink', name: 'ST-LINK/V2', firmwareVersion: 'V2J37S7' };
  const clone = probeFirmware(info, [
    'This ST-Link reports a binary serial number (old firmware or a clone); it is shown hex-encoded as 55FF.',
  ]);
  t.is(clone.verdict, 'ok');
  const old = probeFirmware(info, ['ST-Link firmware V2J21S4 lacks: X (V2J22). Update it.']);
  t.like(old, { verdict: 'warn', code: 'PROBE_FIRMWARE_TOO_OLD' });
  t.is(probeFirmware(undefined, []).verdict, 'skipped');
  const refused = probeFirmware(
    undefined,
    [],
    new FlashwrightError('PROBE_FIRMWARE_TOO_OLD', 'SWIM only', { hint: 'load STM32 firmware' }),
  );
  t.like(refused, { verdict: 'fail', message: 'SWIM only', hint: 'load STM32 firmware' });
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

test('flash size: family maximum warns, a quirk is named with what other tools report', (t) => {
  const guessed = flashSize(
    device({
      facts: { flashSizeSource: 'family-maximum', flashSizeRaw: '0xFFFF' },
      notes: ['the flash-size register reads 0xFFFF; assuming 128 KiB'],
    }),
  );
  t.is(guessed.verdict, 'warn');
  t.regex(guessed.hint ?? '', /target\.flashSize/);
  const quirk = flashSize(
    device({ facts: { flashSizeSource: 'register', flashSizeRaw: '0x6B80' } }),
  );
  t.is(quirk.verdict, 'ok');
  t.regex(
    quirk.message,
    /^128 KB: the register reads 0x6B80, quirk applied \(.* reports 27520 KB\)$/,
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

const wrpFields: OptionFieldInfo[] = [
  { name: 'WRP0', description: 'Write protection (bit = 0: protected)', max: 0xff },
  {
    name: 'nWRP',
    description: 'Sector write protection, one bit per sector (0: protected)',
    max: 0xfff,
  },
  {
    name: 'WRP01',
    description: 'Write protection of sectors 0-15 (bit = 1: protected)',
    max: 0xffff,
  },
  { name: 'WRP1A_STRT', description: 'First page of write-protected area WRP1A', max: 0xff },
  { name: 'BOR_LEV', description: 'Brown-out level', max: 3 },
];

test('write protection: the fix writes each field’s unprotected value, by its polarity', (t) => {
  const hint = writeProtectionHint({ optionFields: () => wrpFields });
  t.regex(hint, /on WRP0, nWRP, WRP01, WRP1A_STRT, then run again/);
  t.regex(hint, /\{ WRP0: 0xFF, nWRP: 0xFFF, WRP01: 0, confirm: write-option-bytes \}/);
  t.notRegex(hint, /BOR_LEV/);
  const state: ProtectionState = {
    readLevel: 0,
    writeProtected: [{ start: FLASH, end: FLASH + 0x1000 }],
    summary: 'wrp',
  };
  const dev = device({ optionFields: () => wrpFields });
  t.is(writeProtection(state, [{ start: FLASH + 0x1000, end: FLASH + 0x1400 }], dev).verdict, 'ok');
  t.is(writeProtection(state, undefined, dev).verdict, 'warn');
  t.like(writeProtection(state, [{ start: FLASH + 0xc00, end: FLASH + 0x1400 }], dev), {
    verdict: 'fail',
    code: 'WRITE_PROTECTED',
  });
});

test('option hazards: watchdog, reset on low power, bootloader boot, F7 boot address, bank 2', (t) => {
  const dev = device();
  t.deepEqual(optionHazards({ WDG_SW: 1, nRST_STOP: 1, nRST_STDBY: 1 }, dev), []);
  t.deepEqual(
    optionHazards({ IWDG_SW: 0, nRST_STDBY: 0, nRST_SHDW: 0 }, dev).map((h) => h.fix),
    [{ IWDG_SW: 1 }, { nRST_STDBY: 1, nRST_SHDW: 1 }],
  );
  t.regex(
    optionHazards({ NRST_STOP_D1: 0 }, dev)[0]?.problem ?? '',
    /instead of entering Stop mode/,
  );
  // G0: nBOOT_SEL = 1 takes BOOT0 from nBOOT0; F04x: BOOT_SEL = 0 does.
  t.is(optionHazards({ nBOOT_SEL: 1, nBOOT0: 0 }, dev).length, 1);
  t.is(optionHazards({ nBOOT_SEL: 0, nBOOT0: 0 }, dev).length, 0, 'the pin decides');
  t.is(optionHazards({ BOOT_SEL: 0, nBOOT0: 0 }, dev).length, 1);
  t.is(optionHazards({ nSWBOOT0: 0, nBOOT0: 1 }, dev).length, 0);
  // F7: 0x80 boots ITCM flash at 0x00200000, 0x2000 AXIM flash at 0x08000000.
  t.is(optionHazards({ BOOT_ADD0: 0x80 }, dev).length, 0);
  t.is(optionHazards({ BOOT_ADD0: 0x2000 }, dev).length, 0);
  t.regex(optionHazards({ BOOT_ADD0: 0x8000 }, dev)[0]?.problem ?? '', /boots from 0x20000000/);
  // BFB2 matters only with two banks.
  t.is(optionHazards({ BFB2: 1 }, dev).length, 0);
  const dual = device({ flash: [region(64), region(64, FLASH + 0x10000, 'bank 2')] });
  t.is(optionHazards({ BFB2: 1 }, dual).length, 1);
  const check = optionBytes({ IWDG_SW: 0, RDP: 0xaa }, dev);
  t.is(check.verdict, 'warn');
  t.is(check.code, undefined, 'a hazard is advice, not an error code');
  t.regex(optionBytes({ RDP: 0xaa, WRP01: 0 }, dev).message, /^nothing in the way .*\(RDP=0xAA\)$/);
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
